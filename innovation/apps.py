from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "innovation"
    verbose_name = _("Plateforme")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created

        from innovation import (
            auth,  # noqa: F401 (login, logout and failed-login audit receivers)
            caching,
        )

        # Every write through Django invalidates the cached fragments of its scope.
        connection_created.connect(caching.install_write_watch, dispatch_uid="tremplin-write-watch")
        # A page's fragments share the generations read by the first of them.
        request_started.connect(caching.start_request, dispatch_uid="tremplin-cache-start")
        request_finished.connect(caching.end_request, dispatch_uid="tremplin-cache-end")
