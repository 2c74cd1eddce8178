import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innovation.settings")

app = Celery("innovation")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each installed app's tasks module, and that of the mandates sub-package of `ideas`.
app.autodiscover_tasks()
app.autodiscover_tasks(["ideas.mandates"])
