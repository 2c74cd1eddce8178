"""The live board's cells: 750 at 50 jurors × 15 pitches, written out here rather than by a
{% for %} of the template, whose loop, unpacking and three lookups per cell were half of the
page's rendering."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def cell_labels() -> dict[str, str]:
    """Each state's French label, translated and escaped once per page."""
    return {
        state: escape(label)
        for state, label in (
            ("done", _("✓ noté")),
            ("conflict", _("conflit")),
            ("recused", _("déporté·e")),
            ("todo", _("à noter")),
        )
    }


@register.simple_tag
def board_cells(cells: list[tuple[str, str]], labels: dict[str, str]) -> SafeString:
    """A juror's row of cells, `cells` being its (key, state) pairs (`selectors.board`).
    Neither needs escaping: the key is made of two ids, the state is one of the four keys of
    `cell_labels`, whose labels come escaped."""
    return mark_safe(
        "".join(
            f'<td class="text-center cell-{state}" data-cell="{key}">{labels[state]}</td>'
            for key, state in cells
        )
    )
