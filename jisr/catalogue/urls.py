from django.urls import path

from jisr.catalogue import views
from jisr.catalogue.hsds import views as hsds_views

app_name = "catalogue"
urlpatterns = [
    path("services/", views.directory, name="directory"),
    path("services/<uuid:uuid>/", views.service_page, name="service"),
    path("catalogue/", views.my_services, name="my_services"),
    path("catalogue/new/", views.service_create, name="service_create"),
    path("catalogue/<int:service_id>/edit/", views.service_edit, name="service_edit"),
    path("catalogue/locations/new/", views.location_edit, name="location_create"),
    path("catalogue/locations/<int:location_id>/edit/", views.location_edit, name="location_edit"),
    path("catalogue/map/", views.stakeholder_map, name="stakeholder_map"),
    path("catalogue/review/", views.review_queue, name="review_queue"),
    path("catalogue/review/<int:change_id>/", views.review, name="review"),
    path("catalogue/review/<int:change_id>/approve/", views.review_approve, name="review_approve"),
    path("catalogue/review/<int:change_id>/reject/", views.review_reject, name="review_reject"),
    path("catalogue/hsds-imports/new/", views.hsds_import_new, name="hsds_import_new"),
    path(
        "catalogue/hsds-imports/<int:hsds_import_id>/",
        views.hsds_import_page,
        name="hsds_import",
    ),
    path(
        "catalogue/hsds-imports/<int:hsds_import_id>/again/",
        views.hsds_import_again,
        name="hsds_import_again",
    ),
]

hsds_patterns = [
    path("", hsds_views.root, name="hsds_root"),
    path("services", hsds_views.services, name="hsds_services"),
    path("services/<uuid:hsds_id>", hsds_views.service, name="hsds_service"),
    path("organizations", hsds_views.organizations, name="hsds_organizations"),
    path("organizations/<uuid:hsds_id>", hsds_views.organization, name="hsds_organization"),
    path("service_at_locations", hsds_views.service_at_locations, name="hsds_service_at_locations"),
    path(
        "service_at_locations/<uuid:hsds_id>",
        hsds_views.service_at_location,
        name="hsds_service_at_location",
    ),
    path("taxonomies", hsds_views.taxonomies, name="hsds_taxonomies"),
    path("taxonomy_terms", hsds_views.taxonomy_terms, name="hsds_taxonomy_terms"),
]
