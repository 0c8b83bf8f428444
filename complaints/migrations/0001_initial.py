"""Complaints leave incidents for an app of their own. The tables stay where they are (their
new names come in 0003): this migration only tells Django's state that the models are
complaints', and moves their content types along, so that what points at a complaint through
one (its deadlines, a violation's evidence, permissions) keeps pointing at it."""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models

import complaints.workflow

MODELS = ["complaint", "complaintcooperation", "masscomplaintrule", "masscomplaintcluster",
          "personaldataread"]  # fmt: skip


def content_types_to(app_label: str, from_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=from_label, model__in=MODELS).update(
            app_label=app_label
        )

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("incidents", "0002_shipped_rules"),
        ("organisation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            content_types_to("complaints", "incidents"), content_types_to("incidents", "complaints")
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MassComplaintRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('business_line', models.CharField(blank=True, choices=[('network', 'Network quality'), ('business_support', 'Business-support quality'), ('value_added', 'Value-added service'), ('enterprise_product', 'Enterprise product'), ('terminal', 'Terminal / device'), ('billing', 'Billing dispute'), ('service', 'Service quality'), ('information_security', 'Information security')], help_text='Empty: every business line.', max_length=30, verbose_name='business line')),
                        ('threshold', models.PositiveIntegerField(default=20, verbose_name='complaints')),
                        ('window_minutes', models.PositiveIntegerField(default=60, verbose_name='within minutes')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'db_table': 'incidents_masscomplaintrule',
                        'verbose_name': 'mass-complaint rule',
                        'verbose_name_plural': 'mass-complaint rules',
                    },
                ),
                migrations.CreateModel(
                    name='Complaint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(editable=False, max_length=20, unique=True, verbose_name='number')),
                        ('external_id', models.CharField(blank=True, max_length=100, verbose_name='external id')),
                        ('channel', models.CharField(choices=[('hotline', 'Hotline'), ('web', 'Web'), ('email', 'Email'), ('api', 'External system'), ('walk_in', 'Walk-in'), ('employee_referral', 'Employee referral')], max_length=20, verbose_name='channel')),
                        ('customer_name', models.CharField(max_length=100, verbose_name='customer name')),
                        ('customer_phone', models.CharField(max_length=30, verbose_name='contact phone')),
                        ('customer_account', models.CharField(max_length=50, verbose_name='account')),
                        ('address', models.CharField(max_length=300, verbose_name='address')),
                        ('business_line', models.CharField(choices=[('network', 'Network quality'), ('business_support', 'Business-support quality'), ('value_added', 'Value-added service'), ('enterprise_product', 'Enterprise product'), ('terminal', 'Terminal / device'), ('billing', 'Billing dispute'), ('service', 'Service quality'), ('information_security', 'Information security')], max_length=30, verbose_name='business line')),
                        ('summary', models.CharField(max_length=200, verbose_name='summary')),
                        ('description', models.TextField(verbose_name='details')),
                        ('is_vip', models.BooleanField(default=False, verbose_name='VIP / key customer')),
                        ('escalation', models.CharField(choices=[('none', 'Not escalated'), ('hotline', 'Hotline (attitude)'), ('branch', 'Branch office'), ('city_authority', 'City authority (12315, city telecom administration)'), ('in_person', 'Disrupted the office in person'), ('province', 'Escalated to the province'), ('provincial_authority', 'Provincial authority'), ('ministry', 'Ministry (MIIT) or group HQ'), ('city_media', 'City media'), ('provincial_media', 'Provincial media')], default='none', max_length=30, verbose_name='escalation')),
                        ('severity', models.CharField(choices=[('general', 'General'), ('batch', 'Batch'), ('serious', 'Serious')], default='general', max_length=10, verbose_name='severity')),
                        ('state', django_fsm.FSMField(choices=[('received', 'Received'), ('dispatched', 'Dispatched'), ('returned', 'Returned to CS'), ('assigned', 'Handed to a handler'), ('in_progress', 'Customer contacted'), ('replied', 'Replied'), ('archived', 'Archived')], default='received', max_length=20, protected=True, verbose_name='state')),
                        ('satisfaction', models.CharField(blank=True, choices=[('satisfied', 'Satisfied'), ('unsatisfied', 'Unsatisfied')], max_length=12, verbose_name='satisfaction')),
                        ('repeat_count', models.PositiveSmallIntegerField(default=0, verbose_name='times reopened')),
                        ('round', models.PositiveSmallIntegerField(default=0, help_text='Counts dispatches and repeats; each runs its limits anew.', verbose_name='round')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='received')),
                        ('archived_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='archived')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('api_key', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.apikey', verbose_name='posted with API key')),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.city', verbose_name='city')),
                        ('department', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='organisation.department', verbose_name='handling department')),
                        ('first_ask_department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.department', verbose_name='first-ask department')),
                        ('first_ask_owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='first-ask owner')),
                        ('handler', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='first-responsible handler')),
                        ('incident', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='incidents.incident', verbose_name='incident')),
                        ('referred_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='referred by (employee)')),
                    ],
                    options={
                        'db_table': 'incidents_complaint',
                        'verbose_name': 'complaint',
                        'verbose_name_plural': 'complaints',
                        'ordering': ['-created_at', '-id'],
                    },
                    bases=(complaints.workflow.ComplaintWorkflow, django_fsm.ConcurrentTransitionMixin, models.Model),
                ),
                migrations.CreateModel(
                    name='ComplaintCooperation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('assignment', models.TextField(verbose_name='written assignment')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cooperations', to='complaints.complaint')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='organisation.department', verbose_name='department')),
                    ],
                    options={
                        'db_table': 'incidents_complaintcooperation',
                        'verbose_name': 'complaint cooperation',
                        'verbose_name_plural': 'complaint cooperations',
                    },
                ),
                migrations.CreateModel(
                    name='MassComplaintCluster',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('business_line', models.CharField(choices=[('network', 'Network quality'), ('business_support', 'Business-support quality'), ('value_added', 'Value-added service'), ('enterprise_product', 'Enterprise product'), ('terminal', 'Terminal / device'), ('billing', 'Billing dispute'), ('service', 'Service quality'), ('information_security', 'Information security')], max_length=30)),
                        ('detected_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('dismissed_at', models.DateTimeField(blank=True, null=True)),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.city')),
                        ('complaints', models.ManyToManyField(related_name='clusters', to='complaints.complaint')),
                        ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='incidents.incident')),
                    ],
                    options={
                        'db_table': 'incidents_masscomplaintcluster',
                        'verbose_name': 'possible mass complaint',
                        'verbose_name_plural': 'possible mass complaints',
                        'ordering': ['-detected_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PersonalDataRead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('where', models.CharField(max_length=50)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='complaints.complaint')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'incidents_personaldataread',
                        'verbose_name': 'personal-data read',
                        'verbose_name_plural': 'personal-data reads',
                        'ordering': ['-at'],
                    },
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['customer_phone', 'created_at'], name='complaint_by_phone'),
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['department', 'state'], name='complaint_inbox'),
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['business_line', 'city', 'created_at'], name='complaint_mass'),
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['incident', 'created_at'], name='complaint_incident'),
                ),
                migrations.AddIndex(
                    model_name='complaint',
                    index=models.Index(fields=['api_key'], name='complaint_api_key'),
                ),
                migrations.AddConstraint(
                    model_name='complaint',
                    constraint=models.UniqueConstraint(condition=models.Q(('external_id', ''), _negated=True), fields=('api_key', 'external_id'), name='external_id_once_per_key'),
                ),
                migrations.AddConstraint(
                    model_name='complaintcooperation',
                    constraint=models.UniqueConstraint(fields=('complaint', 'department'), name='convene_once'),
                ),
            ],
            database_operations=[],
        ),
    ]
