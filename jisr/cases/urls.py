from django.urls import path

from jisr.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("open/<int:person_id>/", views.case_open, name="case_open"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/needs/", views.need_add, name="need_add"),
    path("<int:case_id>/needs/status/", views.need_set_status, name="need_set_status"),
    path("<int:case_id>/referrals/", views.referral_send, name="referral_send"),
    path(
        "<int:case_id>/referrals/waiting/",
        views.case_refer_waiting_needs,
        name="case_refer_waiting_needs",
    ),
    path("<int:case_id>/status/", views.case_set_status, name="case_set_status"),
    path("<int:case_id>/transfer/", views.case_transfer, name="case_transfer"),
    path("<int:case_id>/plan/", views.case_plan, name="case_plan"),
    path("<int:case_id>/follow-ups/", views.follow_up_record, name="follow_up_record"),
    path("warnings/", views.worklist, name="worklist"),
    path("warnings/scan/", views.warnings_scan, name="warnings_scan"),
    path("warnings/rules/", views.warning_rules, name="warning_rules"),
    path("my-plan/", views.my_plan, name="my_plan"),
    path("notifications/", views.my_notifications, name="notifications"),
    path("referrals/", views.inbox, name="inbox"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/letter.pdf", views.referral_letter, name="referral_letter"),
]
