from django.urls import path

from jisr.catalogue import views

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
]
