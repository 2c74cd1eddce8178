from celery import shared_task

from innovation import notifications


@shared_task(name="innovation.send_notification_email")
def send_notification_email(*, notification_id: int) -> bool:
    return notifications.send_notification_email(notification_id)


@shared_task(name="innovation.send_notification_emails")
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Several e-mails in one task (notifications.notify_many); each is claimed on its own."""
    return sum(
        1 for notification_id in notification_ids
        if notifications.send_notification_email(notification_id)
    )  # fmt: skip


@shared_task(name="innovation.send_pending_emails")
def send_pending_emails() -> int:
    return notifications.send_pending_emails()


@shared_task(name="innovation.purge_read_notifications")
def purge_read_notifications() -> int:
    return notifications.purge_read_notifications()
