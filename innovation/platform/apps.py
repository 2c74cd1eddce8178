from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation.platform"
    # The label the models, their tables, migrations and AUTH_USER_MODEL have always had.
    label = "innovation"
    verbose_name = _("Plateforme")

    def ready(self) -> None:
        from innovation.platform import auth  # noqa: F401 (login, logout and failed-login audit receivers)
