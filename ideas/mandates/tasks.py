"""Celery tasks of mandates and follow-ups: thin wrappers around their services.

The names stay "ideas.<verb_noun>": beat (innovation/settings.py) and the tests refer to them.
Celery finds this module through innovation/celery.py (`autodiscover_tasks(["ideas.mandates"])`).
"""

from celery import shared_task

from ideas.mandates import followups


@shared_task(name="ideas.send_followup_reminders")
def send_followup_reminders() -> int:
    """Every few minutes (beat): send the follow-up reminders that are due, once each."""
    return followups.send_followup_reminders()
