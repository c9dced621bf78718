from django.urls import path

from jisr.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.register_list, name="register_list"),
    path("registry/", views.registry_refresh, name="registry_refresh"),
    path("registers/<int:register_id>/", views.register_detail, name="register_detail"),
    path("registers/<int:register_id>/run/", views.run_start, name="run_start"),
    path(
        "registers/<int:register_id>/agreements/",
        views.agreement_create,
        name="agreement_create",
    ),
    path("agreements/<int:agreement_id>/end/", views.agreement_end, name="agreement_end"),
    path("registers/<int:register_id>/upload/", views.register_upload, name="register_upload"),
    path("uploads/<int:upload_id>/", views.upload_map, name="upload_map"),
    path("uploads/<int:upload_id>/import/", views.upload_import, name="upload_import"),
    path("uploads/<int:upload_id>/progress/", views.upload_progress, name="upload_progress"),
    path("uploads/<int:upload_id>/resume/", views.upload_resume, name="upload_resume"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("review/", views.review_queue, name="review_queue"),
    path("pairs/<int:pair_id>/", views.pair_detail, name="pair_detail"),
    path("pairs/<int:pair_id>/decision/", views.pair_decide, name="pair_decide"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("cross-reference/", views.cross_reference, name="cross_reference"),
]
