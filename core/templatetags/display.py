"""``{% load display %}``: ``items|joined`` (the language's list separator) and
``moment|local_moment`` (a time in the deployment's zone, "2026-12-01 20:19")."""

from django import template

from core import display

register = template.Library()


@register.filter
def joined(items) -> str:
    return display.joined(items)


@register.filter
def local_moment(value) -> str:
    return display.local_moment(value)


@register.simple_tag
def list_separator() -> str:
    return display.list_separator()
