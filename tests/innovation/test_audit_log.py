"""The audit trail as people read it (page and CSV): objects by their title, the detail in
French sentences, the address of every action taken from a page, in a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from ideas.models import Idea
from innovation.platform import audit, audit_display, roles
from innovation.platform.models import AuditEvent, Role
from juries.models import Forum
from tests.factories import (
    AdminFactory,
    DelegateFactory,
    ForumFactory,
    IdeaFactory,
    MandateFactory,
    OrganisationFactory,
    PitchFactory,
)
from tests.juries.conftest import build_arena

SIGNED_IN = 4  # session, person, role grants, unread count (tests/innovation/test_platform_pages)


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _line(event: AuditEvent) -> audit_display.AuditLine:
    (line,) = audit_display.describe([event])
    return line


@pytest.mark.django_db
def test_idea_move_from_the_page_is_written_in_french_with_the_title_and_address(client):
    idea = IdeaFactory(title="Navette du personnel", state=Idea.State.SUBMITTED)
    delegate = DelegateFactory(organisation=idea.organisation)
    admin = AdminFactory(organisation=idea.organisation)
    client.force_login(delegate)
    client.post(
        reverse("ideas:move", args=[idea.pk]),
        {"to": "qualified", "support": "internal"},
        REMOTE_ADDR="203.0.113.7",
    )
    client.force_login(admin)

    rows = _csv(client.get(reverse("audit_export") + "?action=idea_moved"))

    assert rows[1][1:] == [
        "Changement d'étape d'une idée",
        delegate.email,
        idea.organisation.name,
        "Idée « Navette du personnel »",
        "De « Déposée » à « Qualifiée »",
        "203.0.113.7",
    ]


@pytest.mark.django_db
def test_forum_stage_change_from_the_page_carries_the_address(client):
    arena = build_arena(stage=Forum.Stage.PREPARING)
    client.force_login(arena.delegate)

    client.post(
        reverse("juries:stage", args=[arena.forum.pk]), {"to": "open"}, REMOTE_ADDR="198.51.100.4"
    )

    event = AuditEvent.objects.get(action=audit.FORUM_MOVED)
    assert event.ip_address == "198.51.100.4"
    assert _line(event).target == f"Forum « {arena.forum.title} »"
    assert _line(event).detail == "De « En préparation » à « Notation ouverte »"


@pytest.mark.django_db
def test_event_recorded_outside_a_request_has_no_address():
    idea = IdeaFactory()

    event = audit.record(audit.IDEA_MOVED, actor=None, target=idea)

    assert event is not None
    assert event.ip_address is None


@pytest.mark.django_db
def test_deleted_object_is_named_by_its_kind_and_number():
    event = AuditEvent.objects.create(action=audit.IDEA_MOVED, target_type="idea", target_id="27")
    mandate = AuditEvent.objects.create(
        action=audit.SIGNATURE, target_type="mandate", target_id="31"
    )
    unknown = AuditEvent.objects.create(action="export", target_type="gadget", target_id="4")

    lines = audit_display.describe([event, mandate, unknown])

    assert [line.target for line in lines] == [
        "Idée n° 27 (supprimée)",
        "Mandat n° 31 (supprimé)",
        "Objet « gadget » n° 4",
    ]


@pytest.mark.django_db
def test_ids_the_database_cannot_take_are_shown_not_looked_up():
    huge = AuditEvent.objects.create(action="export", target_type="idea", target_id="9" * 30)
    odd = AuditEvent.objects.create(action=audit.SCORE_CHANGED, detail={"forum": "²"})

    lines = audit_display.describe([huge, odd])

    assert [line.target for line in lines] == [f"Objet « idea » n° {'9' * 30}", ""]
    assert lines[1].detail == "Forum : ²"


@pytest.mark.django_db
def test_person_without_a_name_is_named_by_number():
    person = DelegateFactory(first_name="", last_name="")
    event = AuditEvent.objects.create(
        action=audit.ROLE_REVOKED, target_type="user", target_id=str(person.pk)
    )

    assert _line(event).target == f"Personne n° {person.pk}"


@pytest.mark.django_db
def test_mandate_pitch_and_person_are_named_by_their_idea_or_name():
    mandate = MandateFactory(idea__title="Rappel des rendez-vous par SMS", team=0)
    pitch = PitchFactory(idea__title="Composteurs partagés")
    person = DelegateFactory(first_name="Inès", last_name="Martin")
    events = [
        AuditEvent.objects.create(
            action="signature", target_type="mandate", target_id=str(mandate.pk)
        ),
        AuditEvent.objects.create(action="recusal", target_type="pitch", target_id=str(pitch.pk)),
        AuditEvent.objects.create(
            action="role_granted", target_type="user", target_id=str(person.pk)
        ),
    ]

    lines = audit_display.describe(events)

    assert [line.target for line in lines] == [
        "Mandat « Rappel des rendez-vous par SMS »",
        "Pitch « Composteurs partagés »",
        "Personne « Inès Martin »",
    ]


@pytest.mark.django_db
def test_detail_of_each_kind_of_event_is_a_french_sentence():
    forum = ForumFactory(title="Forum d'automne")
    details = {
        audit.LOGIN_FAILED: {"username": "a@ville.fr"},
        audit.PERMISSION_DENIED: {"path": "/journal/", "method": "GET"},
        audit.EXPORT: {"path": "/journal/export.csv", "query": "action=login"},
        audit.SIGNATURE: {"decision": "signed", "parties": ["sponsor"], "terms_version": 2},
        audit.SCORE_CHANGED: {"forum": forum.pk, "juror": 8, "marks_changed": 3},
        audit.RECUSAL: {"forum": forum.pk, "juror": 8, "marks_withdrawn": 1},
        audit.PEOPLE_IMPORTED: {"created": 12, "updated": 1},
        audit.FORUM_MOVED: {"from": "closed", "to": "published"},
    }
    events = [AuditEvent.objects.create(action=a, detail=d) for a, d in details.items()]

    lines = audit_display.describe(events)

    assert [line.detail for line in lines] == [
        "Adresse saisie : a@ville.fr",
        "Page demandée : GET /journal/",
        "Page demandée : /journal/export.csv · Filtres : action=login",
        "Décision : Signé · Au titre de : Sponsor · Version 2 des conditions",
        "3 notes modifiées · Forum « Forum d'automne »",
        "1 note retirée · Forum « Forum d'automne »",
        "12 personnes créées · 1 personne mise à jour",
        "De « Notation close, délibération » à « Palmarès publié »",
    ]


@pytest.mark.django_db
def test_role_grant_reads_as_the_role_on_the_organisation():
    organisation = OrganisationFactory(name="Ville de Saint-Quentin")
    person = DelegateFactory(organisation=organisation, first_name="Inès", last_name="Martin")

    roles.grant_role(person, organisation, Role.ADMIN, actor=None)

    line = _line(AuditEvent.objects.get(action=audit.ROLE_GRANTED))
    assert line.target == "Personne « Inès Martin »"
    assert line.detail == "Rôle « Administrateur·rice » sur Ville de Saint-Quentin"


@pytest.mark.django_db
def test_unknown_detail_keys_fall_back_to_key_and_value():
    event = AuditEvent.objects.create(
        action=audit.IDEA_MOVED,
        detail={"from": "submitted", "to": "mystery", "batch_size": 3, "forced": True},
    )

    assert _line(event).detail == ("De « Déposée » à « mystery » · Batch size : 3 · Forced : oui")


@pytest.mark.django_db
def test_detail_missing_the_expected_keys_is_still_said_key_by_key():
    event = AuditEvent.objects.create(action=audit.SCORE_CHANGED, detail={"forum": "x"})

    assert _line(event).detail == "Forum : x"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_audit_trail_names_its_objects_in_one_query_per_kind(
    client, organisation, django_assert_num_queries, count
):
    admin = AdminFactory(organisation=organisation)
    ideas = IdeaFactory.create_batch(count, organisation=organisation)
    for idea in ideas:
        audit.record(
            audit.IDEA_MOVED,
            actor=admin,
            target=idea,
            detail={"from": "submitted", "to": "qualified"},
        )
    client.force_login(admin)

    # The capped count, the filter's organisations, the page, the ideas' titles.
    with django_assert_num_queries(SIGNED_IN + 4):
        response = client.get(reverse("audit_log"))

    body = response.content.decode()
    moves = [line for line in response.context["lines"] if line.event.action == "idea_moved"]
    assert [line.target for line in moves] == [f"Idée « {idea.title} »" for idea in reversed(ideas)]
    assert all(escape(f"Idée « {idea.title} »") in body for idea in ideas)
    assert body.count("De « Déposée » à « Qualifiée »") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_audit_export_names_its_objects_in_one_query_per_kind(
    client, organisation, django_assert_num_queries, count
):
    admin = AdminFactory(organisation=organisation)
    ideas = IdeaFactory.create_batch(count, organisation=organisation)
    for idea in ideas:
        audit.record(audit.IDEA_MOVED, actor=admin, target=idea)
    client.force_login(admin)

    # The filter's organisations, the rows, the ideas' titles; then the export's own line.
    with django_assert_num_queries(SIGNED_IN + 4):
        rows = _csv(client.get(reverse("audit_export") + "?action=idea_moved"))

    assert [row[4] for row in rows[1:]] == [f"Idée « {idea.title} »" for idea in reversed(ideas)]
