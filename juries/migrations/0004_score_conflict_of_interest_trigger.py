"""The whole conflict-of-interest rule in the database: a trigger on every score written.

The check constraint `score_no_own_organisation` (kept) refuses a pitch of the organisation
copied on the seat. A check constraint cannot read other rows, yet the rule also depends on
the person's current organisation, on the roles they hold in other collectivités (granted at
any time, even after seating) and on their recusals. So a trigger, BEFORE INSERT OR UPDATE on
`juries_score`, refuses (SQLSTATE 23514, check_violation, which Django raises as
IntegrityError) a score whose juror's person:

- belongs to the pitch's organisation (`innovation_user.organisation_id`), or
- holds there a role other than juror (`innovation_rolegrant`: a juror grant given only so
  that someone may sit on a forum is no conflict), or
- has withdrawn from that pitch (`juries_recusal`).

It reads the pitch's organisation from the pitch itself, not from the score's copied column,
so it holds on SQLite too, where the composite keys of 0002 do not exist. It is the rule of
`juries.permissions.conflicts` and `can_score_pitch`; tests/juries/test_conflicts.py checks
that both agree, case by case. Scores given before a role was granted stay (the rule is
checked when a mark is written); the juror may withdraw them by recusing.

PostgreSQL gets a PL/pgSQL function; SQLite (`make run` without DATABASE_URL) gets
equivalent triggers, one per statement kind and cause (a SQLite trigger cannot branch, and
RAISE takes a fixed message). On SQLite, a later migration that rebuilds `juries_score` (Django
copies the table to alter it) drops these triggers with the old table: such a migration must
create them again (`create_sqlite` below).
"""

from django.db import migrations

CONFLICT = "score_no_conflict_of_interest"
RECUSED = "score_not_after_recusal"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION juries_score_no_conflict() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person bigint;
    organisation bigint;
BEGIN
    SELECT j.user_id INTO person FROM juries_juror j WHERE j.id = NEW.juror_id;
    SELECT p.organisation_id INTO organisation FROM juries_pitch p WHERE p.id = NEW.pitch_id;
    IF EXISTS (
        SELECT 1 FROM innovation_user u WHERE u.id = person AND u.organisation_id = organisation
    ) OR EXISTS (
        SELECT 1 FROM innovation_rolegrant g
        WHERE g.user_id = person AND g.organisation_id = organisation AND g.role <> 'juror'
    ) THEN
        RAISE EXCEPTION '{CONFLICT}: juror % belongs to or holds a role in organisation % '
            'of pitch %', NEW.juror_id, organisation, NEW.pitch_id
            USING ERRCODE = 'check_violation', CONSTRAINT = '{CONFLICT}',
                  TABLE = 'juries_score';
    END IF;
    IF EXISTS (
        SELECT 1 FROM juries_recusal r WHERE r.juror_id = NEW.juror_id AND r.pitch_id = NEW.pitch_id
    ) THEN
        RAISE EXCEPTION '{RECUSED}: juror % withdrew from pitch %', NEW.juror_id, NEW.pitch_id
            USING ERRCODE = 'check_violation', CONSTRAINT = '{RECUSED}', TABLE = 'juries_score';
    END IF;
    RETURN NEW;
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER juries_score_no_conflict BEFORE INSERT OR UPDATE ON juries_score
FOR EACH ROW EXECUTE FUNCTION juries_score_no_conflict()
"""
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS juries_score_no_conflict ON juries_score",
    "DROP FUNCTION IF EXISTS juries_score_no_conflict()",
]

# The same conditions as above, for SQLite's WHEN clauses.
SQLITE_CONDITIONS = {
    CONFLICT: """
        EXISTS (
            SELECT 1 FROM juries_juror j
            JOIN juries_pitch p ON p.id = NEW.pitch_id
            JOIN innovation_user u ON u.id = j.user_id
            WHERE j.id = NEW.juror_id AND (
                u.organisation_id = p.organisation_id
                OR EXISTS (
                    SELECT 1 FROM innovation_rolegrant g
                    WHERE g.user_id = j.user_id AND g.organisation_id = p.organisation_id
                        AND g.role <> 'juror'
                )
            )
        )""",
    RECUSED: """
        EXISTS (
            SELECT 1 FROM juries_recusal r
            WHERE r.juror_id = NEW.juror_id AND r.pitch_id = NEW.pitch_id
        )""",
}
SQLITE_MESSAGES = {
    CONFLICT: f"{CONFLICT}: the juror belongs to or holds a role in the organisation of the pitch",
    RECUSED: f"{RECUSED}: the juror withdrew from this pitch",
}


def sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every SQLite trigger."""
    triggers = []
    for cause, condition in SQLITE_CONDITIONS.items():
        for event in ("INSERT", "UPDATE"):
            name = f"juries_{cause}_{event.lower()}"
            triggers.append(
                (
                    name,
                    f"CREATE TRIGGER {name} BEFORE {event} ON juries_score "
                    f"WHEN {condition} "
                    f"BEGIN SELECT RAISE(ABORT, '{SQLITE_MESSAGES[cause]}'); END",
                )
            )
    return triggers


def create_sqlite(schema_editor) -> None:
    for name, statement in sqlite_triggers():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No parameters: the function's body holds RAISE's own % placeholders.
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
        schema_editor.execute(POSTGRESQL_TRIGGER, params=None)
    elif vendor == "sqlite":
        create_sqlite(schema_editor)
    else:  # no other database is supported: say so rather than leave the rule unguarded
        raise NotImplementedError(f"No conflict-of-interest trigger for {vendor}")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for name, _statement in sqlite_triggers():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("juries", "0003_recusal"),
        ("innovation", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
