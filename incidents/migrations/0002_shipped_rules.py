"""The shipped rules of incidents and complaints (data, editable in the admin): the warning
matrix (seed 000 表-1), the default mass-complaint rule, root-cause categories and the
recurrence window."""

import json
from pathlib import Path

from django.db import migrations

WARNING_MATRIX = Path(__file__).resolve().parent.parent / "fixtures" / "warning_matrix.json"

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
    RuleSet = apps.get_model("incidents", "ClassificationRuleSet")
    Rule = apps.get_model("incidents", "ClassificationRule")
    if not RuleSet.objects.exists():
        matrix = json.loads(WARNING_MATRIX.read_text(encoding="utf-8"))
        rule_set = RuleSet.objects.create(version=matrix["version"], note=matrix["note"])
        Rule.objects.bulk_create(Rule(rule_set=rule_set, **rule) for rule in matrix["rules"])
    MassRule = apps.get_model("incidents", "MassComplaintRule")
    if not MassRule.objects.exists():
        MassRule.objects.create(business_line="", threshold=20, window_minutes=60)
    Category = apps.get_model("incidents", "RootCauseCategory")
    for code, zh, en in ROOT_CAUSE_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
    RecurrenceRule = apps.get_model("incidents", "RecurrenceRule")
    if not RecurrenceRule.objects.exists():
        RecurrenceRule.objects.create(days=90)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
