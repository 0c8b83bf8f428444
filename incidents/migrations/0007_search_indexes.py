"""Search: the incidents' titles and descriptions by any substring of two characters or more
(a GIN index on their bigrams, PostgreSQL only)."""

from django.db import migrations

from core.search import index_create, index_drop


def create(apps, schema_editor):
    index_create(
        schema_editor, "incident_search_text", "incidents_incident", ("title", "description")
    )


def drop(apps, schema_editor):
    index_drop(schema_editor, "incident_search_text")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_list_order_indexes"),
        ("core", "0006_search_bigrams"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
