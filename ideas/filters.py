from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ideas import permissions, search
from ideas.models import Idea, Theme
from innovation.models import Direction, Organisation, User
from innovation.permissions import member_organisation_ids

ALL = _("Tous")
ALL_FEMININE = _("Toutes")
PUBLIC_STATES = [(value, label) for value, label in Idea.State.choices if value != "draft"]


class IdeaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_text")
    state = django_filters.MultipleChoiceFilter(
        label=_("Étape"), choices=PUBLIC_STATES, widget=forms.CheckboxSelectMultiple
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Appel à idées"), queryset=None, empty_label=ALL
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Collectivité"), queryset=None, empty_label=ALL_FEMININE
    )
    direction = django_filters.ModelChoiceFilter(
        label=_("Direction"), queryset=None, empty_label=ALL_FEMININE
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Thème"), queryset=Theme.objects.all(), empty_label=ALL
    )
    support = django_filters.ChoiceFilter(
        label=_("Accompagnement"), choices=Idea.Support.choices, empty_label=ALL
    )
    author = django_filters.CharFilter(label=_("Auteur·rice"), method="filter_author")
    ordering = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=("submitted_at", "vote_count", "comment_count", "updated_at"),
        choices=[
            ("-submitted_at", _("Les plus récentes")),
            ("-vote_count", _("Les plus soutenues")),
            ("-comment_count", _("Les plus commentées")),
            ("-updated_at", _("Dernière mise à jour")),
            ("submitted_at", _("Les plus anciennes")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Idea
        fields = ["q", "state", "campaign", "organisation", "direction", "theme", "support"]

    def __init__(self, data=None, *args, user: User, **kwargs):
        super().__init__(data, *args, **kwargs)
        organisations = member_organisation_ids(user)
        self.filters["campaign"].queryset = permissions.visible_campaigns(user).order_by("title")
        self.filters["organisation"].queryset = Organisation.objects.filter(
            Q(pk__in=organisations) | Q(campaigns__organisations__in=organisations)
        ).distinct()
        self.filters["direction"].queryset = Direction.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif isinstance(field.widget, forms.TextInput):
                field.widget.attrs["class"] = "form-control"
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    def filter_text(self, queryset, name, value):
        return search.search_ideas(queryset, value)

    def filter_author(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(author__email__iexact=value)
        for word in value.split():
            condition |= Q(author__last_name__icontains=word) | Q(
                author__first_name__icontains=word
            )
        return queryset.filter(condition)
