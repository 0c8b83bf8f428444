"""A deadline as the API renders it, on every record that runs deadlines."""

from rest_framework import serializers

from core.api.fields import code_or_none, time_or_none

from .choices import DeadlineState


class DeadlineSerializer(serializers.Serializer):
    """A time limit of a record. It is rendered on every intake: the declared fields name
    the contract (and the schema), :meth:`to_representation` gives the same built directly
    (tests/complaints/test_complaints.py holds them equal)."""

    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    met_at = serializers.DateTimeField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=DeadlineState.choices, read_only=True)
    responsible_department = serializers.CharField(
        source="responsible_department.code", read_only=True, allow_null=True
    )

    def to_representation(self, deadline):
        return {
            "kind": deadline.kind,
            "name": deadline.name,
            "started_at": time_or_none(deadline.started_at),
            "due_at": time_or_none(deadline.due_at),
            "met_at": time_or_none(deadline.met_at),
            "state": deadline.state,
            "responsible_department": code_or_none(deadline.responsible_department),
        }
