from celery import shared_task

from ideas import followups


@shared_task(name="ideas.send_followup_reminders")
def send_followup_reminders() -> int:
    """Every few minutes (beat): send the follow-up reminders that are due, once each."""
    return followups.send_followup_reminders()
