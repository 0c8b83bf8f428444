from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.choices import ComplaintChannel, ComplaintState, Escalation, Satisfaction, Severity
from complaints.selectors import mask, sees_personal_data
from complaints.services import PHONE
from core.api.fields import CodeField, DateTimeField, ObjectField, code_or_none, time_or_none
from core.reference import cached
from deadlines.serializers import DeadlineSerializer
from incidents.choices import BusinessLine
from incidents.models import Incident
from incidents.selectors import incident_linkable
from organisation.api.serializers import DepartmentCodeField
from organisation.models import City


class ComplaintSerializer(serializers.Serializer):
    """A complaint as the REST contract names it; phone and account are masked for readers
    who do not handle it (and full reads are logged by the view). It is rendered on every
    intake: the declared fields name the contract (and the schema), :meth:`to_representation`
    gives the same built directly, without copying two dozen fields per complaint
    (tests/incidents/test_complaints.py holds them equal)."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices, read_only=True)
    customer_name = serializers.CharField(read_only=True)
    customer_phone = serializers.SerializerMethodField()
    customer_account = serializers.SerializerMethodField()
    city = serializers.CharField(source="city.code", read_only=True)
    address = serializers.CharField(read_only=True)
    business_line = serializers.ChoiceField(choices=BusinessLine.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    is_vip = serializers.BooleanField(read_only=True)
    referred_by = serializers.CharField(
        source="referred_by.username", read_only=True, allow_null=True
    )
    escalation = serializers.ChoiceField(choices=Escalation.choices, read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    department = serializers.CharField(source="department.code", read_only=True, allow_null=True)
    handler = serializers.CharField(source="handler.username", read_only=True, allow_null=True)
    first_ask_owner = serializers.CharField(source="first_ask_owner.username", read_only=True)
    state = serializers.ChoiceField(choices=ComplaintState.choices, read_only=True)
    satisfaction = serializers.CharField(read_only=True)
    repeat_count = serializers.IntegerField(read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def _full(self, complaint) -> bool:
        full = self.context.setdefault("full_reads", {})
        if complaint.pk not in full:
            full[complaint.pk] = sees_personal_data(self.context["request"].user, complaint)
        return full[complaint.pk]

    def get_customer_phone(self, complaint) -> str:
        return complaint.customer_phone if self._full(complaint) else mask(complaint.customer_phone)

    def get_customer_account(self, complaint) -> str:
        return (
            complaint.customer_account
            if self._full(complaint)
            else mask(complaint.customer_account)
        )

    def to_representation(self, complaint):
        deadlines = DeadlineSerializer()
        return {
            "id": complaint.pk,
            "number": complaint.number,
            "external_id": complaint.external_id,
            "channel": complaint.channel,
            "customer_name": complaint.customer_name,
            "customer_phone": self.get_customer_phone(complaint),
            "customer_account": self.get_customer_account(complaint),
            "city": complaint.city.code,
            "address": complaint.address,
            "business_line": complaint.business_line,
            "summary": complaint.summary,
            "description": complaint.description,
            "is_vip": complaint.is_vip,
            "referred_by": _username(complaint.referred_by),
            "escalation": complaint.escalation,
            "severity": complaint.severity,
            "incident": complaint.incident_id,
            "department": code_or_none(complaint.department),
            "handler": _username(complaint.handler),
            "first_ask_owner": complaint.first_ask_owner.username,
            "state": complaint.state,
            "satisfaction": complaint.satisfaction,
            "repeat_count": complaint.repeat_count,
            "deadlines": [deadlines.to_representation(d) for d in complaint.deadlines.all()],
            "created_at": time_or_none(complaint.created_at),
        }


def _username(user) -> str | None:
    return None if user is None else user.username


class CityField(CodeField):
    """A city by code, from the process's reference cache: every intake names one, and the
    province's cities seldom change (saving one clears the cache)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        city = cached("cities", lambda: {c.code: c for c in City.objects.all()}).get(data)
        if city is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return city


class LinkableIncidentField(serializers.PrimaryKeyRelatedField):
    """An incident, by id, that the caller may link complaints to (a live one within what
    they may see). Linking raises an incident's counts and level, so one answer covers the
    rest: an incident that does not exist, is closed or is another department's is alike
    "not an incident you can link to". A bulk asks once per incident, not once per item."""

    default_error_messages = {"does_not_exist": _("Not an incident you can link to.")}

    def __init__(self, **kwargs):
        # the model, for the schema; requests read get_queryset
        super().__init__(queryset=Incident.objects.none(), **kwargs)

    def get_queryset(self):
        return incident_linkable(user=self.context["request"].user)

    def to_internal_value(self, data):
        if not isinstance(data, int | str) or isinstance(data, bool):
            return super().to_internal_value(data)
        seen = self.__dict__.setdefault("_seen", {})
        if data not in seen:
            try:
                seen[data] = super().to_internal_value(data)
            except serializers.ValidationError as error:
                seen[data] = error
        if isinstance(seen[data], serializers.ValidationError):
            raise seen[data]
        return seen[data]


class ComplaintCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    channel = serializers.ChoiceField(
        choices=ComplaintChannel.choices, default=ComplaintChannel.API
    )
    customer_name = serializers.CharField(max_length=100)
    customer_phone = serializers.CharField(
        max_length=30,
        # checked as sent, as the schema's pattern reads it (trimmed, "+9-75-  " would be too
        # short); the service stores it trimmed
        trim_whitespace=False,
        validators=[RegexValidator(PHONE, _("Give a phone number of digits."))],
        help_text="Digits, optionally a leading + and spaces or dashes between them.",
    )
    customer_account = serializers.CharField(max_length=50)
    city = CityField(slug_field="code", queryset=City.objects.all())
    address = serializers.CharField(max_length=300)
    business_line = serializers.ChoiceField(choices=BusinessLine.choices)
    summary = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=20000)
    is_vip = serializers.BooleanField(default=False)
    referred_by = CodeField(
        help_text="The referring employee's username; required with channel `employee_referral`.",
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    escalation = serializers.ChoiceField(choices=Escalation.choices, default=Escalation.NONE)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    incident = LinkableIncidentField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A live incident within what the caller may see; its counts and level move.",
    )


class BulkCreateSerializer(serializers.Serializer):
    items = serializers.ListField(child=ObjectField(), min_length=1, max_length=500)


class BulkItemErrorSerializer(serializers.Serializer):
    """One error of an item, as in a 400 (the field, its code, the message)."""

    attr = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    detail = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.IntegerField()
    id = serializers.IntegerField(required=False)
    number = serializers.CharField(required=False)
    errors = BulkItemErrorSerializer(many=True, required=False, help_text="With status 400.")


class DispatchSerializer(serializers.Serializer):
    department = DepartmentCodeField()
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class HandOverSerializer(serializers.Serializer):
    handler = CodeField(slug_field="username", queryset=User.objects.filter(is_active=True))


class ComplaintNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ComplaintReplySerializer(serializers.Serializer):
    """The three clears 三清."""

    resolved_at = DateTimeField(
        help_text="Not in the future, nor more than 30 days before the complaint was made."
    )
    cause_and_result = serializers.CharField(max_length=20000)
    delay_reason = serializers.CharField(
        max_length=20000, required=False, default="", allow_blank=True
    )


class CallbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ConveneSerializer(serializers.Serializer):
    department = DepartmentCodeField()
    assignment = serializers.CharField(max_length=5000)


class LinkSerializer(serializers.Serializer):
    incident = LinkableIncidentField(
        help_text="A live incident within what the caller may see; its counts and level move."
    )
    complaints = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=500
    )


class LinkResultSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    linked = serializers.IntegerField(help_text="Complaints newly linked.")


class BulkActionSerializer(serializers.Serializer):
    """One action on many complaints, each through the single action (its permission, its
    state checks); the fields the action needs."""

    action = serializers.ChoiceField(
        choices=[("dispatch", "dispatch"), ("hand_over", "hand_over"), ("close", "close")],
        help_text="dispatch (needs department), hand_over (needs handler), close (the "
        "customer is satisfied at the callback).",
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        min_length=1,
        max_length=settings.COMPLAINT_BULK_ACTION_MAX,
        help_text="Complaint ids, each once; at most COMPLAINT_BULK_ACTION_MAX (a setting).",
    )
    department = DepartmentCodeField(required=False)
    handler = CodeField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    def validate_ids(self, ids):
        if len(ids) > settings.COMPLAINT_BULK_ACTION_MAX:
            raise serializers.ValidationError(
                _("At most %(max)s complaints at a time; %(count)s were selected.")
                % {"max": settings.COMPLAINT_BULK_ACTION_MAX, "count": len(ids)},
                code="too_many",
            )
        return ids

    def validate(self, data):
        if data["action"] == "dispatch" and not data.get("department"):
            raise serializers.ValidationError(
                {"department": _("Choose the department to dispatch to.")}, code="required"
            )
        if data["action"] == "hand_over" and not data.get("handler"):
            raise serializers.ValidationError(
                {"handler": _("Choose the handler to hand over to.")}, code="required"
            )
        return data


class BulkActionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.IntegerField(
        help_text="200 done; 400 invalid for it, 403 not yours to do, 404 not found, "
        "409 not allowed in its state."
    )
    number = serializers.CharField(required=False, help_text="Unless not found.")
    state = serializers.ChoiceField(
        choices=ComplaintState.choices, required=False, help_text="With status 200."
    )
    detail = serializers.CharField(required=False, help_text="Why it was refused.")
