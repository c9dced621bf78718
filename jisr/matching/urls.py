from django.urls import path

from jisr.matching import views

app_name = "matching"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    # A person's own profile, and each change to it.
    path("my-profile/", views.my_profile, name="my_profile"),
    path("my-profile/facts/", views.my_profile_facts, name="my_profile_facts"),
    path(
        "my-profile/occupations/",
        views.my_profile_occupation_add,
        name="my_profile_occupation",
    ),
    path("my-profile/skills/", views.my_profile_skill_add, name="my_profile_skill"),
    path("my-profile/languages/", views.my_profile_language_add, name="my_profile_language"),
    path(
        "my-profile/qualifications/",
        views.my_profile_qualification_add,
        name="my_profile_qualification",
    ),
    path("my-profile/remove/", views.my_profile_item_remove, name="my_profile_remove"),
    path("my-opportunities/", views.my_opportunities, name="my_opportunities"),
    path(
        "my-applications/<int:application_id>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    # A person's profile as their caseworker sees it, and each change to it.
    path("persons/<int:person_id>/profile/", views.person_profile, name="person_profile"),
    path(
        "persons/<int:person_id>/profile/facts/",
        views.person_profile_facts,
        name="person_profile_facts",
    ),
    path(
        "persons/<int:person_id>/profile/occupations/",
        views.person_profile_occupation_add,
        name="person_profile_occupation",
    ),
    path(
        "persons/<int:person_id>/profile/skills/",
        views.person_profile_skill_add,
        name="person_profile_skill",
    ),
    path(
        "persons/<int:person_id>/profile/languages/",
        views.person_profile_language_add,
        name="person_profile_language",
    ),
    path(
        "persons/<int:person_id>/profile/qualifications/",
        views.person_profile_qualification_add,
        name="person_profile_qualification",
    ),
    path(
        "persons/<int:person_id>/profile/remove/",
        views.person_profile_item_remove,
        name="person_profile_remove",
    ),
    path(
        "persons/<int:person_id>/opportunities/",
        views.person_opportunities,
        name="person_opportunities",
    ),
    # Opportunities, and each change to one.
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path(
        "opportunities/<int:opportunity_id>/",
        views.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        views.opportunity_edit,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:opportunity_id>/skills/",
        views.opportunity_skill_add,
        name="opportunity_skill_add",
    ),
    path(
        "opportunities/<int:opportunity_id>/skills/remove/",
        views.opportunity_skill_remove,
        name="opportunity_skill_remove",
    ),
    path(
        "opportunities/<int:opportunity_id>/languages/",
        views.opportunity_language_set,
        name="opportunity_language_set",
    ),
    path(
        "opportunities/<int:opportunity_id>/languages/remove/",
        views.opportunity_language_remove,
        name="opportunity_language_remove",
    ),
    path(
        "opportunities/<int:opportunity_id>/status/",
        views.opportunity_status_set,
        name="opportunity_status_set",
    ),
    path(
        "opportunities/<int:opportunity_id>/apply/",
        views.opportunity_apply,
        name="opportunity_apply",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/",
        views.candidates,
        name="candidates",
    ),
    path(
        "opportunities/<int:opportunity_id>/candidates/<str:reference>/invite/",
        views.candidate_invite,
        name="candidate_invite",
    ),
    path(
        "opportunities/<int:opportunity_id>/applications/",
        views.applications,
        name="applications",
    ),
    path(
        "opportunities/<int:opportunity_id>/applications/<int:application_id>/decide/",
        views.application_decide,
        name="application_decide",
    ),
    path("map/", views.skills_map, name="skills_map"),
]
