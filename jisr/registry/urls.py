from django.urls import path

from jisr.registry.views import categories, imports, own_record, persons, self_registration

app_name = "registry"
urlpatterns = [
    path("register/", self_registration.register, name="register"),
    path("register/draft/", self_registration.register_draft, name="register_draft"),
    path(
        "register/<str:token>/confirm/",
        self_registration.register_confirm,
        name="register_confirm",
    ),
    path("my-record/", own_record.my_record, name="my_record"),
    path("my-record/download.json", own_record.my_record_download, name="my_record_download"),
    path("my-record/download.pdf", own_record.my_record_pdf, name="my_record_pdf"),
    path("my-record/consent/", own_record.my_consent, name="my_consent"),
    path("my-record/edit/", own_record.my_record_edit, name="my_record_edit"),
    path("my-record/case-form/", own_record.my_case_form, name="my_case_form"),
    path("my-record/close/", own_record.my_account_close, name="my_account_close"),
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_register, name="person_register"),
    path("persons/export/", persons.person_export, name="person_export"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/<int:import_id>/", imports.import_map, name="import_map"),
    path("import/<int:import_id>/run/", imports.import_run, name="import_run"),
    path("import/<int:import_id>/progress/", imports.import_progress, name="import_progress"),
    path("import/<int:import_id>/resume/", imports.import_resume, name="import_resume"),
    path("persons/<int:person_id>/", persons.person_detail, name="person_detail"),
    path("persons/<int:person_id>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:person_id>/consent/", persons.person_consent, name="person_consent"),
    path("persons/<int:person_id>/case-form/", persons.person_case_form, name="person_case_form"),
    path("persons/<int:person_id>/share/", persons.person_share, name="person_share"),
    path("persons/<int:person_id>/share/end/", persons.person_unshare, name="person_unshare"),
    path("categories/", categories.category_rule_list, name="category_rule_list"),
    path(
        "categories/<int:rule_id>/edit/", categories.category_rule_edit, name="category_rule_edit"
    ),
]
