"""One walk over every named URL: who is let in, who is refused, who cannot even see.

For each URL the table below names the object it is about, one person who must get in
(anything but 403/404/5xx), and one person of the same organisation whose missing role
must be refused with a 403. Everyone else is checked generically: anonymous people are
sent to the login page, and a person holding every role in another organisation gets a
404 for any object of this one. A URL missing from the table fails the test, so a new
page cannot ship without its line here.

The objects and people are those of the shared world (tests/world.py): a name in the
table is a name of that world (`author` is the idea's author, `agent` a plain agent of the
same organisation, `outsider` the person of another organisation).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from innovation.platform.models import Role
from tests.world import World, build_world

# Pages anyone may open: logging in, and recovering a password.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Calendar feeds carry a private token instead of a session (Outlook cannot log in);
# tests/rituals covers them: a wrong token is a 404.
TOKEN = {"rituals:personal_feed", "rituals:ritual_feed"}

# name: (object it is about, or None; who must get in; who must be refused with 403, or
# None when every member may use it or when the page is invisible (404) to the rest).
MATRIX: dict[str, tuple[str | None, str, str | None]] = {
    "home": (None, "agent", None),
    "dashboard": (None, "delegate", "agent"),
    "dashboard_export": ("dashboard_table", "delegate", "agent"),
    "profile": (None, "agent", None),
    "notification_list": (None, "agent", None),
    "notification_mark_read": (None, "agent", None),
    "people_list": (None, "agent", None),
    "people_search": (None, "agent", None),
    "people_import": (None, "admin", "delegate"),
    "person_pseudonymise": ("author", "admin", "delegate"),
    "person_detail": ("author", "delegate", "agent"),
    "my_data": (None, "agent", None),
    "audit_log": (None, "admin", "delegate"),
    "audit_export": (None, "admin", "delegate"),
    "password_change": (None, "agent", None),
    "password_change_done": (None, "agent", None),
    "ideas:list": (None, "agent", None),
    "ideas:export": (None, "delegate", "agent"),
    "ideas:board": (None, "delegate", "agent"),
    "ideas:create": (None, "agent", None),
    "ideas:detail": ("idea", "agent", None),
    "ideas:edit": ("idea", "author", "agent"),
    "ideas:move": ("idea", "delegate", "agent"),
    "ideas:support": ("idea", "delegate", "agent"),
    "ideas:vote": ("idea", "agent", None),
    "ideas:follow": ("idea", "agent", None),
    "ideas:coauthor_leave": ("idea_selected", "manager", "agent"),
    "ideas:comment": ("idea", "agent", None),
    "ideas:comment_hide": ("comment", "delegate", "agent"),
    "ideas:attachment_upload": ("idea", "author", "agent"),
    "ideas:attachment_download": ("attachment", "agent", None),
    "ideas:campaign_list": (None, "agent", None),
    "ideas:campaign_create": (None, "delegate", "agent"),
    "ideas:campaign_detail": ("campaign", "agent", None),
    "ideas:campaign_edit": ("campaign", "delegate", "agent"),
    "ideas:challenge_create": (None, "director", "agent"),
    "ideas:challenge_detail": ("challenge", "agent", None),
    "ideas:challenge_edit": ("challenge", "director", "agent"),
    "ideas:mandate_list": (None, "agent", None),
    "ideas:mandate_export": (None, "delegate", "agent"),
    "ideas:mandate_signatures": (None, "agent", None),
    "ideas:mandate_create": (None, "delegate", "agent"),
    "ideas:mandate_detail": ("mandate_active", "sponsor", None),
    "ideas:mandate_edit": ("mandate_draft", "delegate", "sponsor"),
    "ideas:mandate_send": ("mandate_draft", "delegate", "sponsor"),
    "ideas:mandate_sign": ("mandate_awaiting", "sponsor", "delegate"),
    "ideas:mandate_print": ("mandate_active", "sponsor", None),
    "ideas:mandate_end": ("mandate_active", "delegate", "sponsor"),
    "ideas:followup_record": ("followup", "author", "sponsor"),
    "rituals:list": (None, "agent", None),
    "rituals:create": (None, "delegate", "agent"),
    "rituals:detail": ("ritual", "agent", None),
    "rituals:edit": ("ritual", "delegate", "agent"),
    "rituals:occurrence": ("occurrence", "agent", None),
    "rituals:register": ("occurrence", "agent", None),
    "rituals:occurrence_edit": ("occurrence", "delegate", "agent"),
    "rituals:occurrence_cancel": ("occurrence", "delegate", "agent"),
    "rituals:attendance": ("occurrence", "delegate", "agent"),
    "rituals:export": ("occurrence", "delegate", "agent"),
    "rituals:occurrence_ics": ("occurrence", "agent", None),
    "rituals:calendar": (None, "agent", None),
    "juries:list": (None, "agent", None),
    "juries:create": (None, "delegate", "agent"),
    "juries:detail": ("forum_open", "agent", None),
    "juries:edit": ("forum_preparing", "delegate", "agent"),
    "juries:criterion_create": ("forum_preparing", "delegate", "agent"),
    "juries:criterion_delete": ("criterion", "delegate", "agent"),
    "juries:juror_create": ("forum_preparing", "delegate", "agent"),
    "juries:juror_delete": ("seat", "delegate", "agent"),
    "juries:put_forward": ("forum_preparing", "delegate", "agent"),
    "juries:pitch_withdraw": ("pitch_preparing", "delegate", "agent"),
    "juries:pitch_move": ("pitch_preparing", "delegate", "agent"),
    "juries:on_stage": ("forum_open", "delegate", "juror"),
    "juries:stage": ("forum_open", "delegate", "juror"),
    "juries:score": ("forum_open", "juror", "agent"),
    "juries:score_pitch": ("forum_open+pitch", "juror", "agent"),
    "juries:recuse": ("forum_open+pitch", "juror", "agent"),
    "juries:board": ("forum_open", "delegate", "juror"),
    "juries:board_json": ("forum_open", "delegate", "juror"),
    "juries:timer": ("forum_open", "delegate", "juror"),
    "juries:export_scores": ("forum_open", "juror", "agent"),
    "juries:results": ("forum_closed", "delegate", "agent"),
    "juries:deliberate": ("forum_closed", "delegate", "juror"),
    "juries:publish": ("forum_closed", "delegate", "juror"),
    "juries:export_results": ("forum_closed", "delegate", "agent"),
    "juries:palmares": ("forum_published", "agent", None),
    "juries:accompany": ("forum_published", "delegate", "juror"),
}

# Views that only answer POST: the matrix posts an empty form to them.
POST_ONLY = {
    "notification_mark_read",
    "ideas:support",
    "ideas:vote",
    "ideas:follow",
    "ideas:coauthor_leave",
    "ideas:mandate_send",
    "rituals:register",
    "juries:criterion_delete",
    "juries:juror_delete",
    "juries:pitch_withdraw",
    "juries:pitch_move",
    "juries:on_stage",
    "juries:stage",
    "juries:publish",
    "juries:accompany",
}


def named_urls(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# Query strings some pages need to know what is asked of them.
QUERIES = {"ideas:move": "?to=qualified"}


def url(world: World, name: str) -> str:
    target = MATRIX[name][0]
    if target is None:
        args = []
    elif target == "forum_open+pitch":
        args = [world.forum_open.pk, world.pitch_open.pk]
    else:
        thing = getattr(world, target)
        args = [getattr(thing, "pk", thing)]
    return reverse(name, args=args) + QUERIES.get(name, "")


# What a POST-only view needs to know which action is asked (so only permission decides).
POST_DATA = {"juries:stage": {"to": "closed"}}


def call(client, name: str, path: str):
    return client.post(path, POST_DATA.get(name, {})) if name in POST_ONLY else client.get(path)


def test_every_named_url_is_in_the_matrix():
    names = set(named_urls()) - PUBLIC - TOKEN

    assert sorted(names - set(MATRIX)) == []
    assert sorted(set(MATRIX) - names) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(client, name):
    world = build_world()
    path = url(world, name)
    target, allowed, refused = MATRIX[name]

    anonymous = call(client, name, path)
    client.force_login(world.outsider)
    outsider = call(client, name, path)
    refusal = None
    if refused:
        client.force_login(world.people[refused])
        refusal = call(client, name, path).status_code
    client.force_login(world.people[allowed])
    admitted = call(client, name, path)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    if target is not None and target != "dashboard_table":
        assert outsider.status_code == 404
    if refused:
        assert refusal == 403
    assert admitted.status_code not in {403, 404}
    assert admitted.status_code < 500


ROLE_HOLDERS = {"delegate": Role.DELEGATE, "admin": Role.ADMIN, "director": Role.DIRECTOR}
# Rights that come from being named on the object rather than from a role: an author edits
# their own challenge, a signer signs, a juror holds a seat. Revoking a role leaves them.
BY_DESIGNATION = {"ideas:challenge_edit"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    sorted(
        name
        for name, (_, allowed, _) in MATRIX.items()
        if allowed in ROLE_HOLDERS and name not in BY_DESIGNATION
    ),
)
def test_revoked_role_is_refused_on_the_very_next_request(client, name):
    world = build_world()
    path = url(world, name)
    person = world.people[MATRIX[name][1]]
    client.force_login(person)
    before = call(client, name, path).status_code
    person.role_grants.filter(role=ROLE_HOLDERS[MATRIX[name][1]]).delete()

    after = call(client, name, path).status_code

    assert before not in {403, 404}
    assert after in {403, 404}
