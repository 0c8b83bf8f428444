"""The organisation of the provincial company (seed 000 第三章): cities, departments, people.

Roles are Django groups named by :class:`Role` values, so that admins grant them in the user
admin; code asks :func:`organisation.selectors.user_has_role`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


def bilingual(name_zh: str, name_en: str) -> str:
    """The name of the active language (Chinese unless English is active)."""
    language = get_language() or settings.LANGUAGE_CODE
    return name_zh if language.startswith("zh") else name_en


class BilingualName(models.Model):
    """A record named in Chinese and English; ``name`` follows the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return bilingual(self.name_zh, self.name_en)


class CodedManager(models.Manager):
    def get_by_natural_key(self, code: str):
        return self.get(code=code)


class City(BilingualName):
    """A prefecture-level city 地市; the warning matrix counts affected cities."""

    code = models.CharField(_("code"), max_length=10, unique=True)

    objects = CodedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class DepartmentKind(models.TextChoices):
    EXECUTIVE_OFFICE = "executive_office", _("Executive office")
    GENERAL_OFFICE = "general_office", _("General office")
    MARKETING = "marketing", _("Marketing")
    DATA = "data", _("Data")
    ENTERPRISE_CUSTOMERS = "enterprise_customers", _("Enterprise customers")
    NETWORK = "network", _("Network")
    LEGAL_SECURITY = "legal_security", _("Legal & security")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    CS_CENTRE = "cs_centre", _("Customer-service centre")
    DIRECT_UNIT = "direct_unit", _("Direct unit")
    BRANCH = "branch", _("Branch")


#: The customer-service departments 客服部门: the CS department and the CS centre.
CUSTOMER_SERVICE_KINDS = (DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.CS_CENTRE)


class Department(BilingualName):
    """A department 部门 of the provincial company, or a city branch 分公司."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("For branches: the city the branch serves."),
    )
    manages_business = models.BooleanField(
        _("business management department"),
        default=False,
        help_text=_("Leads the handling of events in its business line and receives every alert."),
    )
    sees_all_records = models.BooleanField(
        _("sees all records"),
        default=False,
        help_text=_("Its people see the records of every department, as managers do."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="branch") | models.Q(city__isnull=False),
                name="branch_has_city",
            ),
        ]

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Role(models.TextChoices):
    """What a person may do; stored as a Django group of the same name."""

    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    INTERFACE_PERSON = "interface_person", _("Department interface person")
    DEPARTMENT_LEADER = "department_leader", _("Department leader")
    WORKING_GROUP = "working_group", _("Working group")
    LEADERSHIP_GROUP = "leadership_group", _("Leadership group")
    ASSESSMENT_COMMITTEE = "assessment_committee", _("Assessment committee")
    ADMIN = "admin", _("Administrator")
    EXTERNAL_SYSTEM = "external_system", _("External system")


# Roles whose holders see the records of every department.
OVERSIGHT_ROLES = frozenset(
    {Role.WORKING_GROUP, Role.LEADERSHIP_GROUP, Role.ASSESSMENT_COMMITTEE, Role.ADMIN}
)


class Profile(models.Model):
    """What the platform knows of a person beyond the login: department, phone, superior."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("superior"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinate_profiles",
    )
    heads = models.CharField(
        _("heads"),
        max_length=30,
        blank=True,
        choices=[
            (Role.LEADERSHIP_GROUP.value, Role.LEADERSHIP_GROUP.label),
            (Role.WORKING_GROUP.value, Role.WORKING_GROUP.label),
        ],
        help_text=_("The group this person leads."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the messages this person receives."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.full_name or self.user.get_username()


class ApiKeyScope(models.TextChoices):
    """What an external system's key may do (REST contract). A key holds one or more; a
    request outside them is refused (403, naming the scope) before anything is written."""

    INTAKE = "intake", _("Intake: submit, and read back only what this key submitted")
    DEPARTMENT = (
        "department",
        _("Department: read and act on its department's records as its interface person would"),
    )
    PROVINCE = "province", _("Province: read every department's records and the metrics")
    PLANNED_WORK = (
        "planned_work",
        _("Planned work: submit planned work, and read back its own and its department's"),
    )

    @classmethod
    def default_for(cls, department: "Department | None") -> list[str]:
        """A key made without explicit scopes: its department's, else intake only."""
        return [cls.DEPARTMENT.value] if department is not None else [cls.INTAKE.value]


def validate_scopes(value) -> None:
    if not isinstance(value, list) or not all(isinstance(scope, str) for scope in value):
        raise ValidationError(_("A list of scopes."), code="invalid")
    unknown = sorted(set(value) - set(ApiKeyScope.values))
    if unknown:
        raise ValidationError(
            _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}, code="invalid"
        )


class ApiKeyManager(APIKeyManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("user__profile__department", "department")


class ApiKey(AbstractAPIKey):
    """An external system's key: `Authorization: Api-Key <key>`. Only a hash is stored.

    Each key acts as its own system user (role *external system*), so that every record it
    creates names an actor.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_keys",
    )
    scopes = models.JSONField(
        _("scopes"),
        default=list,
        validators=[validate_scopes],
        help_text=_(
            "intake: submit complaints and incidents, read back only what this key "
            "submitted; department: read and act on its department's records, as its "
            "interface person would (needs a department); province: read every "
            "department's records and the metrics, write nothing; planned_work: submit planned "
            "work (a network-management system), read back its own and its department's."
        ),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiKeyManager()  # type: ignore[misc]

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")  # type: ignore[assignment]
        verbose_name_plural = _("API keys")  # type: ignore[assignment]

    def clean(self) -> None:
        super().clean()
        if ApiKeyScope.DEPARTMENT in (self.scopes or []) and self.department_id is None:
            raise ValidationError(
                {
                    "scopes": ValidationError(
                        _("The department scope needs the key's department."),
                        code="department_missing",
                    )
                }
            )

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes or ())

    def has_scope(self, *scopes: str) -> bool:
        """Whether the key holds any of ``scopes``."""
        return not self.scope_set.isdisjoint(scopes)
