from django.urls import path

from jisr.matching import views

app_name = "matching"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("my-profile/", views.my_profile, name="my_profile"),
    path("my-opportunities/", views.my_opportunities, name="my_opportunities"),
    path(
        "my-applications/<int:application_id>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("persons/<int:person_id>/profile/", views.person_profile, name="person_profile"),
    path(
        "persons/<int:person_id>/opportunities/",
        views.person_opportunities,
        name="person_opportunities",
    ),
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
    path("map/", views.skills_map, name="skills_map"),
]
