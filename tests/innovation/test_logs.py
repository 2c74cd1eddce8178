"""Refusals are one line in the log: who, what, why; never a traceback."""

import logging

import pytest
from django.urls import reverse

from innovation.platform.models import AuditEvent

pytestmark = pytest.mark.django_db


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refusal_is_logged_as_one_line_without_traceback(client, agent, caplog):
    client.force_login(agent)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("ideas:board"))

    assert response.status_code == 403
    [record] = request_records(caplog)
    line = logging.Formatter().format(record)
    assert line == (
        f"Refused GET /idees/tableau/ (view ideas:board) to user {agent.pk}: "
        "no right to this action"
    )


def test_a_missing_page_is_logged_without_traceback(client, agent, caplog):
    client.force_login(agent)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("ideas:detail", args=[999_999]))

    assert response.status_code == 404
    [record] = request_records(caplog)
    assert "Traceback" not in logging.Formatter().format(record)
    assert record.exc_info is None


def test_a_refusal_still_reaches_the_audit_trail(client, agent):
    client.force_login(agent)

    client.get(reverse("ideas:board"))

    refusals = AuditEvent.objects.filter(action="permission_denied")
    assert list(refusals.values_list("actor_id", "detail")) == [
        (agent.pk, {"path": "/idees/tableau/", "method": "GET"})
    ]
