from celery import shared_task

from rituals import recurrence, services


@shared_task(name="rituals.extend_horizons")
def extend_horizons() -> int:
    return recurrence.extend_all_horizons()


@shared_task(name="rituals.send_reminders")
def send_reminders() -> int:
    return services.send_reminders()
