"""What the idea pages need, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from ideas import permissions
from ideas.models import Comment, Follow, Idea, IdeaEvent, Vote
from ideas.pipeline import BOARD_STATES, EXIT_STATES
from innovation.models import User

LIST_RELATED = ("organisation", "direction", "author", "theme", "campaign")
# Long texts and the search vector: several kilobytes a row that lists and boards never show.
LIST_DEFERRED = ("irritant", "proposal", "expected_impact", "search_vector")


def idea_list(user: User) -> QuerySet[Idea]:
    """Public ideas the person may see, ready for a table."""
    return (
        permissions.visible_ideas(user)
        .exclude(state=Idea.State.DRAFT)
        .select_related(*LIST_RELATED)
    )


def idea_for_page(user: User, pk: int) -> Idea:
    """One visible idea with everything its page shows, or a 404."""
    queryset = (
        permissions.visible_ideas(user)
        .select_related(*LIST_RELATED, "challenge")
        .prefetch_related("coauthors", "attachments", "campaign__organisations")
    )
    return get_object_or_404(queryset, pk=pk)


def comments_for_page(idea: Idea) -> list[Comment]:
    return list(idea.comments.select_related("author", "hidden_by"))


def history_for_page(idea: Idea) -> list[IdeaEvent]:
    return list(idea.events.select_related("actor"))


def voted_ids(user: User, ideas: list[Idea]) -> set[int]:
    """Which of these ideas the person voted for (one query, any count)."""
    ids = [idea.pk for idea in ideas]
    return set(Vote.objects.filter(voter=user, idea_id__in=ids).values_list("idea_id", flat=True))


def my_relations(user: User, ideas: list[Idea]) -> tuple[set[int], set[int]]:
    """Which of these ideas the person voted for and follows (two queries, any count)."""
    ids = [idea.pk for idea in ideas]
    followed = set(
        Follow.objects.filter(user=user, idea_id__in=ids).values_list("idea_id", flat=True)
    )
    return voted_ids(user, ideas), followed


def pipeline_ideas(user: User) -> QuerySet[Idea]:
    """Ideas of the organisations where the person runs the pipeline."""
    return Idea.objects.filter(organisation__in=permissions.pipeline_organisation_ids(user))


def board(queryset: QuerySet[Idea], per_state: int) -> dict:
    """Columns of the board: the most recent cards of each state, and every state's count."""
    counts = dict(
        queryset.exclude(state=Idea.State.DRAFT)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    # One query: per state, the `per_state` most recent cards (UNION ALL of LIMITed parts,
    # each read from the (state, -updated_at) index), rather than ranking every idea of the
    # pipeline with a window function.
    cards_of = queryset.select_related("organisation", "author", "theme").defer(*LIST_DEFERRED)
    parts = [
        cards_of.filter(state=state).order_by("-updated_at", "-pk")[:per_state]
        for state in BOARD_STATES
    ]
    cards: dict[str, list[Idea]] = {state: [] for state in BOARD_STATES}
    for idea in parts[0].union(*parts[1:], all=True):
        cards[idea.state].append(idea)
    for state_cards in cards.values():
        state_cards.sort(key=lambda idea: (idea.updated_at, idea.pk), reverse=True)
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
    return idea_list(user).filter(campaign_id=campaign_id)
