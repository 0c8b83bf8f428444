"""What the OpenAPI schema must add to what drf-spectacular reads from the serializers."""

# DRF's CharField strips what Python counts as whitespace, then refuses a blank value: a
# required text must hold one character that is not stripped. (ECMA's \S differs: it takes
# U+001C–U+001F and U+0085, which Python strips, and refuses U+FEFF, which Python keeps.)
NOT_BLANK = r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _not_blank(field: dict) -> None:
    if field.get("type") == "array" and isinstance(field.get("items"), dict):
        _not_blank(field["items"])
    elif field.get("format") == "binary" and not field.get("readOnly"):
        # DRF's FileField refuses an empty upload (Django takes it for none at all)
        field.setdefault("minLength", 1)
    elif (
        field.get("type") == "string"
        and field.get("minLength", 0) >= 1
        and not field.get("readOnly")
        and not {"pattern", "format", "enum"} & field.keys()
    ):
        field["pattern"] = NOT_BLANK


def text_is_not_blank(result, generator, request, public):
    """A drf-spectacular postprocessing hook: every required text of a request body says
    that it may not be only whitespace, and every uploaded file that it may not be empty, as
    the API answers."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                _not_blank(field)
    return result
