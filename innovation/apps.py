from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Plateforme")

    def ready(self) -> None:
        # Login, logout and failed-login receivers that feed the audit trail.
        from django.db.backends.signals import connection_created

        from innovation import auth  # noqa: F401
        from innovation.caching import install_write_watch

        # Every write through Django invalidates the cached fragments of its scope.
        connection_created.connect(install_write_watch, dispatch_uid="tremplin-write-watch")
