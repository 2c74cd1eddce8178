"""The board's links to move a card: up to four per card, seventy-five cards."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def column_moves(
    actions: list[tuple[str, str]], move_url: tuple[str, str]
) -> list[tuple[str, str, str]]:
    """A column's moves, as (href before the card's id, href after it, label), `move_url`
    being the move route around its pk: escaped here once per column, since every card of a
    column has the same moves, and escaping them again for each card (through format_html)
    was a fifth of the board's time."""
    before, after = (escape(part) for part in move_url)
    return [(before, f"{after}{escape(query)}", escape(label)) for label, query in actions]


@register.simple_tag
def move_links(card, moves: list[tuple[str, str, str]]) -> SafeString:
    """The card's move links, `moves` being its column's (see `column_moves`): the card adds
    its id (an int) and its title, escaped once for all its links."""
    title = escape(card.title)
    pk = int(card.pk)
    # Every piece is escaped above or in column_moves.
    return mark_safe(
        "".join(
            f'<li class="list-inline-item"><a href="{before}{pk}{after}" '
            f'aria-label="{label} : {title}">{label}</a></li>'
            for before, after, label in moves
        )
    )
