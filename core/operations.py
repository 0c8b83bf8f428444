"""Migration operations that keep a large table writable while they run."""

from django.contrib.postgres.operations import AddIndexConcurrently as _Concurrently
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(_Concurrently):
    """An index built on PostgreSQL without blocking writes (``CREATE INDEX CONCURRENTLY``:
    on ten million complaints, intake goes on while it is built); on other databases (the
    embedded SQLite) an ordinary index. Its migration must not be atomic."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
