from celery import shared_task

from innovation.platform import notifications, outbox, password_reset


@shared_task(name="innovation.send_notification_email")
def send_notification_email(*, notification_id: int) -> bool:
    return notifications.send_notification_email(notification_id)


@shared_task(name="innovation.send_notification_emails")
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Several e-mails in one task (notifications.notify_many); each is claimed on its own."""
    return notifications.send_notification_emails(notification_ids)


@shared_task(name="innovation.send_password_reset_mail")
def send_password_reset_mail(*, mail_id: int) -> bool:
    return password_reset.send_password_reset_mail(mail_id)


@shared_task(name="innovation.send_pending_emails")
def send_pending_emails() -> int:
    """The sweep of every outbox kind (beat, every minute)."""
    return outbox.send_due()


@shared_task(name="innovation.purge_read_notifications")
def purge_read_notifications() -> int:
    return notifications.purge_read_notifications()
