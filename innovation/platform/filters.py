from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from innovation.platform import audit
from innovation.platform.models import AuditEvent, Organisation
from innovation.platform.widgets import DateInput


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=list(audit.LABELS.items()), empty_label=_("Toutes")
    )
    actor = django_filters.CharFilter(
        label=_("Personne (e-mail)"), field_name="actor__email", lookup_expr="icontains"
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Collectivité"), queryset=Organisation.objects.none(), empty_label=_("Toutes")
    )
    since = django_filters.DateFilter(
        label=_("Depuis le"), field_name="created_at", lookup_expr="date__gte", widget=DateInput
    )
    until = django_filters.DateFilter(
        label=_("Jusqu'au"), field_name="created_at", lookup_expr="date__lte", widget=DateInput
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "organisation", "since", "until"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisations
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
