from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collaboration import records
from collaboration.models import COMMENT_MAX_LENGTH

RECORD_HELP = (
    "The record commented on, as `<kind>:<id>`: `incident:12`, `action_item:3`, "
    "`complaint:40`, `violation:7`, `submission:5`."
)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    record = serializers.SerializerMethodField(help_text=RECORD_HELP)
    author = serializers.CharField(source="author.username", read_only=True)
    author_name = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True)
    mentions = serializers.SerializerMethodField(help_text="The usernames mentioned.")
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)
    editable_until = serializers.SerializerMethodField(
        help_text="Until when its author may correct it (`COMMENT_EDIT_MINUTES` after writing)."
    )

    @extend_schema_field(serializers.CharField())
    def get_record(self, comment) -> str:
        return f"{comment.record_kind}:{comment.record_id}"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_mentions(self, comment) -> list[str]:
        return sorted(person.username for person in comment.mentions.all())

    def get_author_name(self, comment) -> str:
        return comment.author.get_full_name()

    @extend_schema_field(serializers.DateTimeField())
    def get_editable_until(self, comment):
        from collaboration.services import comment_editable_until

        return serializers.DateTimeField().to_representation(comment_editable_until(comment))


def _record_field():
    codes = "|".join(sorted(kind.code for kind in records.kinds())) or "[a-z_]+"
    return serializers.RegexField(
        rf"^({codes}):[0-9]{{1,18}}$",
        max_length=50,
        help_text=RECORD_HELP,
        error_messages={"invalid": _("Give the record as <kind>:<id>, e.g. incident:12.")},
    )


def _record_parsed(value: str) -> tuple[str, int]:
    kind, _colon, pk = value.partition(":")
    return kind, int(pk)


class CommentCreateSerializer(serializers.Serializer):
    record = _record_field()
    body = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text="Plain text; `@username` mentions (and notifies) someone who may see the record.",
    )

    def validate_record(self, value: str) -> tuple[str, int]:
        return _record_parsed(value)


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"The corrected text; allowed to its author for {settings.COMMENT_EDIT_MINUTES} "
        "minutes after writing.",
    )


class CommentQuerySerializer(serializers.Serializer):
    record = _record_field()

    def validate_record(self, value: str) -> tuple[str, int]:
        return _record_parsed(value)
