from django.urls import path, register_converter

from rituals import views


class CalendarTokenConverter:
    """The alphabet of `models.new_calendar_token` (URL-safe base64): anything else cannot be
    a token, and never reaches the database (a NUL byte there was a 500)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CalendarTokenConverter, "calendar_token")

app_name = "rituals"
urlpatterns = [
    path("", views.ritual_list, name="list"),
    path("nouvelle-serie/", views.ritual_create, name="create"),
    path("<int:pk>/", views.ritual_detail, name="detail"),
    path("<int:pk>/modifier/", views.ritual_edit, name="edit"),
    path("seances/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path("seances/<int:pk>/inscription/", views.occurrence_register, name="register"),
    path("seances/<int:pk>/modifier/", views.occurrence_edit, name="occurrence_edit"),
    path("seances/<int:pk>/annuler/", views.occurrence_cancel, name="occurrence_cancel"),
    path("seances/<int:pk>/presences/", views.occurrence_attendance, name="attendance"),
    path("seances/<int:pk>/inscriptions.csv", views.occurrence_export, name="export"),
    path("seances/<int:pk>/agenda.ics", views.occurrence_ics, name="occurrence_ics"),
    path("agenda/", views.calendar_settings, name="calendar"),
    path(
        "agenda/<calendar_token:token>/mes-inscriptions.ics",
        views.personal_feed,
        name="personal_feed",
    ),
    path("agenda/<calendar_token:token>/serie-<int:pk>.ics", views.ritual_feed, name="ritual_feed"),
]
