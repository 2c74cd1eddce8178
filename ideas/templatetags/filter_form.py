"""The <option>s of the idea filter form: some fifty on every list and on the board, written
out here rather than by a {% for %} of the template (a loop, an unpacking, three lookups and
an {% if %} per option)."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def select_options(options: list[tuple[object, object, bool]]) -> SafeString:
    """`options` as `ideas.filters.form_fields` lists them, (value, label, selected), in the
    markup of Django's Select widget (a test holds it there:
    test_filter_form_has_the_markup_of_django_widgets)."""
    # Both escaped: a value is an id or a choice's key, a label a name people typed.
    return mark_safe(
        "".join(
            f'\n  <option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>\n"
            for value, label, selected in options
        )
    )
