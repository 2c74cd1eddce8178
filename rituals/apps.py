from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RitualsConfig(AppConfig):
    name = "rituals"
    verbose_name = _("Petits-déjeuners")
