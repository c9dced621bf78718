from django.urls import path

from jisr.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.register_list, name="register_list"),
    path("registers/<int:register_id>/", views.register_detail, name="register_detail"),
    path("registers/<int:register_id>/upload/", views.register_upload, name="register_upload"),
    path("uploads/<int:upload_id>/", views.upload_map, name="upload_map"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("review/", views.review_queue, name="review_queue"),
    path("pairs/<int:pair_id>/", views.pair_detail, name="pair_detail"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("cross-reference/", views.cross_reference, name="cross_reference"),
]
