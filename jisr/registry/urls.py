from django.urls import path

from jisr.registry import import_views, own_views, self_views, views

app_name = "registry"
urlpatterns = [
    path("register/", self_views.register, name="register"),
    path("register/<str:token>/confirm/", self_views.register_confirm, name="register_confirm"),
    path("my-record/", own_views.my_record, name="my_record"),
    path("my-record/download.json", own_views.my_record_download, name="my_record_download"),
    path("my-record/download.pdf", own_views.my_record_pdf, name="my_record_pdf"),
    path("my-record/consent/", own_views.my_consent, name="my_consent"),
    path("my-record/edit/", own_views.my_record_edit, name="my_record_edit"),
    path("my-record/case-form/", own_views.my_case_form, name="my_case_form"),
    path("my-record/close/", own_views.my_account_close, name="my_account_close"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_register, name="person_register"),
    path("persons/export/", import_views.person_export, name="person_export"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<int:import_id>/", import_views.import_map, name="import_map"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/consent/", views.person_consent, name="person_consent"),
    path("persons/<int:person_id>/case-form/", views.person_case_form, name="person_case_form"),
    path("persons/<int:person_id>/share/", views.person_share, name="person_share"),
    path("categories/", views.category_rule_list, name="category_rule_list"),
    path("categories/<int:rule_id>/edit/", views.category_rule_edit, name="category_rule_edit"),
]
