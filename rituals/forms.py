from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea
from innovation.platform.models import Organisation, User
from innovation.platform.permissions import visible_people
from innovation.platform.pickers import PersonField
from innovation.platform.widgets import DateInput, TimeInput
from rituals import permissions
from rituals.models import Occurrence, Ritual
from rituals.recurrence import local_start
from rituals.services import PRESENTABLE_STATES, RITUAL_FIELDS

# What create_ritual and update_ritual set, but interval_days: the form asks for an interval
# and its unit instead (clean() turns them into days, __init__ shows them before the weekday).
_RITUAL_VALUES = [name for name in RITUAL_FIELDS if name != "interval_days"]


class RitualForm(forms.ModelForm):
    interval = forms.IntegerField(
        label=_("Fréquence : tous les"),
        min_value=1,
        max_value=365,
        initial=14,
        error_messages={
            "min_value": _("L'intervalle doit être d'au moins un jour."),
            "max_value": _("L'intervalle ne peut dépasser 365."),
        },
    )
    interval_unit = forms.ChoiceField(
        label=_("Unité"),
        choices=[("days", _("jours")), ("weeks", _("semaines"))],
        initial="days",
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        initial=20,
        min_value=1,
        max_value=10000,
        error_messages={"min_value": _("Il faut au moins une place.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        initial=60,
        min_value=1,
        max_value=24 * 60,
        error_messages={"min_value": _("La durée doit être d'au moins une minute.")},
    )

    class Meta:
        model = Ritual
        # Around the ritual's values, the two the services take as arguments of their own: the
        # organisation (fixed once the ritual exists) and the organisations it is shared with
        # (many-to-many), shown before "active".
        fields = [
            "organisation",
            *_RITUAL_VALUES[: _RITUAL_VALUES.index("active")],
            "shared_with",
            *_RITUAL_VALUES[_RITUAL_VALUES.index("active") :],
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "start_time": TimeInput(),
            "shared_with": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "weekday": _(
                "La première séance tombe ce jour-là ; avec un intervalle qui n'est pas un "
                "multiple de 7 jours, le jour de la semaine change d'une séance à l'autre."
            ),
            "shared_with": _(
                "Par défaut, seuls les agents de votre collectivité peuvent s'inscrire."
            ),
            "closes_hours_before": _("Par exemple 24 : les inscriptions ferment la veille."),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            pk__in=permissions.ritual_organisation_ids(user)
        )
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label = _("Collectivité organisatrice")
        self.fields["shared_with"].queryset = Organisation.objects.all()
        self.fields["shared_with"].required = False
        self.fields["place"].help_text = _("Par exemple : Salle du conseil, Hôtel du Département.")
        field_order = list(self.fields)
        field_order.remove("interval")
        field_order.remove("interval_unit")
        field_order[field_order.index("weekday") : field_order.index("weekday")] = [
            "interval",
            "interval_unit",
        ]
        self.order_fields(field_order)
        if self.instance.pk:
            self.fields["organisation"].disabled = True
            days = self.instance.interval_days
            if days % 7 == 0:
                self.initial.update(interval=days // 7, interval_unit="weeks")
            else:
                self.initial.update(interval=days, interval_unit="days")
        else:
            self.initial.setdefault("starts_on", timezone.localdate())
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()

    def clean(self):
        cleaned = super().clean() or {}
        interval, unit = cleaned.get("interval"), cleaned.get("interval_unit")
        if interval:
            days = interval * 7 if unit == "weeks" else interval
            if days > 365:
                self.add_error("interval", _("L'intervalle ne peut dépasser un an."))
            else:
                cleaned["interval_days"] = days
        return cleaned

    def ritual_data(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in RITUAL_FIELDS if name in data}


class OccurrenceForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        min_value=1,
        max_value=24 * 60,
        error_messages={"min_value": _("La durée doit être d'au moins une minute.")},
    )
    place = forms.CharField(label=_("Lieu"), max_length=250)
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=1,
        max_value=10000,
        error_messages={"min_value": _("Il faut au moins une place.")},
        help_text=_(
            "Plus de places : la liste d'attente avance dans l'ordre d'arrivée. Moins de "
            "places : personne n'est désinscrit, la liste d'attente attend des désistements."
        ),
    )
    presenter = PersonField(
        label=_("Personne qui présente"),
        required=False,
        help_text=_("Tapez son nom ; une personne d'une collectivité invitée à la série."),
    )
    idea = forms.ModelChoiceField(
        label=_("Projet présenté"), queryset=Idea.objects.none(), required=False
    )
    topic = forms.CharField(
        label=_("Ou sujet libre"),
        max_length=200,
        required=False,
        help_text=_("Par exemple pour « Partage ma passion » : la reliure, le chant choral…"),
    )

    def __init__(self, *args, occurrence: Occurrence, user: User, **kwargs):
        self.occurrence = occurrence
        local = timezone.localtime(occurrence.starts_at)
        kwargs.setdefault(
            "initial",
            {
                "day": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": occurrence.duration_minutes,
                "place": occurrence.effective_place,
                "capacity": occurrence.effective_capacity,
                "presenter": occurrence.presenter,
                "idea": occurrence.idea_id,
                "topic": occurrence.topic,
            },
        )
        super().__init__(*args, **kwargs)
        ideas = Idea.objects.filter(
            organisation__in=permissions.audience_ids(occurrence.ritual),
            state__in=PRESENTABLE_STATES,
        )
        if occurrence.idea_id:
            ideas = ideas | Idea.objects.filter(pk=occurrence.idea_id)
        self.fields["idea"].queryset = ideas.distinct().order_by("title")
        self.fields["presenter"].queryset = visible_people(user)

    def starts_at(self) -> datetime.datetime:
        return local_start(self.cleaned_data["day"], self.cleaned_data["time"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation (envoyé aux inscrit·es)"),
        max_length=300,
        error_messages={"required": _("Indiquez le motif : les inscrit·es le liront.")},
    )
