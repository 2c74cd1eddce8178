from django.contrib import admin
from django.urls import include, path

# A lost database connection answers 503 with Retry-After; anything else is a 500.
handler500 = "innovation.platform.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("innovation.site.urls")),
    path("", include("innovation.platform.urls")),
    path("idees/", include("ideas.urls")),
    path("petits-dejeuners/", include("rituals.urls")),
    path("forums/", include("juries.urls")),
]
