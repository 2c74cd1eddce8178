from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import fields

from ideas import permissions, search
from ideas.models import Idea, Theme
from innovation.platform.models import Direction, Organisation, User
from innovation.platform.permissions import member_organisation_ids

ALL = _("Tous")
ALL_FEMININE = _("Toutes")
PUBLIC_STATES = [(value, label) for value, label in Idea.State.choices if value != "draft"]


class ListedModelChoiceField(fields.ModelChoiceField):
    """A model choice checked against the choices the form lists, read once with one query
    (the form shows them anyway), rather than one more query per value sent."""

    _listed: list | None = None

    def listed(self) -> list:
        if self._listed is None:
            self._listed = list(self.queryset)
        return self._listed

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            pk = int(value)  # what the `pk=` lookup of ModelChoiceField accepts
        except (TypeError, ValueError):
            pk = None
        for choice in self.listed():
            if choice.pk == pk:
                return choice
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


# Each order the list offers, made total by the id, so that no idea shows on two pages or on
# none (ideas submitted in the same second are common in imported data); in the order of the
# indexes that serve them (idea_recent_visible_idx, idea_top_votes_idx).
ORDERS = {
    "-submitted_at": ("-submitted_at", "-created_at", "-pk"),
    "-vote_count": ("-vote_count", "-pk"),
    "-comment_count": ("-comment_count", "-pk"),
    "-updated_at": ("-updated_at", "-pk"),
    "submitted_at": ("submitted_at", "created_at", "pk"),
}
DEFAULT_ORDER = "-submitted_at"


class IdeaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="filter_text")
    state = django_filters.MultipleChoiceFilter(
        label=_("Étape"), choices=PUBLIC_STATES, widget=forms.CheckboxSelectMultiple
    )
    campaign = ListedModelChoiceFilter(label=_("Appel à idées"), queryset=None, empty_label=ALL)
    organisation = ListedModelChoiceFilter(
        label=_("Collectivité"), queryset=None, empty_label=ALL_FEMININE
    )
    direction = ListedModelChoiceFilter(
        label=_("Direction"), queryset=None, empty_label=ALL_FEMININE
    )
    theme = ListedModelChoiceFilter(label=_("Thème"), queryset=Theme.objects.all(), empty_label=ALL)
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
        self.user = user
        organisations = member_organisation_ids(user)
        # Only the columns the choices show: the choices are read on every list.
        self.filters["campaign"].queryset = (
            permissions.visible_campaigns(user).only("id", "title").order_by("title")
        )
        # The person's organisations, and those sharing a campaign with one of them.
        self.filters["organisation"].queryset = (
            Organisation.objects.filter(
                Q(pk__in=organisations) | Q(campaigns__organisations__in=organisations)
            )
            .distinct()
            .only("id", "name", "short_name")
        )
        self.filters["direction"].queryset = Direction.objects.filter(
            organisation__in=organisations
        ).only("id", "name")
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif isinstance(field.widget, forms.TextInput):
                field.widget.attrs["class"] = "form-control"
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"

    @property
    def qs(self):
        if not hasattr(self, "_ordered_qs"):
            self._ordered_qs = super().qs.order_by(*self.order())
        return self._ordered_qs

    def order(self) -> list:
        """The order of `qs`: the one chosen, or the most recent first, made total."""
        valid = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        chosen = valid.get("ordering")
        ordering = ORDERS[chosen[0]] if chosen else ORDERS[DEFAULT_ORDER]
        if valid.get("q", "").strip() and search.uses_full_text():
            return search.order_of_a_search(ordering)
        return list(ordering)

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
        # A hidden author's ideas are not found under their name by those who may not read it.
        return queryset.filter(condition & permissions.author_shown_condition(self.user))


# Fields of the filter form as laid out in _filter_form.html (state is a fieldset of its own).
FORM_LAYOUT = (
    ("campaign", "col-md-3"),
    ("ordering", "col-md-3"),
    ("organisation", "col-md-3"),
    ("direction", "col-md-3"),
    ("theme", "col-md-2"),
    ("support", "col-md-2"),
    ("author", "col-md-2"),
)


def form_fields(idea_filter: IdeaFilter) -> dict:
    """What _filter_form.html shows, read from the bound form, written out by the template
    itself: Django renders each <option> through a template of its own, which made the form
    the slowest part of the idea list. Same markup as the widgets: value, `selected`,
    `checked`, and `aria-invalid` on a field whose value was refused."""
    form = idea_filter.form
    errors = form.errors if form.is_bound else {}
    fields = []
    for name, column in FORM_LAYOUT:
        field = form.fields[name]
        bound = form[name]
        value = field.widget.format_value(bound.value())
        entry = {
            "name": name,
            "id": bound.auto_id,
            "label": bound.label,
            "column": column,
            "invalid": name in errors,
        }
        if isinstance(field, ListedModelChoiceField):
            # The query that checked the value (the widget would open a server-side cursor).
            choices = [("", field.empty_label)] if field.empty_label is not None else []
            choices += [(obj.pk, field.label_from_instance(obj)) for obj in field.listed()]
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)  # type: ignore[arg-type]  # pairs, never lazy here
        else:
            entry["value"] = value
            fields.append(entry)
            continue
        selected_one = False
        options = []
        for option_value, label in choices:
            # As Select.optgroups: the first option whose value was sent is selected.
            selected = not selected_one and str(option_value) in value
            selected_one = selected_one or selected
            options.append((option_value, label, selected))
        entry["options"] = options
        fields.append(entry)
    state = form["state"]
    checked = state.field.widget.format_value(state.value())
    states = [
        {
            "value": value,
            "label": label,
            "id": f"{state.auto_id}_{index}",
            "checked": str(value) in checked,
        }
        for index, (value, label) in enumerate(state.field.choices)
    ]
    return {
        "q": form["q"].value(),
        "fields": fields,
        "states": states,
        "states_label": state.label,
        "states_invalid": "state" in errors,
        "has_errors": bool(errors),
    }
