"""French, accent-insensitive full-text search on PostgreSQL (a no-op on SQLite).

The built-in `french` configuration does not match "ecole" with "écoles": `tremplin_fr` is a
copy of it whose word mappings go through `unaccent` before `french_stem`.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'tremplin_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION tremplin_fr ( COPY = french );
            ALTER TEXT SEARCH CONFIGURATION tremplin_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$;
    """,
    "CREATE INDEX IF NOT EXISTS idea_search_vector_gin ON ideas_idea USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS idea_search_vector_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS tremplin_fr",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
