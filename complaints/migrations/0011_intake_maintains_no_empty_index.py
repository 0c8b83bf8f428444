"""Intake maintains no index of a column that is empty when a complaint is taken: each is
indexed where it is set (every read by it names a value), the redundant index of the first-ask
department goes (complaint_taken_newest leads with it). The new indexes are built first and
without blocking writes, then the old ones dropped: intake never goes without them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # an index built concurrently is built outside a transaction

    dependencies = [
        ("complaints", "0010_department_lists_newest"),
        ("incidents", "0010_department_list_newest"),
        ("maintenance", "0002_overrun_counted"),
        ("organisation", "0004_apikey_planned_work_scope"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["department", "state"],
                name="complaint_dispatched",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("incident__isnull", False)),
                fields=["incident", "created_at"],
                name="complaint_linked",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("planned_work__isnull", False)),
                fields=["planned_work"],
                name="complaint_planned_work",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("handler__isnull", False)),
                fields=["handler"],
                name="complaint_handler",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("referred_by__isnull", False)),
                fields=["referred_by"],
                name="complaint_referred_by",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", False)),
                fields=["archived_at"],
                name="complaint_archived",
            ),
        ),
        AddIndexConcurrently(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("department__isnull", False)),
                fields=["department", "created_at", "id"],
                name="complaint_dispatched_newest",
            ),
        ),
        migrations.RemoveIndex(
            model_name="complaint",
            name="complaint_inbox",
        ),
        migrations.RemoveIndex(
            model_name="complaint",
            name="complaint_incident",
        ),
        migrations.RemoveIndex(
            model_name="complaint",
            name="complaint_department_newest",
        ),
        migrations.AlterField(
            model_name="complaint",
            name="archived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="archived"),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="first_ask_department",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.department",
                verbose_name="first-ask department",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="handler",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="first-responsible handler",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="planned_work",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="Announced work in the complaint's city and business line, open when taken.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="complaints",
                to="maintenance.plannedwork",
                verbose_name="planned work",
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="referred_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="referred by (employee)",
            ),
        ),
    ]
