from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JuriesConfig(AppConfig):
    name = "juries"
    verbose_name = _("Forums et jurys")

    def ready(self) -> None:
        from innovation.platform.permissions import share_people_through
        from juries import permissions

        share_people_through(permissions.organisations_sharing_a_forum)
