"""What the idea pages need, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import ngettext

from ideas import permissions
from ideas.models import (
    Attachment,
    Campaign,
    Challenge,
    Comment,
    Follow,
    Idea,
    IdeaEvent,
    Mandate,
    Vote,
)
from ideas.pipeline import BOARD_STATES, EXIT_STATES
from innovation.platform.models import User
from innovation.platform.permissions import is_member

LIST_RELATED = ("organisation", "direction", "author", "theme", "campaign")

BOARD_CARD = (
    "pk",
    "state",
    "title",
    "author__first_name",
    "author__last_name",
    "author__email",
    # What permissions.author_shown reads of a card.
    "author_hidden",
    "author_id",
    "organisation_id",
    "organisation__name",
    "organisation__short_name",
    "theme__name",
    "vote_count",
    "updated_at",
)
# What the short idea lists of a campaign or a challenge show.
SHORT_LIST_COLUMNS = (
    "title",
    "state",
    "vote_count",
    "organisation__name",
    "organisation__short_name",
    "author__first_name",
    "author__last_name",
    "author__email",
    # What permissions.can_see_author reads (with the `coauthored_by` annotation).
    "author_hidden",
    "author_id",
    "organisation_id",
)


def idea_list(user: User) -> QuerySet[Idea]:
    """Public ideas the person may see, ready for a table."""
    return listed_ideas(user).select_related(*LIST_RELATED)


def listed_ideas(user: User) -> QuerySet[Idea]:
    """The ideas of the person's idea list (every visible idea but drafts), without joins:
    what picks a page of them is then read from the indexes alone (see `page_ids`)."""
    return permissions.visible_ideas(user).exclude(state=Idea.State.DRAFT)


def voted_by(user: User) -> Exists:
    """Whether the person supports the idea of the row (an annotation)."""
    return Exists(Vote.objects.filter(idea=OuterRef("pk"), voter=user.pk))


def page_ids(matching: QuerySet[Idea]) -> QuerySet:
    """What the idea lists paginate: the ids of the matching ideas, in their order. Counted,
    a count over ids; sliced, one page of ids, which `list_page` then reads the rows of.
    Both read only columns that `idea_recent_visible_idx` holds (an index-only scan), so a
    deep page skips the ideas before it in the index alone: read as one query over whole
    rows, PostgreSQL read every idea it skipped (9,735 rows for page 40)."""
    return matching.values_list("pk", flat=True)


@dataclass(frozen=True, slots=True)
class IdeaRow:
    """What a row of the idea table shows: read as plain values, which costs a fraction of
    the five model instances per row (idea, author, organisation, direction, theme)."""

    pk: int
    title: str
    state: str
    state_label: str
    author: str
    organisation: str
    direction: str | None
    theme: str | None
    vote_count: int
    comment_count: int
    submitted_at: datetime | None
    my_vote: bool


LIST_ROW = (
    "pk",
    "title",
    "state",
    "author__first_name",
    "author__last_name",
    "author__email",
    "organisation__name",
    "organisation__short_name",
    "direction__name",
    "theme__name",
    "vote_count",
    "comment_count",
    "submitted_at",
    "my_vote",
    # What permissions.author_shown reads of a row.
    "author_hidden",
    "author_id",
    "organisation_id",
    permissions.COAUTHOR_ANNOTATION,
)


def list_page(user: User, ids: list[int]) -> list[IdeaRow]:
    """The rows of the ideas `ids`, in that order: a page of `page_ids`, which the visibility
    rule and the filters picked. The ids are read first, in a query of their own: as a
    subquery here, compiling that rule once more cost more than the query's round trip."""
    labels = dict(Idea.State.choices)
    found = (
        Idea.objects.filter(pk__in=ids)
        .order_by()  # put in the order of `ids` below
        .annotate(
            my_vote=voted_by(user),
            **{permissions.COAUTHOR_ANNOTATION: permissions.coauthored_by(user)},
        )
        .values_list(*LIST_ROW)
    )
    position = {pk: index for index, pk in enumerate(ids)}
    rows = sorted(found, key=lambda row: position[row[0]])
    return [
        IdeaRow(
            pk=pk,
            title=title,
            state=state,
            state_label=labels.get(state, state),
            # As User.get_full_name and Organisation.__str__.
            author=f"{first_name} {last_name}".strip() or email
            if permissions.author_shown(
                user,
                hidden=hidden,
                author_id=author_id,
                organisation_id=organisation_id,
                coauthor=coauthor,
            )
            else str(permissions.HIDDEN_AUTHOR),
            organisation=short_name or name,
            direction=direction,
            theme=theme,
            vote_count=votes,
            comment_count=comments,
            submitted_at=submitted_at,
            my_vote=my_vote,
        )
        for (
            pk,
            title,
            state,
            first_name,
            last_name,
            email,
            name,
            short_name,
            direction,
            theme,
            votes,
            comments,
            submitted_at,
            my_vote,
            hidden,
            author_id,
            organisation_id,
            coauthor,
        ) in rows
    ]


def short_list(ideas: QuerySet[Idea], user: User) -> QuerySet[Idea]:
    """`ideas` with what a short list of a campaign's or a challenge's ideas shows to `user`
    (the author's name through the `author_for` filter). Such a list is seldom paged deep:
    its page is read in one query, without `page_ids`."""
    return (
        ideas.select_related("organisation", "author")
        .only(*SHORT_LIST_COLUMNS)
        .annotate(**{permissions.COAUTHOR_ANNOTATION: permissions.coauthored_by(user)})
    )


# --- One idea -------------------------------------------------------------------------------


def idea_for_page(user: User, pk: int) -> Idea:
    """One visible idea, or a 404, with what its permission checks read: its co-authors (by
    name), and its campaign's organisations when the person is not a member of the idea's
    organisation (only then do the checks ask whether a campaign is shared with them)."""
    queryset = (
        permissions.visible_ideas(user)
        .select_related("campaign")
        .prefetch_related(_coauthors())
        .defer("search_vector")
    )
    idea = get_object_or_404(queryset, pk=pk)
    _load_shared_campaign(user, idea)
    return idea


def idea_for_detail(user: User, pk: int) -> Idea:
    """`idea_for_page` with everything the idea page shows, and the person's own relation to
    it: `my_vote`, `my_follow`, and `has_mandates` (whether it has any mandate, whoever may
    see it: most ideas have none, and then the page asks no more)."""
    queryset = (
        permissions.visible_ideas(user)
        .select_related(*LIST_RELATED, "challenge")
        .defer("search_vector")
        .annotate(
            my_vote=voted_by(user),
            my_follow=Exists(Follow.objects.filter(idea=OuterRef("pk"), user=user.pk)),
            has_mandates=Exists(Mandate.objects.filter(idea=OuterRef("pk"))),
        )
        .prefetch_related(_coauthors())
    )
    idea = get_object_or_404(queryset, pk=pk)
    _load_shared_campaign(user, idea)
    return idea


def _coauthors() -> Prefetch:
    # The users' own order (last name, first name) is the order the page lists them in.
    return Prefetch(
        "coauthors",
        queryset=User.objects.only("id", "email", "first_name", "last_name"),
    )


def _load_shared_campaign(user: User, idea: Idea) -> None:
    """What `permissions.can_vote` and `can_comment` read for a person outside the idea's
    organisation: a member never needs it, and most ideas have no campaign."""
    if idea.campaign_id is not None and not is_member(user, idea.organisation_id):
        prefetch_related_objects([idea], "campaign__organisations")


def attachments_for_page(idea: Idea) -> list[Attachment]:
    return list(idea.attachments.all())


def history_for_page(idea: Idea) -> list[IdeaEvent]:
    return list(idea.events.select_related("actor"))


COMMENTS_PER_PAGE = 20


@dataclass(frozen=True)
class CommentPage:
    """One page of an idea's comments, oldest first. No count: the page asks for one comment
    more than it shows, to know whether another page follows."""

    comments: list[Comment]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


# Further than any idea's comments go; past it a number is as bad as a word.
MAX_COMMENT_PAGE = 100_000


def comment_page_number(value: str | None) -> int:
    """The page asked for (`?page=`), 1 for anything that is not a page number."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_COMMENT_PAGE else 1


def comments_page(idea: Idea, number: int, per_page: int = COMMENTS_PER_PAGE) -> CommentPage:
    start = (number - 1) * per_page
    rows = list(
        idea.comments.select_related("author").only(
            "id",
            "idea_id",
            "body",
            "created_at",
            "hidden_at",
            "hidden_reason",
            "author__first_name",
            "author__last_name",
            "author__email",
        )[start : start + per_page + 1]
    )
    return CommentPage(comments=rows[:per_page], number=number, has_next=len(rows) > per_page)


def page_of_comment(comment: Comment, per_page: int = COMMENTS_PER_PAGE) -> int:
    """The page of its idea's comments that shows `comment` (comments go oldest first)."""
    before = Comment.objects.filter(idea_id=comment.idea_id).filter(
        Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, pk__lt=comment.pk)
    )
    return before.count() // per_page + 1


def comment_url(comment: Comment) -> str:
    """The address of the idea page that shows `comment`, at the comment."""
    number = page_of_comment(comment)
    page = f"?page={number}" if number > 1 else ""
    return f"{reverse('ideas:detail', args=[comment.idea_id])}{page}#commentaire-{comment.pk}"


# --- Board ----------------------------------------------------------------------------------


def pipeline_ideas(user: User) -> QuerySet[Idea]:
    """Ideas of the organisations where the person runs the pipeline."""
    return Idea.objects.filter(organisation__in=permissions.pipeline_organisation_ids(user))


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a card of the board shows (plain values, as IdeaRow)."""

    pk: int
    title: str
    author: str
    organisation: str
    theme: str | None
    votes: str
    updated_at: datetime


def board(queryset: QuerySet[Idea], per_state: int, *, viewer: User) -> dict:
    """Columns of the board as `viewer` reads them: the most recent cards of each state, and
    every state's count."""
    # COUNT(*), not COUNT(id): the (organisation, state) index then answers alone (an
    # index-only scan of the pipeline's ideas); it does not hold the id.
    counts = dict(
        queryset.exclude(state=Idea.State.DRAFT)
        .order_by()
        .values_list("state")
        .annotate(n=Count("*"))
        .values_list("state", "n")
    )
    # One query: per state, the `per_state` most recent cards (UNION ALL of LIMITed parts,
    # each read from the (organisation, state, -updated_at) index), rather than ranking every
    # idea of the pipeline with a window function.
    parts = [
        queryset.filter(state=state)
        .order_by("-updated_at", "-pk")
        .values_list(*BOARD_CARD)[:per_state]
        for state in BOARD_STATES
    ]
    cards: dict[str, list[BoardCard]] = {state: [] for state in BOARD_STATES}
    rows: Iterable[tuple]
    if connections[queryset.db].features.supports_slicing_ordering_in_compound:
        rows = parts[0].union(*parts[1:], all=True)
    else:  # SQLite (the demo): no LIMIT inside a UNION, one query per column
        rows = (row for part in parts for row in part)
    for (
        pk,
        state,
        title,
        first,
        last,
        email,
        hidden,
        author_id,
        organisation_id,
        name,
        short,
        theme,
        votes,
        updated,
    ) in rows:
        # The viewer reads the board as a delegate of its ideas' organisations
        # (`pipeline_ideas`): co-authorship never decides there.
        shown = permissions.author_shown(
            viewer,
            hidden=hidden,
            author_id=author_id,
            organisation_id=organisation_id,
            coauthor=False,
        )
        cards[state].append(
            BoardCard(
                pk=pk,
                title=title,
                # As User.get_full_name and Organisation.__str__.
                author=(f"{first} {last}".strip() or email)
                if shown
                else str(permissions.HIDDEN_AUTHOR),
                organisation=short or name,
                theme=theme,
                # The template's own words (one catalogue entry), translated here once per
                # card rather than through a {% blocktranslate %} node.
                votes=ngettext("%(counter)s soutien", "%(counter)s soutiens", votes)
                % {"counter": localize(votes)},
                updated_at=updated,
            )
        )
    for state_cards in cards.values():
        state_cards.sort(key=lambda card: (card.updated_at, card.pk), reverse=True)
    columns = [
        {
            "state": state,
            "label": Idea.State(state).label,
            "count": counts.get(state, 0),
            "ideas": cards[state],
        }
        for state in BOARD_STATES
    ]
    exits = [
        {"state": state, "label": Idea.State(state).label, "count": counts.get(state, 0)}
        for state in EXIT_STATES
    ]
    return {"columns": columns, "exits": exits}


def campaign_ideas(user: User, campaign_id: int) -> QuerySet[Idea]:
    return listed_ideas(user).filter(campaign_id=campaign_id)


# --- The home page's blocks (assembled in innovation/site/home.py) -----------------------------

# Ideas still on their way, whose support still weighs: not drafts, not out of the pipeline
# (not retained, redirected, abandoned), and not deployed either (their journey is over).
LIVE_STATES = tuple(state for state in BOARD_STATES if state != Idea.State.DEPLOYED)
HOME_COLUMNS = ("id", "title", "state", "vote_count", "updated_at", "organisation_id")


def most_supported(user: User, limit: int) -> list[Idea]:
    """The live ideas the person sees as a member, the most supported first (one query)."""
    return list(
        Idea.objects.filter(permissions.public_ideas_condition(user), state__in=LIVE_STATES)
        .select_related("organisation")
        .only(*HOME_COLUMNS, "organisation__name", "organisation__short_name")
        .order_by("-vote_count", "-id")[:limit]
    )


def my_ideas_with_news(user: User, limit: int) -> list[Idea]:
    """The person's ideas (drafts included), the latest moved first, each with the reason of
    its last step as `last_reason` (one query)."""
    last_reason = IdeaEvent.objects.filter(idea=OuterRef("pk")).order_by("-created_at", "-pk")
    return list(
        Idea.objects.filter(permissions.own_ideas_condition(user))
        .only(*HOME_COLUMNS)
        .annotate(last_reason=Subquery(last_reason.values("reason")[:1]))
        .order_by("-updated_at", "-id")[:limit]
    )


def ideas_to_qualify(user: User, limit: int) -> tuple[Sequence[Idea], int]:
    """Submitted ideas of the organisations where the person runs the pipeline, the oldest
    first, and how many there are in all (one query: the total rides along)."""
    rows = list(
        pipeline_ideas(user)
        .filter(state=Idea.State.SUBMITTED)
        .select_related("organisation")
        .only(*HOME_COLUMNS, "organisation__name", "organisation__short_name")
        .annotate(total=Window(Count("*")))
        .order_by("updated_at", "id")[:limit]
    )
    return rows, (rows[0].total if rows else 0)


def answers_to_challenges_of(user: User, limit: int) -> list[Idea]:
    """Ideas that answer the challenges the person posted, as far as they see them, the
    latest first (one query)."""
    return list(
        permissions.visible_ideas(user)
        .filter(challenge__author=user)
        .exclude(state=Idea.State.DRAFT)
        .select_related("challenge")
        .only(*HOME_COLUMNS, "challenge__id", "challenge__title")
        .order_by("-created_at", "-id")[:limit]
    )


def open_campaigns(user: User, today: date) -> list[Campaign]:
    """Calls for ideas of the person's organisations open today, the closest to closing
    first (one query)."""
    return list(
        permissions.visible_campaigns(user)
        .open_on(today)
        .only("id", "title", "opens_on", "closes_on")
        .order_by("closes_on", "title")
    )


def open_challenges(user: User, today: date, limit: int) -> list[Challenge]:
    """Challenges of the person's organisations still taking answers, the closest to closing
    first (one query)."""
    return list(
        permissions.visible_challenges(user)
        .open_on(today)
        .only("id", "title", "closes_on")
        .order_by(F("closes_on").asc(nulls_last=True), "-created_at", "-id")[:limit]
    )
