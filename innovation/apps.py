from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Plateforme")

    def ready(self) -> None:
        from innovation import auth  # noqa: F401 (login, logout and failed-login audit receivers)
