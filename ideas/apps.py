from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Idées")

    def ready(self) -> None:
        from ideas import permissions, search
        from innovation.platform import personal_data
        from innovation.platform.permissions import share_people_through

        share_people_through(permissions.organisations_sharing_a_campaign)
        personal_data.texts_scrubbed.connect(
            search.refresh_after_pseudonymisation, dispatch_uid="ideas-search-vectors"
        )
