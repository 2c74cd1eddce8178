"""Composite foreign keys that tie a score's copied columns to the rows they copy.

`Score.forum`, `Score.juror_organisation` and `Score.pitch_organisation` repeat what the juror,
the pitch and the criterion say. These keys make the copies impossible to falsify, so the check
constraint `score_no_own_organisation` is a real database guarantee that a juror never scores a
pitch from their own organisation, and a score never mixes two forums. PostgreSQL only (the
development fallback on SQLite keeps the service-level checks).
"""

from django.db import migrations

KEYS = [
    # name, columns, target table, target columns, on update
    ("score_juror_forum_fk", "juror_id, forum_id", "juries_juror", "id, forum_id", ""),
    ("score_pitch_forum_fk", "pitch_id, forum_id", "juries_pitch", "id, forum_id", ""),
    ("score_criterion_forum_fk", "criterion_id, forum_id", "juries_criterion", "id, forum_id", ""),
    (
        "score_juror_organisation_fk",
        "juror_id, juror_organisation_id",
        "juries_juror",
        "id, organisation_id",
        "ON UPDATE CASCADE",
    ),
    (
        "score_pitch_organisation_fk",
        "pitch_id, pitch_organisation_id",
        "juries_pitch",
        "id, organisation_id",
        "ON UPDATE CASCADE",
    ),
]


def add_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns, table, targets, on_update in KEYS:
        schema_editor.execute(
            f"ALTER TABLE juries_score ADD CONSTRAINT {name} FOREIGN KEY ({columns}) "
            f"REFERENCES {table} ({targets}) {on_update}"
        )


def drop_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in KEYS:
        schema_editor.execute(f"ALTER TABLE juries_score DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("juries", "0001_initial")]

    operations = [migrations.RunPython(add_keys, drop_keys)]
