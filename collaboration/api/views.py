"""`/api/v1/comments/`: the comments on one record (``?record=incident:12``), written,
read and corrected by their author in the first minutes; never deleted."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from collaboration import selectors, services
from collaboration.models import Comment
from organisation.api.permissions import KeyScoped, KeyScopedSchema

from . import serializers as s


def _record(user, kind_code: str, record_id: int):
    try:
        return selectors.record_get(user=user, kind_code=kind_code, record_id=record_id)
    except selectors.NotVisible:
        raise NotFound() from None


class CommentSchema(KeyScopedSchema):
    def _should_add_http404_error_response(self) -> bool:
        return True  # the list and a new comment name their record, which may be out of scope


class CommentViewSet(KeyScoped, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Comments 评论 on incidents, action items, complaints and violations (their disputes):
    plain text with `@username` mentions. Its author may correct a comment (PATCH) for
    `COMMENT_EDIT_MINUTES` after writing it; nobody deletes one."""

    schema = CommentSchema()
    serializer_class = s.CommentSerializer
    queryset = Comment.objects.none()
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_object(self):
        try:
            comment, _record = selectors.comment_get(
                user=self.request.user, comment_id=int(self.kwargs["pk"])
            )
        except selectors.NotVisible:
            raise NotFound() from None
        return comment

    def _render(self, comment_id: int, status_code=status.HTTP_200_OK) -> Response:
        comment = Comment.objects.select_related("author").prefetch_related("mentions")
        return Response(self.get_serializer(comment.get(pk=comment_id)).data, status=status_code)

    @extend_schema(
        parameters=[s.CommentQuerySerializer],
        responses={200: s.CommentSerializer(many=True)},
    )
    def list(self, request):
        """A record's comments, oldest first."""
        query = s.CommentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        record = _record(request.user, *query.validated_data["record"])
        comments = selectors.comment_list(record=record).prefetch_related("mentions")
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
    def create(self, request):
        """A comment on a record the caller may see; the people it mentions are notified."""
        data = s.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = _record(request.user, *data.validated_data["record"])
        comment = services.comment_create(
            record=record, author=request.user, body=data.validated_data["body"]
        )
        return self._render(comment.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.CommentEditSerializer, responses={200: s.CommentSerializer})
    def partial_update(self, request, pk=None):
        """The author's correction, within `COMMENT_EDIT_MINUTES` of writing (403 for
        anyone else, 409 once the time is up); the earlier text is kept."""
        comment = self.get_object()
        data = s.CommentEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.comment_edit(
            comment_id=comment.pk, actor=request.user, body=data.validated_data["body"]
        )
        return self._render(comment.pk)
