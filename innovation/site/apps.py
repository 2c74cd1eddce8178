from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top layer: the pages that gather every app (home, dashboard) and the demo data.
    No models."""

    name = "innovation.site"
    label = "site"
    verbose_name = _("Pages transverses")
