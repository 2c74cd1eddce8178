"""Recusals (« se déporter »), kept inside their forum by composite foreign keys.

`Recusal.forum` repeats what the juror and the pitch say; as for scores (0002), composite
foreign keys to (id, forum_id) of the juror and of the pitch make the copy impossible to
falsify, so a recusal never names a juror of one forum and a pitch of another. PostgreSQL only,
like 0002 (the development fallback on SQLite keeps the service-level checks).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

KEYS = [
    # name, columns, target table, target columns
    ("recusal_juror_forum_fk", "juror_id, forum_id", "juries_juror", "id, forum_id"),
    ("recusal_pitch_forum_fk", "pitch_id, forum_id", "juries_pitch", "id, forum_id"),
]


def add_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns, table, targets in KEYS:
        schema_editor.execute(
            f"ALTER TABLE juries_recusal ADD CONSTRAINT {name} FOREIGN KEY ({columns}) "
            f"REFERENCES {table} ({targets})"
        )


def drop_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in KEYS:
        schema_editor.execute(f"ALTER TABLE juries_recusal DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("juries", "0002_score_composite_keys")]

    operations = [
        migrations.CreateModel(
            name="Recusal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(blank=True, max_length=1000, verbose_name="motif")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "forum",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="juries.forum",
                    ),
                ),
                (
                    "juror",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="recusals",
                        to="juries.juror",
                    ),
                ),
                (
                    "pitch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recusals",
                        to="juries.pitch",
                    ),
                ),
            ],
            options={
                "verbose_name": "déport",
                "verbose_name_plural": "déports",
                "ordering": ["created_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("juror", "pitch"), name="recusal_unique")
                ],
            },
        ),
        migrations.RunPython(add_keys, drop_keys),
    ]
