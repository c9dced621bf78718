from django.urls import path

from jisr.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
]
