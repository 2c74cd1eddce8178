from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Idées")

    def ready(self) -> None:
        from ideas import search
        from innovation.platform import personal_data

        personal_data.texts_scrubbed.connect(
            search.refresh_after_pseudonymisation, dispatch_uid="ideas-search-vectors"
        )
