"""A choice field's label costs one translation, and says what Django's own display says."""

import pytest
from django.utils import translation

from innovation.platform.choices import display_method, label_of
from innovation.platform.models import Role


def test_label_of_a_value_and_of_an_unknown_one():
    assert label_of(Role, Role.DELEGATE) == "Délégué·e à l'innovation"
    assert label_of(Role, "nobody") == "nobody"
    assert label_of(Role, None) == ""


def test_a_display_method_translates_one_label(monkeypatch):
    class Grant:
        role = Role.JUROR
        get_role_display = display_method("role", Role)

    calls = []
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda m: calls.append(m) or real(m))

    assert Grant().get_role_display() == "Membre du jury"
    assert calls == ["Membre du jury"]


@pytest.mark.django_db
def test_django_own_display_translates_every_label(monkeypatch):
    """Why the module exists: what it replaces costs one gettext call per choice."""
    from tests.factories import AgentFactory

    grant = AgentFactory().role_grants.get()
    calls = []
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda m: calls.append(m) or real(m))

    grant._get_FIELD_display(grant._meta.get_field("role"))

    assert len(calls) >= len(Role.choices)
