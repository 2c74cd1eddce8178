import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea
from innovation.platform.models import Role
from innovation.site import dashboard
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    DirectionFactory,
    IdeaEventFactory,
    IdeaFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
    active_mandate,
    grant,
)


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.mark.django_db
def test_build_dashboard_counts_ideas_of_delegate_organisations_only(delegate, organisation):
    direction = DirectionFactory(organisation=organisation, name="Enfance")
    campaign = CampaignFactory(created_by=delegate, title="Appel 2025")
    IdeaFactory.create_batch(
        2,
        organisation=organisation,
        direction=direction,
        campaign=campaign,
        state=Idea.State.QUALIFIED,
        support=Idea.Support.EXTERNAL,
    )
    IdeaFactory(organisation=organisation, direction=None, state=Idea.State.SUBMITTED)
    IdeaFactory(organisation=organisation, direction=direction, state=Idea.State.DRAFT)
    IdeaFactory(organisation=OrganisationFactory(), state=Idea.State.SUBMITTED)

    data = dashboard.build_dashboard(delegate)

    assert [(row.key, row.count) for row in data.funnel] == [
        (state, {"draft": 1, "submitted": 1, "qualified": 2}.get(state, 0))
        for state in Idea.State.values
    ]
    assert (data.total, data.submitted_total) == (4, 3)
    assert [(row.label, row.count) for row in data.by_direction] == [
        ("Enfance", 2),
        ("Sans direction", 1),
    ]
    assert [(row.label, row.count) for row in data.by_campaign] == [
        ("Appel 2025", 2),
        ("Hors appel à idées", 1),
    ]
    assert [(row.key, row.count) for row in data.by_support] == [
        ("autonomous", 0),
        ("internal", 0),
        ("external", 2),
        ("", 1),
    ]


@pytest.mark.django_db
def test_build_dashboard_recent_events_hide_drafts_and_other_organisations(delegate):
    visible = IdeaEventFactory(
        idea=IdeaFactory(organisation=delegate.organisation), actor=delegate, reason="Prometteur"
    )
    IdeaEventFactory(idea=IdeaFactory(organisation=delegate.organisation, state=Idea.State.DRAFT))
    IdeaEventFactory(idea=IdeaFactory(organisation=OrganisationFactory()))

    data = dashboard.build_dashboard(delegate)

    assert data.events == [visible]


@pytest.mark.django_db
def test_dashboard_filters_by_one_of_several_organisations(client, delegate):
    network = OrganisationFactory()
    grant(delegate, network, Role.DELEGATE)
    IdeaFactory(organisation=delegate.organisation)
    IdeaFactory.create_batch(2, organisation=network)
    client.force_login(delegate)

    everything = client.get(reverse("dashboard"))
    filtered = client.get(reverse("dashboard"), {"organisation": network.pk})

    assert everything.context["data"].total == 3
    assert filtered.context["data"].total == 2
    assert filtered.context["data"].selected == network


@pytest.mark.django_db
def test_dashboard_ignores_organisation_the_delegate_does_not_run(client, delegate):
    elsewhere = OrganisationFactory()
    IdeaFactory(organisation=elsewhere)
    client.force_login(delegate)

    response = client.get(reverse("dashboard"), {"organisation": elsewhere.pk})

    assert response.status_code == 200
    assert response.context["data"].total == 0


@pytest.mark.django_db
def test_dashboard_page_shows_every_state_and_export_links(client, delegate):
    client.force_login(delegate)

    response = client.get(reverse("dashboard"))

    content = response.content.decode()
    for label in Idea.State.labels:
        assert str(label) in content
    for table in dashboard.EXPORT_TABLES:
        assert reverse("dashboard_export", kwargs={"table": table}) in content


@pytest.mark.django_db
def test_dashboard_export_directions_lists_all_directions(client, delegate):
    for index in range(25):
        direction = DirectionFactory(organisation=delegate.organisation, name=f"Dir {index:02}")
        IdeaFactory(organisation=delegate.organisation, direction=direction)
    client.force_login(delegate)

    response = client.get(reverse("dashboard_export", kwargs={"table": "directions"}))

    rows = read_csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["Direction", "Organisation", "Nombre d'idées"]
    assert len(rows) == 26


@pytest.mark.django_db
def test_dashboard_export_activity_neutralises_formulas(client, delegate):
    author = AgentFactory(organisation=delegate.organisation)
    idea = IdeaFactory(author=author, title='=HYPERLINK("http://x")')
    IdeaEventFactory(idea=idea, actor=delegate, reason="Bien")
    client.force_login(delegate)

    response = client.get(reverse("dashboard_export", kwargs={"table": "activite"}))

    rows = read_csv(response)
    assert rows[0] == ["Date", "Idée", "Par", "Avant", "Après", "Motif"]
    assert rows[1][1:] == [
        '\'=HYPERLINK("http://x")',
        delegate.get_full_name(),
        "Déposée",
        "Qualifiée",
        "Bien",
    ]


@pytest.mark.django_db
def test_dashboard_export_funnel_has_every_state(client, delegate):
    client.force_login(delegate)

    response = client.get(reverse("dashboard_export", kwargs={"table": "etapes"}))

    rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == [str(label) for label in Idea.State.labels]


@pytest.mark.django_db
def test_dashboard_export_unknown_table_is_not_found(client, delegate):
    client.force_login(delegate)

    response = client.get(reverse("dashboard_export", kwargs={"table": "inconnu"}))

    assert response.status_code == 404


@pytest.mark.django_db
def test_dashboard_lists_overdue_followups_and_next_breakfasts(client):
    mandate = active_mandate()
    delegate = mandate.created_by
    ritual = RitualFactory(created_by=delegate)
    occurrence = OccurrenceFactory(ritual=ritual)
    client.force_login(delegate)
    first_due = mandate.followups.order_by("due_on").first().due_on

    before = client.get(reverse("dashboard"))
    with time_machine.travel(first_due + datetime.timedelta(days=2)):
        client.force_login(delegate)  # six weeks later: a new working day, a new session
        response = client.get(reverse("dashboard"))

    data = response.context["data"]
    assert [f.mandate_id for f in data.overdue_followups] == [mandate.pk]
    assert data.overdue_count == 1
    assert before.context["data"].overdue_count == 0
    assert [o.pk for o in before.context["data"].next_breakfasts] == [occurrence.pk]
    assert timezone.now() < occurrence.starts_at
