from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("innovation.urls_platform")),
    path("idees/", include("ideas.urls")),
    path("petits-dejeuners/", include("rituals.urls")),
    path("forums/", include("juries.urls")),
]
