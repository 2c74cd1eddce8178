from django.urls import path

from innovation.site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("pilotage/", views.dashboard, name="dashboard"),
    path("pilotage/export/<slug:table>.csv", views.dashboard_export, name="dashboard_export"),
]
