"""What the apps' demo modules get from `manage.py seed_demo` (innovation.site): the people,
collectivités and directions already written, the demo's clock, and idempotent writers. A
protocol, so that the apps below the site depend on this shape and not on the command."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any, Protocol

from django.db import models

from innovation.platform.models import Direction, Organisation, User


class DemoSeeder(Protocol):
    people: dict[str, User]
    orgs: dict[str, Organisation]
    directions: dict[tuple[str, ...], Direction]
    delegates: dict[str, User]
    created: Counter[str]
    anchor: datetime.date

    def day(self, offset: int) -> datetime.date: ...

    def at(self, days_ago: int, hour: int = 9, minute: int = 30) -> datetime.datetime: ...

    def upsert(
        self, model: type[models.Model], lookup: dict, values: dict | None = None
    ) -> tuple[Any, bool]: ...

    def grant(self, user: User, organisation: Organisation, role: str) -> None: ...

    def get_or_create(
        self, model: type[models.Model], lookup: dict, defaults: dict | None = None
    ) -> tuple[Any, bool]: ...
