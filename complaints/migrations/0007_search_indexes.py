"""Search: the complaints' names, summaries and details by any substring of two characters or
more (a GIN index on their bigrams, PostgreSQL only), and by account."""

from django.db import migrations, models

from core.search import index_create, index_drop

TEXT = ("customer_name", "summary", "description")


def create(apps, schema_editor):
    index_create(schema_editor, "complaint_search_text", "complaints_complaint", TEXT)


def drop(apps, schema_editor):
    index_drop(schema_editor, "complaint_search_text")


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_alter_masscomplaintcluster_business_line_and_more"),
        ("core", "0006_search_bigrams"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["customer_account"], name="complaint_by_account"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
