"""Every forum page loads the forum through `permissions.visible_forums` with what the person
is to it (`selectors.forum_access`: their seat, the participants they represent) in one query;
the services build the same from a forum at hand (`permissions.access_to`). Both must lead
every check to the same answer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from innovation.platform.models import Role, RoleGrant
from juries import permissions, selectors
from juries.models import Forum, Juror
from tests.factories import (
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    ForumFactory,
    ForumJurorFactory,
    OrganisationFactory,
    UserFactory,
    grant,
)

Stage = Forum.Stage

# Every check a forum page may ask, each taking what the person is to the forum.
CHECKS = [
    permissions.juror_seat,
    permissions.is_president,
    permissions.can_manage_forum,
    permissions.can_edit_setup,
    permissions.can_edit_jury,
    permissions.put_forward_organisation_ids,
    permissions.can_put_forward,
    permissions.can_order_programme,
    permissions.can_run_room,
    permissions.can_open_scoring,
    permissions.can_close_scoring,
    permissions.can_score,
    permissions.can_see_results,
    permissions.can_deliberate,
    permissions.can_publish,
    permissions.can_export_scores,
    permissions.can_export_results,
    permissions.can_see_palmares,
    permissions.can_recuse,
    permissions.accompaniment_organisation_ids,
]


def world():
    """A forum whose organiser does not take part in it, another forum, and people related to
    them in every way the rules know."""
    organiser, guest, other_guest, outsider = (OrganisationFactory() for _ in range(4))
    organiser_delegate = DelegateFactory(organisation=organiser)
    forum = ForumFactory(created_by=organiser_delegate, organisations=[guest, other_guest])
    elsewhere = ForumFactory(organisations=[outsider])
    president = ForumJurorFactory(forum=forum, user__organisation=outsider, is_president=True).user
    juror_of_a_guest = ForumJurorFactory(forum=forum, user__organisation=other_guest).user
    two_hats = AgentFactory(organisation=outsider)
    grant(two_hats, guest, Role.DELEGATE)
    people = [
        organiser_delegate,
        AgentFactory(organisation=organiser),
        AgentFactory(organisation=guest),
        DelegateFactory(organisation=guest),
        DelegateFactory(organisation=other_guest),
        DelegateFactory(organisation=outsider),
        AdminFactory(organisation=guest),
        AdminFactory(organisation=outsider),
        president,
        juror_of_a_guest,
        two_hats,
        UserFactory(organisation=guest),  # no role at all
    ]
    return people, [forum, elsewhere]


def loads(person, pk):
    try:
        selectors.forum_access(person, pk)
    except Http404:
        return False
    return True


@pytest.mark.django_db
def test_forum_access_finds_exactly_the_visible_forums():
    people, forums = world()

    for person in people:
        visible = set(permissions.visible_forums(person).values_list("pk", flat=True))
        found = {forum.pk for forum in forums if loads(person, forum.pk)}

        assert found == visible, person


@pytest.mark.django_db
def test_forum_access_refuses_the_anonymous_and_unknown_forums():
    people, forums = world()

    assert not loads(AnonymousUser(), forums[0].pk)
    assert not loads(people[0], max(forum.pk for forum in forums) + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("stage", list(Stage))
def test_checks_answer_the_same_on_a_page_access_and_on_a_forum_at_hand(stage):
    people, forums = world()
    Forum.objects.update(stage=stage)

    for person in people:
        for forum in forums:
            if not loads(person, forum.pk):
                continue
            page_access = selectors.forum_access(person, forum.pk)
            plain_access = permissions.access_to(person, Forum.objects.get(pk=forum.pk))
            for check in CHECKS:
                assert check(page_access) == check(plain_access), (check.__name__, person, forum)


@pytest.mark.django_db
def test_a_person_represents_the_participants_where_they_are_delegate_only():
    people, forums = world()
    two_hats = people[10]  # an agent of an outsider, delegate of a guest
    guest = RoleGrant.objects.get(user=two_hats, role=Role.DELEGATE).organisation_id

    access = selectors.forum_access(two_hats, forums[0].pk)

    assert access.represented == {guest}
    assert access.seat is None
    assert permissions.can_manage_forum(access)


@pytest.mark.django_db
@pytest.mark.parametrize("who", [8, 0])  # the president, the organiser's delegate
def test_forum_access_costs_one_query_and_reads_the_rows_as_the_orm_does(
    django_assert_num_queries, who
):
    people, forums = world()
    person = people[who]
    person.role_map  # noqa: B018 (loaded with the person on every request)

    with django_assert_num_queries(1):
        access = selectors.forum_access(person, forums[0].pk)
        for check in CHECKS:
            check(access)

    expected = Forum.objects.get(pk=forums[0].pk)
    for field in Forum._meta.concrete_fields:
        value = getattr(access.forum, field.attname)
        assert value == getattr(expected, field.attname), field.name
        assert type(value) is type(getattr(expected, field.attname)), field.name
    expected_seat = Juror.objects.filter(forum=expected, user=person).first()
    if expected_seat is None:
        assert access.seat is None
    else:
        for field in Juror._meta.concrete_fields:
            assert getattr(access.seat, field.attname) == getattr(expected_seat, field.attname)
