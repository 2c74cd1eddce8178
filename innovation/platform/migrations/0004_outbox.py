# Notifications become outbox items (innovation.platform.outbox), and password reset e-mails get a
# table of their own. Written by hand: the e-mail fields are renamed, not dropped, so that
# every existing row keeps its delivery state, attempts and sending time.

import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce, Now

DELIVERY_STATES = [
    ("pending", "à envoyer"),
    ("sending", "en cours d'envoi"),
    ("sent", "envoyé"),
    ("skipped", "sans e-mail"),
    ("failed", "échec"),
]
# The sweep used to retry a row left "sending" this long after it was claimed.
OLD_STALE_DELAY = datetime.timedelta(minutes=10)


def claimed_at_to_lease(apps, schema_editor):
    """email_claimed_at was when a row was claimed; its lease ends when the old sweep would
    have taken it back. Rows not in flight need no lease."""
    Notification = apps.get_model("innovation", "Notification")
    Notification.objects.filter(delivery_state="sending").update(
        delivery_lease_until=Coalesce(F("delivery_lease_until"), Now()) + OLD_STALE_DELAY
    )
    Notification.objects.exclude(delivery_state="sending").update(delivery_lease_until=None)


def lease_to_claimed_at(apps, schema_editor):
    Notification = apps.get_model("innovation", "Notification")
    Notification.objects.filter(delivery_state="sending").update(
        delivery_lease_until=F("delivery_lease_until") - OLD_STALE_DELAY
    )


class Migration(migrations.Migration):
    dependencies = [
        ("innovation", "0003_indexes_that_serve_the_lookups"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_email_todo_idx"),
        migrations.RenameField("notification", "email_state", "delivery_state"),
        migrations.RenameField("notification", "email_attempts", "delivery_attempts"),
        migrations.RenameField("notification", "email_sent_at", "delivery_sent_at"),
        migrations.RenameField("notification", "email_claimed_at", "delivery_lease_until"),
        migrations.AlterField(
            model_name="notification",
            name="delivery_state",
            field=models.CharField(
                choices=DELIVERY_STATES, default="pending", max_length=10, verbose_name="envoi"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="delivery_attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="delivery_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="envoyé le"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="delivery_lease_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="réservé jusqu'à"),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery_claim",
            field=models.UUIDField(
                blank=True, editable=False, null=True, verbose_name="réservation"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivery_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="nouvel essai après"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="créé le"),
        ),
        migrations.RunPython(claimed_at_to_lease, lease_to_claimed_at, elidable=True),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("delivery_state__in", ["pending", "sending"])),
                fields=["id"],
                name="notification_outbox_todo",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("delivery_claim__isnull", False)),
                fields=["delivery_claim"],
                name="notification_outbox_claim",
            ),
        ),
        migrations.CreateModel(
            name="PasswordResetMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="créé le"),
                ),
                (
                    "delivery_state",
                    models.CharField(
                        choices=DELIVERY_STATES,
                        default="pending",
                        max_length=10,
                        verbose_name="envoi",
                    ),
                ),
                (
                    "delivery_attempts",
                    models.PositiveSmallIntegerField(default=0, verbose_name="tentatives"),
                ),
                (
                    "delivery_due_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="nouvel essai après"),
                ),
                (
                    "delivery_claim",
                    models.UUIDField(
                        blank=True, editable=False, null=True, verbose_name="réservation"
                    ),
                ),
                (
                    "delivery_lease_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="réservé jusqu'à"),
                ),
                (
                    "delivery_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="envoyé le"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="personne",
                    ),
                ),
            ],
            options={
                "verbose_name": "courriel de mot de passe",
                "verbose_name_plural": "courriels de mot de passe",
                "ordering": ["-created_at", "-id"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        condition=models.Q(("delivery_state__in", ["pending", "sending"])),
                        fields=["id"],
                        name="passwordresetmail_outbox_todo",
                    ),
                    models.Index(
                        condition=models.Q(("delivery_claim__isnull", False)),
                        fields=["delivery_claim"],
                        name="passwordresetmail_outbox_claim",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("delivery_state__in", ["pending", "sending"])),
                        fields=("user",),
                        name="passwordresetmail_one_waiting",
                    ),
                ],
            },
        ),
    ]
