"""The people picker: a person chosen by typing their name.

With JavaScript (static/js/person-picker.js), the text input becomes a combobox that
suggests the people `visible_people` lets the person find (`/annuaire/chercher/`) and keeps
the one chosen in a hidden input. Without it, the form is a plain search: what was typed is
looked up on submission; one person found is chosen, several are listed in the field's
message so that the name can be made precise (or an e-mail address typed instead).
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innovation.platform.models import User

# Suggestions shown, and names listed when a typed name fits several people.
SUGGESTIONS = 8
# Below this, a search would list half the organisation.
MIN_SEARCH_LENGTH = 2


def person_label(person: User) -> str:
    """What the picker shows of a chosen person: their name (as User.get_full_name)."""
    return person.get_full_name()


def person_detail(person: User) -> str:
    """What tells two namesakes apart, and nothing more: direction, function, organisation."""
    parts = [person.direction.name if person.direction else "", person.job_title]
    parts.append(str(person.organisation) if person.organisation else "")
    return " · ".join(part for part in parts if part)


def matching(people: QuerySet[User], text: str) -> QuerySet[User]:
    """`people` whose first or last name holds every word of `text`, or whose e-mail address
    is `text`; by name."""
    text = text.replace("\x00", "").strip()
    if "@" in text:
        return people.filter(email__iexact=text)
    condition = Q()
    for word in text.split()[:5]:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return people.filter(condition).order_by("last_name", "first_name", "pk")


def suggestions(people: QuerySet[User], text: str) -> list[dict]:
    """What the combobox lists for `text`: at most SUGGESTIONS people, in one query."""
    if len(text.replace("\x00", "").strip()) < MIN_SEARCH_LENGTH:
        return []
    found = matching(people, text).select_related("organisation", "direction")[:SUGGESTIONS]
    return [
        {"id": person.pk, "label": person_label(person), "detail": person_detail(person)}
        for person in found
    ]


class PersonPicker(forms.Widget):
    """A text input for the name and a hidden one for the person chosen in the suggestions
    (`<name>_id`). `organisation` narrows the suggestions to one organisation's people."""

    template_name = "innovation/widgets/person_picker.html"

    def __init__(self, attrs=None, organisation_id: int | None = None):
        super().__init__(attrs)
        self.organisation_id = organisation_id

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_id", ""))

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def format_value(self, value):
        if isinstance(value, User):
            return (person_label(value), str(value.pk))
        if isinstance(value, tuple | list) and len(value) == 2:
            return (value[0] or "", value[1] or "")
        return (str(value) if value else "", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text, pk = context["widget"]["value"]
        url = reverse("people_search")
        if self.organisation_id:
            url += f"?organisation={self.organisation_id}"
        context["widget"].update(text=text, pk=pk, search_url=url)
        return context


class PersonField(forms.Field):
    """One person among `queryset` (the form sets it from `visible_people`), found by what
    was typed or by the suggestion chosen."""

    widget = PersonPicker
    default_error_messages = {
        "required": _("Choisissez une personne."),
        "not_found": _(
            "Personne ne correspond à « %(text)s » parmi les personnes que vous pouvez "
            "trouver. Vérifiez l'orthographe, ou tapez son adresse e-mail."
        ),
        "several": _(
            "Plusieurs personnes correspondent à « %(text)s » : %(names)s. Précisez le nom, "
            "choisissez dans la liste ou tapez son adresse e-mail."
        ),
    }

    def __init__(self, *, queryset: QuerySet[User] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else User.objects.none()

    def to_python(self, value) -> User | None:
        if isinstance(value, User):
            return value
        text, pk = value if isinstance(value, tuple | list) else (value or "", "")
        text = str(text).replace("\x00", "").strip()
        if not text:
            return None
        if chosen_pk := ids([pk]):
            chosen = self.queryset.filter(pk=chosen_pk[0]).first()
            # A chosen suggestion counts only while its name is still what the input says.
            if chosen is not None and person_label(chosen) == text:
                return chosen
        found = list(
            matching(self.queryset, text).select_related("organisation", "direction")[
                : SUGGESTIONS + 1
            ]
        )
        exact = [person for person in found if person_label(person).lower() == text.lower()]
        if len(found) == 1:
            return found[0]
        if len(exact) == 1:
            return exact[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["not_found"], code="not_found", params={"text": text}
            )
        names = " ; ".join(
            f"{person_label(person)} ({person_detail(person)})"
            if person_detail(person)
            else person_label(person)
            for person in found[:SUGGESTIONS]
        )
        raise forms.ValidationError(
            self.error_messages["several"], code="several", params={"text": text, "names": names}
        )


class PeoplePicker(PersonPicker):
    """Several people: those chosen are ticked checkboxes (`<name>_id`; untick one to take
    them off), and the text input adds more — with JavaScript by choosing in the suggestions,
    without it by typing names separated by « ; »."""

    template_name = "innovation/widgets/people_picker.html"

    def value_from_datadict(self, data, files, name):
        value = data.get(name, "")
        if isinstance(value, tuple):  # a form bound to another's values (IdeaForm.checked)
            text, people = value
            return (text, [getattr(person, "pk", person) for person in people])
        ids = data.getlist(f"{name}_id") if hasattr(data, "getlist") else data.get(f"{name}_id")
        return (value, list(ids or []))

    def format_value(self, value):
        text, people = value if isinstance(value, tuple) else ("", value or [])
        return (text, [person for person in people if isinstance(person, User)])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text, chosen = context["widget"]["value"]
        context["widget"].update(text=text, chosen=chosen, pk="")
        return context


class PeopleField(PersonField):
    """Several people among `queryset`: those kept, and those the names typed find."""

    widget = PeoplePicker

    def to_python(self, value) -> list[User]:  # type: ignore[override]
        text, chosen = value if isinstance(value, tuple) else ("", [])
        if isinstance(value, list):  # the initial people
            return [person for person in value if isinstance(person, User)]
        people = self._kept(chosen)
        errors: list[forms.ValidationError] = []
        for name in str(text).replace("\x00", "").split(";"):
            if not name.strip():
                continue
            try:
                person = super().to_python((name, ""))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
                continue
            if person is not None and person not in people:
                people.append(person)
        if errors:
            raise forms.ValidationError(errors)
        return people

    def _kept(self, chosen) -> list[User]:
        return list(self.queryset.filter(pk__in=ids(chosen)).order_by("last_name", "first_name"))

    def validate(self, value) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        """What the widget shows: the people ticked (read once more after a refused form, to
        show their names) and what was typed."""
        if isinstance(value, tuple):
            text, chosen = value
            return (text, self._kept(chosen))
        return ("", list(value or []))

    def has_changed(self, initial, data) -> bool:
        try:
            chosen = {person.pk for person in self.to_python(data)}
        except forms.ValidationError:
            return True
        return chosen != {person.pk for person in initial or []}


def ids(values) -> list[int]:
    """The values that can be a primary key (what a form or a query string sent)."""
    return [int(value) for value in values if str(value).isdecimal() and len(str(value)) < 12]
