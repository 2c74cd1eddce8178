# Celery's autodiscovery looks for `<app>.tasks` only: the mandate and follow-up tasks live in
# ideas/mandates/tasks.py and are registered by importing that module here.
from ideas.mandates.tasks import send_followup_reminders  # noqa: F401
