"""Every forum page loads the forum, the person's seat on its jury and which of their
organisations take part in it in one hand-written query (`selectors.forum_for_page`): it must
find exactly what the rules of `permissions.py` find through the ORM."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from innovation.models import Role
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

# Every check a forum page may ask, each taking (person, forum).
CHECKS = [
    permissions.can_view_forum,
    permissions.participating_organisation_ids,
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
        selectors.forum_for_page(person, pk)
    except Http404:
        return False
    return True


@pytest.mark.django_db
def test_forum_for_page_finds_exactly_the_visible_forums():
    people, forums = world()

    for person in people:
        visible = set(permissions.visible_forums(person).values_list("pk", flat=True))
        found = {forum.pk for forum in forums if loads(person, forum.pk)}

        assert found == visible, person


@pytest.mark.django_db
def test_forum_for_page_refuses_the_anonymous_and_unknown_forums():
    people, forums = world()

    assert not loads(AnonymousUser(), forums[0].pk)
    assert not loads(people[0], max(forum.pk for forum in forums) + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("stage", list(Stage))
def test_checks_on_a_page_forum_answer_as_on_a_forum_from_the_orm(stage):
    people, forums = world()
    Forum.objects.update(stage=stage)

    for person in people:
        for forum in forums:
            if not loads(person, forum.pk):
                continue
            for check in CHECKS:
                page_forum = selectors.forum_for_page(person, forum.pk)
                plain_forum = Forum.objects.get(pk=forum.pk)

                assert check(person, page_forum) == check(person, plain_forum), (
                    check.__name__,
                    person,
                    forum,
                )


@pytest.mark.django_db
def test_forum_for_page_reads_the_rows_as_the_orm_does(django_assert_num_queries):
    people, forums = world()
    president = people[8]
    president.role_map  # noqa: B018 (loaded with the person on every request)

    with django_assert_num_queries(1):
        forum = selectors.forum_for_page(president, forums[0].pk)
        seat = permissions.juror_seat(president, forum)
        permissions.can_see_results(president, forum)
        permissions.can_manage_forum(president, forum)

    expected = Forum.objects.get(pk=forums[0].pk)
    expected_seat = Juror.objects.get(forum=expected, user=president)
    for field in Forum._meta.concrete_fields:
        value = getattr(forum, field.attname)
        assert value == getattr(expected, field.attname), field.name
        assert type(value) is type(getattr(expected, field.attname)), field.name
    for field in Juror._meta.concrete_fields:
        assert getattr(seat, field.attname) == getattr(expected_seat, field.attname), field.name
    assert seat.forum is forum
