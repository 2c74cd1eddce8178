"""Password reset e-mails through the outbox: the request writes a row, a worker sends it.

The page answers at once whatever the SMTP server does. The row says who asked and when,
never the link: the worker makes the token (`default_token_generator`) when it sends, and
the address from SITE_URL, never from the request's Host header, so a forged Host cannot
put an attacker's domain in front of a valid token.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from innovation.platform import outbox
from innovation.platform.models import PasswordResetMail, User

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.html"


def request_password_reset(users: Iterable[User]) -> list[PasswordResetMail]:
    """Queue a reset e-mail for each person, unless one of theirs is still waiting to go
    (the database refuses a second one); each is sent by a worker after commit."""
    queued = []
    for user in users:
        row = PasswordResetMail(user=user)
        # A savepoint, so a refused duplicate leaves the caller's transaction usable.
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        queued.append(row)
    ids = [row.pk for row in queued]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return queued


def enqueue(mail_ids: list[int]) -> None:
    from innovation.platform.tasks import send_password_reset_mail

    outbox.enqueue(send_password_reset_mail, [{"mail_id": pk} for pk in mail_ids])


def render_email(row: PasswordResetMail) -> EmailMessage | None:
    """The e-mail, with a link made now; None (skipped) for a person who may no longer
    reset their password."""
    user = row.user
    if not user.is_active or not user.email:
        return None
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "protocol": site.scheme,
        "site_name": "Tremplin",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
    }
    subject = "".join(render_to_string(SUBJECT_TEMPLATE, context).splitlines())
    body = render_to_string(BODY_TEMPLATE, context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_password_reset_mail(mail_id: int) -> bool:
    """Claim and send one reset e-mail; True if this call sent it."""
    return outbox.send_one(PasswordResetMail, mail_id)
