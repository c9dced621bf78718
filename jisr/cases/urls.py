from django.urls import path

from jisr.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("open/<int:person_id>/", views.case_open, name="case_open"),
    path("<int:case_id>/", views.case_detail, name="case_detail"),
    path("<int:case_id>/plan/", views.case_plan, name="case_plan"),
    path("warnings/", views.worklist, name="worklist"),
    path("warnings/rules/", views.warning_rules, name="warning_rules"),
    path("my-plan/", views.my_plan, name="my_plan"),
    path("notifications/", views.my_notifications, name="notifications"),
    path("referrals/", views.inbox, name="inbox"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/letter.pdf", views.referral_letter, name="referral_letter"),
]
