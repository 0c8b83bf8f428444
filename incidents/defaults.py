"""Default ownership of business lines and involvement departments, by department kind.

Departments are the operator's own data, so these defaults are applied to whatever
departments exist (`seed_demo`, or `manage.py incident_defaults` on a real organisation) and
stay editable in the admin.
"""

import json
from pathlib import Path

from organisation.models import Department, DepartmentKind

from .choices import BusinessLine, Involvement
from .models import BusinessLineOwner, InvolvementDepartment

# Seed 000 第七条(一): the business management departments lead the events of their lines.
OWNER_KIND = {
    BusinessLine.NETWORK: DepartmentKind.NETWORK,
    BusinessLine.BUSINESS_SUPPORT: DepartmentKind.DATA,
    BusinessLine.VALUE_ADDED: DepartmentKind.MARKETING,
    BusinessLine.ENTERPRISE_PRODUCT: DepartmentKind.ENTERPRISE_CUSTOMERS,
    BusinessLine.TERMINAL: DepartmentKind.MARKETING,
    BusinessLine.BILLING: DepartmentKind.MARKETING,
    BusinessLine.SERVICE: DepartmentKind.CUSTOMER_SERVICE,
    BusinessLine.INFORMATION_SECURITY: DepartmentKind.NETWORK,
}
# Seed 000 第十条: media → general office, legal matters → legal & security.
INVOLVEMENT_KIND = {
    Involvement.MEDIA: DepartmentKind.GENERAL_OFFICE,
    Involvement.LEGAL: DepartmentKind.LEGAL_SECURITY,
}


WARNING_MATRIX = Path(__file__).resolve().parent / "fixtures" / "warning_matrix.json"


def load_warning_matrix(rule_set_model, rule_model):
    """Create the shipped warning-level matrix (seed 000 表-1) as version 1 unless a version
    exists. Takes the model classes so that the data migration can pass its historical ones."""
    existing = rule_set_model.objects.order_by("-version").first()
    if existing is not None:
        return existing
    data = json.loads(WARNING_MATRIX.read_text(encoding="utf-8"))
    rule_set = rule_set_model.objects.create(version=data["version"], note=data["note"])
    rule_model.objects.bulk_create(rule_model(rule_set=rule_set, **rule) for rule in data["rules"])
    return rule_set


def _first_of_kind(kind: str) -> Department | None:
    return Department.objects.filter(kind=kind, is_active=True).order_by("code").first()


def apply_defaults() -> list[str]:
    """Fill in what is not configured yet; never overwrite an admin's choice."""
    applied = []
    for line, kind in OWNER_KIND.items():
        department = _first_of_kind(kind)
        if department is None:
            continue
        _, created = BusinessLineOwner.objects.get_or_create(
            business_line=line, defaults={"department": department}
        )
        if created:
            applied.append(f"{line} → {department.code}")
    for involvement, kind in INVOLVEMENT_KIND.items():
        department = _first_of_kind(kind)
        if (
            department is None
            or InvolvementDepartment.objects.filter(involvement=involvement).exists()
        ):
            continue
        InvolvementDepartment.objects.create(involvement=involvement, department=department)
        applied.append(f"{involvement} → {department.code}")
    return applied
