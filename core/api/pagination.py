from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from core.keyset import BadCursor, keyset_page


def _page_size(request, param: str, default, maximum: int):
    raw = request.query_params.get(param)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValidationError({param: [_("A whole number of at least 1 is required.")]})
    return min(int(raw), maximum)


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` up to 500 (REST contract).

    A ``page_size`` above 500 is served as 500; one that is no whole number of at least 1 is
    a 400 naming the parameter, not silently the default.
    """

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        return _page_size(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        # a page that is no whole number of at least 1 is refused by name, not read as the first
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError(
                {self.page_query_param: [_("A whole number of at least 1 is required.")]}
            )
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class KeysetPagination(BasePagination):
    """`?cursor=` and `?page_size=` (up to 500) for the long lists (complaints, incidents).

    Each page names the cursors of the next and the previous page (``null`` at either end);
    nothing counts the whole list, so page 10,000 costs what the first one does. The view
    names its total order as ``keyset_keys`` (``core.keyset.Key``s ending with a unique one)
    and may name the branches of its scope by ``keyset_branches()`` (see ``keyset_page``).
    A cursor that cannot be read names no page: 404 (as DRF's own cursor pagination). A
    ``?page=``, which these lists do not take, is a 400 naming it.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise ValidationError(
                {"page": [_("This list pages by cursor: follow the link in `next`.")]}
            )
        self.request = request
        size = _page_size(
            request, self.page_size_query_param, api_settings.PAGE_SIZE, self.max_page_size
        )
        try:
            self.page = keyset_page(
                queryset,
                view.keyset_keys,
                request.query_params.get(self.cursor_query_param) or None,
                size,
                view.keyset_branches() if hasattr(view, "keyset_branches") else (),
            )
        except BadCursor:
            # as DRF's cursor pagination: the page such a cursor names does not exist
            raise NotFound(_("Not a cursor of this list.")) from None
        return self.page.items

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page after (or before) another: the cursor in its "
                "`next` (or `previous`) link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Rows per page (at most 500).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
