from rest_framework import serializers

from core.api.fields import DateTimeField
from notices.models import Broadcast, NoticeVersion, PublicNotice


class NoticeVersionSerializer(serializers.ModelSerializer):
    drafted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = NoticeVersion
        fields = ["sequence", "kind", "state", "title_zh", "title_en", "text_zh", "text_en",
                  "next_update_at", "drafted_by", "created_at", "approved_by",
                  "approved_at"]  # fmt: skip
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(read_only=True)
    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    public_url = serializers.CharField(read_only=True)
    versions = NoticeVersionSerializer(many=True, read_only=True)

    class Meta:
        model = PublicNotice
        fields = ["id", "incident", "public_id", "public_url", "state", "business_line", "cities",
                  "affected_since", "created_at", "published_at", "updated_at", "resolved_at",
                  "versions"]  # fmt: skip
        read_only_fields = fields


class NoticeCreateSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=2**62)


class NoticeTextSerializer(serializers.Serializer):
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    text_zh = serializers.CharField(max_length=5000)
    text_en = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    next_update_at = DateTimeField(help_text="When the public is told more, in the future.")


class NoticeResolveSerializer(serializers.Serializer):
    title_zh = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    text_zh = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The final text; empty: the standard one (the service is back).",
    )
    text_en = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BroadcastCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    total = serializers.IntegerField()


class BroadcastSerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Broadcast
        fields = ["id", "incident", "state", "text", "rate", "created_by", "created_at",
                  "started_by", "started_at", "finished_at", "counts"]  # fmt: skip
        read_only_fields = fields

    def get_counts(self, broadcast) -> BroadcastCountsSerializer:
        from notices.selectors import broadcast_counts

        return broadcast_counts(broadcast)  # type: ignore[return-value]


class BroadcastCreateSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=2**62)
    phones = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=200_000,
        help_text="Mobile numbers (a +86 prefix, spaces and dashes allowed); duplicates are "
        "removed, any other entry refuses the list.",
    )
    rate = serializers.IntegerField(
        min_value=1, max_value=10_000, required=False, help_text="Messages a second."
    )


class BroadcastUploadSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=2**62)
    file = serializers.FileField(help_text="CSV: one number a row, or a column headed phone.")
    rate = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
