"""Forms of the mandate pages. They turn input into values; ideas.mandates.services and
ideas.mandates.followups decide what is allowed and say so in French."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ideas.mandates.followups import RECORD_FIELDS
from ideas.mandates.models import FollowUp, Mandate, MandateMember, Signature
from ideas.mandates.services import TERM_FIELDS, MemberTerms
from ideas.models import Idea
from innovation.platform.models import Direction, Organisation, Role, RoleGrant, User
from innovation.platform.permissions import visible_people
from innovation.platform.pickers import PersonField
from innovation.platform.widgets import DateInput

HOURS_HELP = _("En heures par semaine : une demi-journée = 3,5 h, une journée = 7 h.")


def _people_with_role(organisation: Organisation, role: str):
    return (
        User.objects.filter(
            is_active=True,
            role_grants__organisation=organisation,
            role_grants__role__in=[role, Role.ADMIN],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way: "1 500,50" (any kind of space between thousands)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "")
        return super().to_python(value)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} — {obj.job_title}" if obj.job_title else obj.get_full_name()


class MandateForm(forms.ModelForm):
    sponsor = PersonChoiceField(
        queryset=User.objects.none(),
        label=_("Sponsor"),
        help_text=_("Élu·e, directeur·rice général·e ou adjoint·e qui porte le projet."),
        error_messages={"required": _("Un mandat a besoin d'un sponsor.")},
    )
    client_director = PersonChoiceField(
        queryset=User.objects.none(),
        label=_("Directeur·rice de la direction cliente"),
        help_text=_("Signe au nom de la direction que le projet sert."),
    )

    class Meta:
        model = Mandate
        # The terms the service validates and the parties sign; the team is a formset apart.
        fields = list(TERM_FIELDS)
        labels = {
            "client_direction": _("Direction cliente"),
            "objectives": _("Objectifs du mandat"),
            "resources": _("Moyens mis à disposition"),
            "budget": _("Budget (en euros)"),
            "starts_on": _("Date de début"),
            "ends_on": _("Date de fin"),
            "duration_reason": _("Motif d'une durée de plus de 3 mois"),
            "protection_clause": _("Clause de protection des agents"),
        }
        help_texts = {
            "ends_on": _("Une pré-incubation dure au plus 3 mois."),
            "duration_reason": _("Obligatoire seulement si le mandat dure plus de 3 mois."),
            "protection_clause": _("Texte par défaut modifiable : il engage toutes les parties."),
            "resources": _("Locaux, matériel, accompagnement interne ou externe…"),
        }
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "duration_reason": forms.Textarea(attrs={"rows": 2}),
            "protection_clause": forms.Textarea(attrs={"rows": 5}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = _people_with_role(organisation, Role.SPONSOR)
        self.fields["client_director"].queryset = _people_with_role(organisation, Role.DIRECTOR)
        self.fields["client_direction"].queryset = Direction.objects.filter(
            organisation=organisation
        ).order_by("name")
        self.fields["budget"] = FrenchDecimalField(
            label=_("Budget (en euros)"),
            required=False,
            max_digits=10,
            decimal_places=2,
            min_value=0,
            error_messages={
                "invalid": _("Un montant en euros, par exemple 1 500 ou 1 500,50."),
                "min_value": _("Le budget ne peut pas être négatif."),
            },
        )
        self.fields["client_direction"].error_messages["required"] = _(
            "Choisissez la direction cliente du projet."
        )
        self.fields["starts_on"].error_messages["required"] = _("Indiquez la date de début.")
        self.fields["ends_on"].error_messages["required"] = _("Indiquez la date de fin.")

    def _post_clean(self):
        # The service validates the terms as a whole; the model's own checks would run on an
        # instance without its idea and organisation.
        pass


class MemberForm(forms.Form):
    """One agent of the team and their manager, found by name among the people of the idea's
    organisation whom the delegate may find (`visible_people`)."""

    agent = PersonField(label=_("Agent"))
    manager = PersonField(label=_("Son encadrant·e (N+1)"))
    freed_hours_per_week = FrenchDecimalField(
        label=_("Temps libéré (h/semaine)"),
        help_text=HOURS_HELP,
        max_digits=4,
        decimal_places=1,
        error_messages={
            "invalid": _("Un nombre d'heures, par exemple 3,5."),
            "max_digits": _("Au plus 35 heures par semaine."),
            "max_whole_digits": _("Au plus 35 heures par semaine."),
            "max_decimal_places": _("Une décimale au plus (3,5)."),
        },
    )

    def __init__(self, *args, organisation: Organisation, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # Members of the idea's organisation: those the mandate's agreement binds.
        members = RoleGrant.objects.filter(organisation=organisation).values("user_id")
        people = visible_people(user).filter(pk__in=members)
        for name in ("agent", "manager"):
            self.fields[name].queryset = people
            self.fields[name].widget.organisation_id = organisation.pk

    def clean_freed_hours_per_week(self) -> Decimal:
        hours = self.cleaned_data["freed_hours_per_week"]
        if hours is not None and hours <= 0:
            raise forms.ValidationError(
                _(
                    "Le temps libéré doit être un nombre d'heures positif "
                    "(une demi-journée = 3,5 h)."
                )
            )
        return hours


class BaseMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[MemberTerms]:
        result = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("agent") or not data.get("manager"):
                continue
            result.append(MemberTerms(data["agent"], data["manager"], data["freed_hours_per_week"]))
        return result


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=3, can_delete=True, max_num=30
)


def member_initial(members: list[MandateMember]) -> list[dict]:
    return [
        {
            "agent": member.agent,
            "manager": member.manager,
            "freed_hours_per_week": member.freed_hours_per_week,
        }
        for member in members
    ]


def team_from_authors(idea: Idea) -> list[dict]:
    """A new mandate's team as it is first offered: the idea's author and co-authors, whose
    managers and freed time the delegate then fills in."""
    authors = [idea.author, *idea.coauthors.all()]
    return [{"agent": person} for person in authors if person.is_active]


class IdeaChoiceForm(forms.Form):
    idee = forms.ModelChoiceField(queryset=Idea.objects.none(), label=_("Idée accompagnée"))

    def __init__(self, *args, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idee"].queryset = ideas


class SignForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Votre réponse"),
        choices=[
            (Signature.Decision.SIGNED, _("Je signe ce mandat")),
            (Signature.Decision.DECLINED, _("Je refuse de le signer en l'état")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez : signer ou refuser.")},
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        help_text=_("Obligatoire en cas de refus : la délégation revoit le mandat."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Issue du mandat"),
        choices=[
            (Mandate.State.COMPLETED, _("Terminé : le mandat a été mené à son terme")),
            (Mandate.State.STOPPED, _("Arrêté : le projet s'arrête (l'idée sera abandonnée)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez : mandat terminé ou arrêté.")},
    )
    idea_state = forms.ChoiceField(
        label=_("Suite du projet (si terminé)"),
        required=False,
        choices=[
            ("", _("L'idée reste à son étape actuelle")),
            (Idea.State.EXPERIMENTING, _("Lancer l'expérimentation")),
            (Idea.State.DEPLOYED, _("Déclarer l'idée déployée")),
        ],
    )
    evaluation = forms.CharField(
        label=_("Évaluation de clôture"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ce qui a été fait, ce qui a marché, ce qui reste ; toutes les parties la liront."
        ),
        error_messages={"required": _("Rédigez l'évaluation de clôture.")},
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        # What record_followup sets; the hours of each member are added in __init__.
        fields = list(RECORD_FIELDS)
        labels = {
            "indicator": _("Où en est le projet ?"),
            "progress": _("Avancement depuis le dernier point"),
            "blockers": _("Blocages"),
            "decisions": _("Décisions prises"),
            "next_steps": _("Prochaines étapes"),
        }
        widgets = {
            "indicator": forms.RadioSelect,
            "progress": forms.Textarea(attrs={"rows": 4}),
            "blockers": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, members: list[MandateMember], hours: dict[int, Decimal], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].required = True
        self.fields["indicator"].choices = FollowUp.Indicator.choices
        self.fields["indicator"].error_messages["required"] = _("Indiquez où en est le projet.")
        self.fields["progress"].required = True
        self.fields["progress"].error_messages["required"] = _(
            "Décrivez l'avancement depuis le dernier point d'étape."
        )
        self.members = members
        for member in members:
            self.fields[f"hours_{member.pk}"] = FrenchDecimalField(
                label=_("Temps consacré par %(name)s (heures)")
                % {"name": member.agent.get_full_name()},
                help_text=_("Depuis le point précédent. Temps libéré promis : %(hours)s h/semaine.")
                % {"hours": number_format(member.freed_hours_per_week)},
                min_value=0,
                max_digits=6,
                decimal_places=1,
                initial=hours.get(member.pk),
                error_messages={
                    "required": _("Indiquez le temps consacré (0 si aucun)."),
                    "invalid": _("Un nombre d'heures, par exemple 12,5."),
                    "min_value": _("Le temps consacré ne peut pas être négatif."),
                },
            )

    def hours(self) -> dict[int, Decimal]:
        typed = {member.pk: self.cleaned_data.get(f"hours_{member.pk}") for member in self.members}
        return {pk: hours for pk, hours in typed.items() if hours is not None}

    def _post_clean(self):
        pass  # ideas.mandates.followups.record_followup checks and saves
