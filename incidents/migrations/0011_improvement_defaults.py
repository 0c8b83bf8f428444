"""Default root-cause categories, the recurrence window and the action-item time limit."""

from django.db import migrations

# (code, Chinese, English): what kind of cause, for recurrence and the improvement reports.
ROOT_CAUSE_CATEGORIES = [
    ("network-equipment", "网络设备故障", "Network equipment failure"),
    ("transmission", "传输线路中断", "Transmission line cut"),
    ("software-defect", "系统软件缺陷", "System software defect"),
    ("change-operation", "配置或割接操作失误", "Configuration or cut-over error"),
    ("capacity", "容量不足", "Insufficient capacity"),
    ("billing-data", "计费数据错误", "Billing data error"),
    ("partner", "合作方原因", "Partner's cause"),
    ("process-service", "流程或服务失当", "Process or service failure"),
    ("information-security", "信息安全事件", "Information security event"),
    ("other", "其他", "Other"),
]


def load(apps, schema_editor):
    from incidents.defaults import load_deadline_policies

    Category = apps.get_model("incidents", "RootCauseCategory")
    for code, zh, en in ROOT_CAUSE_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
    Rule = apps.get_model("incidents", "RecurrenceRule")
    if not Rule.objects.exists():
        Rule.objects.create(days=90)
    load_deadline_policies(apps.get_model("incidents", "DeadlinePolicy"))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_improvement")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
