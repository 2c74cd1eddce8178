"""Labels of choice fields, one translation each.

Django's `get_<field>_display()` looks the value up in `dict(make_hashable(flatchoices))`,
which hashes, and so translates, every label of the field to show one: ten gettext calls for
an idea's step, on every row of every list (a few hundred per page). `label_of` looks up the
one enum member and translates its label alone; a model states it once per field:

    class Idea(models.Model):
        get_state_display = display_method("state", State)
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models


def label_of(choices: type[models.Choices], value) -> str:
    """The translated label of `value`, or the value itself if it is not one of `choices`
    (as Django's display does)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return "" if value is None else str(value)


def display_method(field: str, choices: type[models.Choices]) -> Callable[[models.Model], str]:
    """A `get_<field>_display` that translates one label; Django keeps a method the class
    defines itself instead of generating its own."""

    def display(self: models.Model) -> str:
        return label_of(choices, getattr(self, field))

    display.__name__ = f"get_{field}_display"
    return display
