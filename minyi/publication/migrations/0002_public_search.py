"""The public search's own full-text index over `Publication.terms` — the tokens of the masked copy,
so a search on the public site can never reveal what the clerk masked (the inside index,
`textsearch`, holds the original texts). As `textsearch` 0001/0002: SQLite, an FTS5 table over the
column kept by triggers; PostgreSQL, a stored tsvector (a generated column, not a model field) with a
GIN index. Filled for existing publications by `manage.py rebuild_search_index`."""

from django.db import migrations, models

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE publication_fts USING fts5(
        terms, content='publication_publication', content_rowid='id', tokenize='unicode61'
    )""",
    """CREATE TRIGGER publication_fts_ai AFTER INSERT ON publication_publication BEGIN
        INSERT INTO publication_fts(rowid, terms) VALUES (new.id, new.terms);
    END""",
    """CREATE TRIGGER publication_fts_ad AFTER DELETE ON publication_publication BEGIN
        INSERT INTO publication_fts(publication_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
    END""",
    """CREATE TRIGGER publication_fts_au AFTER UPDATE OF terms ON publication_publication BEGIN
        INSERT INTO publication_fts(publication_fts, rowid, terms) VALUES ('delete', old.id, old.terms);
        INSERT INTO publication_fts(rowid, terms) VALUES (new.id, new.terms);
    END""",
    # rows written before this migration (their terms are empty until the rebuild)
    "INSERT INTO publication_fts(publication_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS publication_fts_au",
    "DROP TRIGGER IF EXISTS publication_fts_ad",
    "DROP TRIGGER IF EXISTS publication_fts_ai",
    "DROP TABLE IF EXISTS publication_fts",
]
POSTGRES_CREATE = [
    "ALTER TABLE publication_publication ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED",
    "CREATE INDEX publication_tsv_gin ON publication_publication USING GIN (tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS publication_tsv_gin",
    "ALTER TABLE publication_publication DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("publication", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="terms",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
