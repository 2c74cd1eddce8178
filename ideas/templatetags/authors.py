"""`{{ idea|author_for:user }}`: an idea's author as the person may read it (the name, or
« Auteur·rice masqué·e »), for the pages that list idea instances."""

from __future__ import annotations

from django import template

from ideas import permissions
from ideas.models import Idea
from innovation.platform.models import User

register = template.Library()


@register.filter
def author_for(idea: Idea, user: User) -> str:
    return permissions.author_label(user, idea)


@register.filter
def author_visible_to(idea: Idea, user: User) -> bool:
    return permissions.can_see_author(user, idea)
