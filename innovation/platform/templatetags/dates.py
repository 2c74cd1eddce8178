"""Template filters for dates and times: {% load dates %} then {{ value|day }}, |long_moment…

Each filter is the function of the same name in innovation.platform.dates; an empty value
gives an empty string, so that `|default:"—"` still works.
"""

from collections.abc import Callable
from typing import Any

from django import template

from innovation.platform import dates

register = template.Library()


def _filter(function: Callable[[Any], str]) -> None:
    def render(value: Any) -> str:
        return function(value) if value not in (None, "") else ""

    register.filter(function.__name__, render, expects_localtime=True, is_safe=False)


for _function in (
    dates.day,
    dates.long_day,
    dates.short_day,
    dates.hour,
    dates.moment,
    dates.long_moment,
    dates.short_moment,
    dates.machine,
):
    _filter(_function)
