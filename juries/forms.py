from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from ideas.models import Idea
from innovation.platform.models import Organisation, Role, User
from innovation.platform.permissions import organisations_with_role, visible_people
from innovation.platform.pickers import PersonField
from innovation.platform.widgets import DateInput, TimeInput
from juries import services
from juries.models import Criterion, Forum, Juror, Pitch
from juries.results import departures


class ForumForm(forms.ModelForm):
    organiser = forms.ModelChoiceField(
        label=_("Collectivité organisatrice"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = Forum
        # What save_forum sets, with the participating organisations it takes as an argument
        # of its own (many-to-many), shown before the quota each of them has. The organiser,
        # chosen once at creation, is declared above.
        fields = [
            *services.FORUM_FIELDS[: services.FORUM_FIELDS.index("quota")],
            "organisations",
            *services.FORUM_FIELDS[services.FORUM_FIELDS.index("quota") :],
        ]
        widgets = {
            "date": DateInput(),
            "starts_at": TimeInput(),
            "organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "quota": _("Nombre d'idées que chaque collectivité peut présenter (3 en général)."),
            "college_weighting": _(
                "Si coché, la moyenne de chaque collège compte selon son poids, au lieu de "
                "compter chaque juré pour un."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organiser"]
        else:
            self.fields["organiser"].queryset = organisations_with_role(user, Role.DELEGATE)
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        for name in ("quota", "laureate_count", "pitch_minutes"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean() or {}
        for name in ("quota", "laureate_count", "pitch_minutes"):
            if data.get(name) is not None and data[name] < 1:
                self.add_error(name, _("Indiquez un nombre supérieur ou égal à 1."))
        if data.get("college_weighting") and not any(
            data.get(name) for name in ("weight_elected", "weight_agent", "weight_director")
        ):
            self.add_error("weight_elected", _("Au moins un collège doit avoir un poids positif."))
        return data


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = list(services.CRITERION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"weight": _("Un nombre strictement positif, par exemple 1, 2 ou 1,5.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs["step"] = "0.5"

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError(_("Le poids doit être strictement positif."))
        return weight

    def clean(self):
        data = super().clean()
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and high <= low:
            self.add_error(
                "scale_max", _("La note maximale doit être supérieure à la note minimale.")
            )
        return data

    def validate_unique(self):
        # The forum is set by the service, which checks the name's uniqueness itself.
        pass


class JurorForm(forms.Form):
    person = PersonField(
        label=_("Juré·e"),
        help_text=_(
            "Tapez son nom : les personnes des collectivités du forum. Sa collectivité est reprise."
        ),
    )
    college = forms.ChoiceField(label=_("Collège"), choices=Juror.College.choices)
    is_president = forms.BooleanField(label=_("Président·e du jury"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = visible_people(user)


class PutForwardForm(forms.Form):
    idea = forms.ModelChoiceField(label=_("Idée à présenter"), queryset=Idea.objects.none())

    def __init__(self, *args, organisation_ids: set[int], forum: Forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idea"].queryset = (
            Idea.objects.filter(
                organisation__in=organisation_ids,
                state__in=(Idea.State.QUALIFIED, Idea.State.SELECTED),
            )
            .exclude(pitches__forum=forum)
            .select_related("organisation")
            .order_by("organisation__name", "title")
        )
        self.fields["idea"].label_from_instance = lambda idea: (
            f"{idea.title} — {idea.organisation} ({idea.get_state_display()})"
        )


class ScoreForm(forms.Form):
    """One number per criterion of the grid, and a private comment."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.scale_min} à {criterion.scale_max})",
                # Django renders help_text as HTML: the organiser's text must be escaped.
                help_text=escape(criterion.description),
                min_value=criterion.scale_min,
                max_value=criterion.scale_max,
                error_messages={
                    "required": _("Donnez une note pour ce critère."),
                    "invalid": _("Saisissez un nombre entier."),
                    "min_value": _("La note doit être comprise entre %(min)s et %(max)s.")
                    % {"min": criterion.scale_min, "max": criterion.scale_max},
                    "max_value": _("La note doit être comprise entre %(min)s et %(max)s.")
                    % {"min": criterion.scale_min, "max": criterion.scale_max},
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "score-input"}),
            )
        self.fields["comment"] = forms.CharField(
            label=_("Commentaire privé"),
            help_text=_("Visible de vous seul·e, pour la délibération."),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def values(self) -> dict[int, int]:
        return {
            criterion.pk: self.cleaned_data[f"criterion_{criterion.pk}"]
            for criterion in self.criteria
        }


class RecusalForm(forms.Form):
    """« Je me déporte » : the reason is optional, as the law asks for none."""

    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        help_text=_(
            "Par exemple : « Un proche fait partie de l'équipe projet. » Le motif figurera "
            "dans les résultats, que voient le jury et les délégué·es."
        ),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeliberationForm(forms.Form):
    """A laureate box and a reason per pitch; a reason is required for each departure."""

    def __init__(
        self, *args, ranked: list[Pitch], scored_ids: list[int], laureate_count: int, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.ranked = ranked
        self.scored_ids = scored_ids
        self.laureate_count = laureate_count
        for pitch in ranked:
            self.fields[f"laureate_{pitch.pk}"] = forms.BooleanField(
                label=_("Lauréat"), required=False, initial=pitch.laureate
            )
            self.fields[f"reason_{pitch.pk}"] = forms.CharField(
                label=_("Motif (si écart au classement)"),
                required=False,
                max_length=1000,
                initial=pitch.laureate_reason,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for pitch in self.ranked:
            yield pitch, self[f"laureate_{pitch.pk}"], self[f"reason_{pitch.pk}"]

    def chosen(self) -> set[int]:
        return {p.pk for p in self.ranked if self.cleaned_data.get(f"laureate_{p.pk}")}

    def reasons(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data.get(f"reason_{p.pk}", "") for p in self.ranked}

    def clean(self):
        data = super().clean()
        departing = departures(self.scored_ids, self.chosen(), self.laureate_count)
        for pitch_id in departing:
            if not data.get(f"reason_{pitch_id}", "").strip():
                self.add_error(
                    f"reason_{pitch_id}",
                    _("Ce choix s'écarte du classement : écrivez le motif, il sera publié."),
                )
        return data
