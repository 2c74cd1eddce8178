from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RitualsConfig(AppConfig):
    name = "rituals"
    verbose_name = _("Petits-déjeuners")

    def ready(self) -> None:
        from innovation.platform.permissions import share_people_through
        from rituals import permissions

        share_people_through(permissions.organisations_sharing_a_ritual)
