"""`/api/v1/saved-views/`: a person's saved filters of the lists, their own only (another
person's view is not found)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from core import services
from core.api.errors import ApiSchema
from core.lists import LISTS
from core.models import SavedView
from core.selectors import saved_view_list


class TextField(serializers.CharField):
    """Text as the schema says: a number or a boolean is not text (DRF would turn it into
    some)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class SavedViewSerializer(serializers.ModelSerializer):
    list_name = serializers.ChoiceField(choices=[], help_text="The list's key.")
    name = TextField(max_length=80)
    query = TextField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The list's query string; only its filter parameters are kept.",
    )

    class Meta:
        model = SavedView
        fields = ["id", "list_name", "name", "query", "created_at"]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the lists the apps registered when they started
        self.fields["list_name"].choices = [(key, key) for key in sorted(LISTS)]


class SavedViewRenameSerializer(serializers.Serializer):
    name = TextField(max_length=80)


@extend_schema_view(
    list=extend_schema(summary="My saved views (of one list with ?list_name=)"),
)
class SavedViewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Saved views 我的视图: named filters of a list, per person."""

    serializer_class = SavedViewSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = SavedView.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["list_name"]
    pagination_class = None  # a person's views of the lists: a handful
    schema = ApiSchema()  # a second view of one name is a 409, as the schema says

    def get_queryset(self):
        return saved_view_list(user=self.request.user)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = services.saved_view_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(view).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SavedViewRenameSerializer, responses={200: SavedViewSerializer})
    def partial_update(self, request, pk=None):
        """Rename."""
        view = self.get_object()
        serializer = SavedViewRenameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        view = services.saved_view_rename(
            user=request.user, view_id=view.pk, name=serializer.validated_data["name"]
        )
        return Response(self.get_serializer(view).data)

    def perform_destroy(self, instance):
        services.saved_view_delete(user=self.request.user, view_id=instance.pk)
