from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideas import mandate_permissions, permissions, selectors, services
from ideas import mandates as mandates_service
from ideas.filters import IdeaFilter, form_fields
from ideas.forms import (
    AttachmentForm,
    CampaignForm,
    ChallengeForm,
    CommentForm,
    HideCommentForm,
    IdeaForm,
    MoveForm,
    SupportForm,
)
from ideas.models import Attachment, Comment, Idea
from ideas.pipeline import InvalidTransition, action_label, allowed_next
from innovation.caching import (
    cached,
    fill_row_marks,
    generations,
    punch_csrf,
    render_fragment,
)
from innovation.exports import csv_response
from innovation.permissions import member_organisation_ids
from innovation.web import add_errors, safe_next

# --- Lists --------------------------------------------------------------------------------


# Cached pages read the tables of these scopes (names of people and organisations included).
IDEA_SCOPES = ("ideas", "people")
# For what shows or sorts by vote counts (innovation.caching: votes have their own scope).
VOTE_SCOPES = (*IDEA_SCOPES, "votes")


def _query_key(query: QueryDict) -> tuple:
    """The GET parameters as a cache key part: every name and value, in the order sent (the
    pagination links repeat them in that order)."""
    return tuple((name, tuple(values)) for name, values in query.lists())


def _audience(user) -> tuple[int, ...]:
    return tuple(sorted(member_organisation_ids(user)))


def _filter_form(idea_filter: IdeaFilter, *, show_states: bool) -> str:
    return render_fragment(
        "ideas/_filter_form.html",
        {"form": form_fields(idea_filter), "show_states": show_states},
    )


def _mark_votes(html: str, votes: dict[int, tuple[int, bool]]) -> SafeString:
    """Put each row's vote count and the person's badge into a cached list
    (`selectors.row_votes`)."""
    badge = format_html(' <span class="badge text-bg-light">{}</span>', _("vous soutenez"))
    html = fill_row_marks(html, "voted", lambda pk: badge if votes.get(pk, (0, False))[1] else "")
    return fill_row_marks(html, "votes", lambda pk: str(votes.get(pk, (0, False))[0]))


@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    audience = _audience(user)
    # Shared by everybody of the same organisations, unless the person's list also holds
    # ideas of their own that these organisations do not see: then it is theirs alone. A
    # shared list is built from the public ideas only, never from the person's.
    # The answer is remembered per person like any other value (a write to ideas forgets it).
    outside = cached(
        "ideas:own-outside",
        (user.pk, audience),
        ("ideas",),
        lambda: selectors.has_own_ideas_outside(user),
    )
    owner = user.pk if outside else None
    query = request.GET.copy()
    query.pop("page", None)
    filters = _query_key(query)
    built: list[IdeaFilter] = []

    def idea_filter() -> IdeaFilter:
        # Built once, and only when a cached part is missing.
        if not built:
            base = selectors.idea_list(user) if owner else selectors.public_list(user)
            rows = selectors.list_rows(base)
            built.append(IdeaFilter(request.GET or None, queryset=rows, user=user))
        return built[0]

    def listing() -> tuple[str, list[int]]:
        rows = idea_filter().qs
        paginator = Paginator(rows, settings.IDEAS_PER_PAGE)
        # The count over every visible idea is the costly part: shared by all pages.
        paginator.count = cached(
            "ideas:list-count", (audience, owner, filters), IDEA_SCOPES, rows.count
        )
        page = paginator.get_page(request.GET.get("page"))
        html = render_fragment(
            "ideas/_idea_list_body.html", {"page": page, "query": query.urlencode()}
        )
        return html, [idea.pk for idea in page]

    def parts() -> tuple[str, str, list[int]]:
        # The form does not change with the page nor with the person's own ideas: shared
        # more widely, so that another page of the list is quicker to build.
        form_html = cached(
            "ideas:filter-form",
            (audience, filters, True),
            IDEA_SCOPES,
            lambda: _filter_form(idea_filter(), show_states=True),
        )
        return (form_html, *listing())

    # The rows' counts are filled per request: only an order by votes depends on them.
    by_votes = any("vote_count" in value for value in request.GET.getlist("ordering"))
    form_html, html, ids = cached(
        "ideas:list",
        (audience, owner, _query_key(request.GET)),
        VOTE_SCOPES if by_votes else IDEA_SCOPES,
        parts,
    )
    return render(
        request,
        "ideas/idea_list.html",
        {
            "filter_form": mark_safe(form_html),  # noqa: S308 (our template, auto-escaped)
            "listing": _mark_votes(html, selectors.row_votes(user, ids)),
            "query": query.urlencode(),
            "can_export": permissions.can_manage_pipeline(user),
        },
    )


@login_required
def idea_export(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_pipeline(request.user):
        raise PermissionDenied
    idea_filter = IdeaFilter(
        request.GET or None, queryset=selectors.idea_list(request.user), user=request.user
    )
    queryset = idea_filter.qs
    header = [
        _("Identifiant"),
        _("Titre"),
        _("Étape"),
        _("Accompagnement"),
        _("Collectivité"),
        _("Direction"),
        _("Auteur·rice"),
        _("Thème"),
        _("Appel à idées"),
        _("Votes"),
        _("Commentaires"),
        _("Déposée le"),
        _("Irritant"),
        _("Proposition"),
        _("Impact attendu"),
    ]
    states, supports = dict(Idea.State.choices), dict(Idea.Support.choices)

    def rows():
        for idea in queryset.iterator(chunk_size=2000):
            yield [
                idea.pk,
                idea.title,
                states[idea.state],
                supports.get(idea.support, ""),
                idea.organisation.name,
                idea.direction.name if idea.direction else "",
                idea.author.get_full_name(),
                idea.theme.name if idea.theme else "",
                idea.campaign.title if idea.campaign else "",
                idea.vote_count,
                idea.comment_count,
                timezone.localtime(idea.submitted_at).strftime("%d/%m/%Y %H:%M")
                if idea.submitted_at
                else "",
                idea.irritant,
                idea.proposal,
                idea.expected_impact,
            ]

    filename = f"idees-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, header, rows())


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_manage_pipeline(user):
        raise PermissionDenied
    pipeline = tuple(sorted(permissions.pipeline_organisation_ids(user)))
    audience = _audience(user)
    # The move links come back to this very address (`next`), so it is part of the key.
    here = request.get_full_path()

    def body() -> str:
        queryset = selectors.pipeline_ideas(user)
        idea_filter = IdeaFilter(request.GET or None, queryset=queryset, user=user)
        columns = selectors.board(idea_filter.qs, settings.BOARD_CARDS_PER_STATE)
        for column in columns["columns"]:
            for idea in column["ideas"]:
                idea.actions = [
                    (to, action_label(to, idea.state)) for to in allowed_next(idea.state)
                ]
        return render_fragment(
            "ideas/_idea_board_body.html",
            {
                **columns,
                "filter_form": mark_safe(_filter_form(idea_filter, show_states=False)),  # noqa: S308
                "here": here,
            },
        )

    # The filter form offers the person's organisations, the board shows the pipeline's.
    html = cached("ideas:board", (pipeline, audience, here), VOTE_SCOPES, body)
    return render(
        request,
        "ideas/idea_board.html",
        {"body": mark_safe(html), "query": request.GET.urlencode()},  # noqa: S308
    )


# --- One idea -----------------------------------------------------------------------------


@login_required
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    # Read before the idea itself: the cached parts are built from the idea read below, so
    # they must not be stored as newer than it (see innovation.caching: a value is stored
    # under generations read before its data). A write in between changes this key part.
    before = generations(IDEA_SCOPES)
    idea = selectors.idea_for_checks(user, pk)
    can_moderate = permissions.is_idea_delegate(user, idea)
    # Which mandates the person sees is asked on every request, once the idea has any (most
    # have none).
    mandates = []
    if idea.has_mandates:
        mandates = list(
            mandate_permissions.visible_mandates(user).filter(idea=idea).order_by("-created_at")
        )
    can_set_support = permissions.can_set_support(user, idea)
    # Everything personal the page shows, worked out on every request: the person's rights,
    # vote and follow. The rendered body is keyed by these values, so it is shared only by
    # people for whom every one of them is the same; no decision is read from the cache.
    personal = {
        "voted": idea.my_vote,
        "following": idea.my_follow,
        "actions": [
            (to, action_label(to, idea.state))
            for to in allowed_next(idea.state)
            if permissions.can_move_idea(user, idea, to)
        ],
        "can_vote": permissions.can_vote(user, idea),
        "is_author": permissions.is_author(user, idea),
        "can_edit": permissions.can_edit_idea(user, idea),
        "can_comment": permissions.can_comment(user, idea),
        "can_follow": permissions.can_follow(user, idea),
        "can_moderate": can_moderate,
        "can_set_support": can_set_support,
        "can_draft_mandate": mandate_permissions.can_draft_mandate(user, idea)
        and not any(mandate.state in mandates_service.OPEN_STATES for mandate in mandates),
    }

    def shared() -> dict:
        shown = selectors.idea_for_display(idea.pk)
        context = {
            "idea": shown,
            "coauthors": idea.coauthors.all(),
            "attachments": selectors.attachments_for_page(idea),
            "comments": selectors.comments_for_page(idea),
            "history": selectors.history_for_page(idea),
            "can_moderate": can_moderate,
        }
        return {
            part: render_fragment(f"ideas/_idea_detail_{part}.html", context)
            for part in ("head", "comments", "history")
        }

    def body() -> str:
        # Hidden comments show their text to delegates: the moderation right is in the key.
        parts = cached("ideas:detail-shared", (idea.pk, can_moderate, before), IDEA_SCOPES, shared)
        return render_fragment(
            "ideas/_idea_detail_page.html",
            {
                **personal,
                "idea": idea,
                "shared": {part: mark_safe(html) for part, html in parts.items()},  # noqa: S308
                "mandates": mandates,
                "support_form": SupportForm(initial={"support": idea.support})
                if can_set_support
                else None,
            },
        )

    # The key holds whatever the body shows besides the shared parts: the idea's own columns
    # (also covered by `before`), the mandates listed and the personal choices above.
    row = (idea.pk, idea.title, idea.state, idea.support, idea.vote_count)
    listed = tuple((mandate.pk, mandate.state) for mandate in mandates)
    html = cached(
        "ideas:detail-body",
        (row, before, tuple(personal.items()), listed),
        IDEA_SCOPES,
        body,
    )
    return render(
        request, "ideas/idea_detail.html", {"idea": idea, "content": punch_csrf(request, html)}
    )


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_submit_ideas(request.user):
        raise PermissionDenied
    initial = {}
    for key in ("campaign", "challenge"):
        if request.GET.get(key, "").isdigit():
            initial[key] = request.GET[key]
    form = IdeaForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            idea = services.create_idea(
                author=request.user,
                data=form.cleaned_data,
                coauthors=form.cleaned_data["coauthor_emails"],
                submit=submit,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if submit:
                messages.success(request, _("Votre idée est déposée. Merci !"))
            else:
                messages.success(
                    request,
                    _("Brouillon enregistré : seuls vous et vos co-auteur·rices le voyez."),
                )
            return redirect("ideas:detail", pk=idea.pk)
    return render(request, "ideas/idea_form.html", {"form": form, "idea": None})


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    if not permissions.can_edit_idea(request.user, idea):
        raise PermissionDenied
    form = IdeaForm(request.POST or None, instance=idea, user=request.user)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit" and idea.state == Idea.State.DRAFT
        try:
            idea = services.update_idea(
                idea,
                actor=request.user,
                data=form.cleaned_data,
                coauthors=form.cleaned_data["coauthor_emails"],
            )
            if submit:
                services.move_idea(idea, to=Idea.State.SUBMITTED, actor=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            done = (
                _("Votre idée est déposée. Merci !") if submit else _("Modifications enregistrées.")
            )
            messages.success(request, done)
            return redirect("ideas:detail", pk=idea.pk)
    return render(request, "ideas/idea_form.html", {"form": form, "idea": idea})


@login_required
def idea_move(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    to = request.POST.get("to") or request.GET.get("to", "")
    if to not in Idea.State.values:
        raise Http404
    if not permissions.can_move_idea(request.user, idea, to):
        raise PermissionDenied
    if to not in allowed_next(idea.state):
        messages.error(
            request,
            _("Cette idée est à l'étape « %(state)s » : elle ne peut pas aller à « %(to)s ».")
            % {"state": idea.get_state_display(), "to": Idea.State(to).label},
        )
        return redirect("ideas:detail", pk=idea.pk)
    form = MoveForm(request.POST or None, to=to, idea=idea)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_idea(
                idea,
                to=to,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                support=form.cleaned_data.get("support") or None,
            )
        except ValidationError as error:
            add_errors(form, error)
        except InvalidTransition:
            messages.error(request, _("L'idée a changé d'étape entre-temps : rien n'a été fait."))
            return redirect("ideas:detail", pk=idea.pk)
        else:
            messages.success(
                request,
                _("« %(title)s » est maintenant à l'étape « %(state)s ».")
                % {"title": idea.title, "state": Idea.State(to).label},
            )
            return redirect(safe_next(request, idea.get_absolute_url()))
    return render(
        request,
        "ideas/idea_move.html",
        {
            "idea": idea,
            "form": form,
            "to": to,
            "action": action_label(to, idea.state),
            "next": safe_next(request, ""),
        },
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    if not permissions.can_set_support(request.user, idea):
        raise PermissionDenied
    form = SupportForm(request.POST)
    if form.is_valid():
        services.set_support(idea, actor=request.user, support=form.cleaned_data["support"])
        messages.success(request, _("Niveau d'accompagnement enregistré."))
    else:
        messages.error(request, _("Choisissez un niveau d'accompagnement dans la liste."))
    return redirect("ideas:detail", pk=idea.pk)


@login_required
@require_POST
def idea_vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    try:
        if request.POST.get("vote") == "withdraw":
            services.withdraw_vote(idea, voter=request.user)
            messages.success(request, _("Votre soutien est retiré."))
        else:
            services.cast_vote(idea, voter=request.user)
            messages.success(request, _("Merci pour votre soutien !"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(safe_next(request, idea.get_absolute_url()))


@login_required
@require_POST
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    following = request.POST.get("follow") != "stop"
    services.set_following(idea, user=request.user, following=following)
    messages.success(
        request,
        _("Vous suivez cette idée : vous serez prévenu·e de ses nouvelles.")
        if following
        else _("Vous ne suivez plus cette idée."),
    )
    return redirect(idea.get_absolute_url())


@login_required
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    if not permissions.can_comment(request.user, idea):
        raise PermissionDenied
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.add_comment(
                idea, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Commentaire publié."))
            return redirect(f"{idea.get_absolute_url()}#commentaire-{comment.pk}")
    return render(request, "ideas/comment_form.html", {"idea": idea, "form": form})


@login_required
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    visible = permissions.visible_ideas(request.user)
    comment = get_object_or_404(
        Comment.objects.select_related("idea", "author").filter(idea__in=visible), pk=pk
    )
    if not permissions.can_moderate(request.user, comment):
        raise PermissionDenied
    form = HideCommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_comment(comment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Commentaire masqué."))
            return redirect(comment.idea.get_absolute_url())
    return render(request, "ideas/comment_hide.html", {"comment": comment, "form": form})


@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    if not permissions.can_edit_idea(request.user, idea):
        raise PermissionDenied
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_attachment(
            idea,
            actor=request.user,
            upload=form.cleaned_data["file"],
            content_type=form.content_type,
        )
        messages.success(request, _("Pièce jointe ajoutée."))
        return redirect(idea.get_absolute_url())
    return render(request, "ideas/attachment_form.html", {"idea": idea, "form": form})


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        Attachment.objects.filter(idea__in=permissions.visible_ideas(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Campaigns and challenges -------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    campaigns = (
        permissions.visible_campaigns(request.user)
        .prefetch_related("organisations", "themes")
        .order_by("-closes_on")
    )
    challenges = (
        permissions.visible_challenges(request.user)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .select_related("organisation", "direction", "author")
    )
    return render(
        request,
        "ideas/campaign_list.html",
        {
            "open_campaigns": [c for c in campaigns if c.is_open(today)],
            "other_campaigns": [c for c in campaigns if not c.is_open(today)],
            "challenges": challenges,
            "can_create_campaign": permissions.can_create_campaign(request.user),
            "can_post_challenge": permissions.can_post_challenge(request.user),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        permissions.visible_campaigns(request.user).prefetch_related("organisations", "themes"),
        pk=pk,
    )
    ideas = selectors.campaign_ideas(request.user, campaign.pk).order_by("-vote_count", "-pk")
    page = Paginator(ideas, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "can_edit": permissions.can_edit_campaign(request.user, campaign),
        },
    )


def _campaign_form(request: HttpRequest, campaign=None) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = services.save_campaign(
            campaign,
            actor=request.user,
            data=form.cleaned_data,
            organisations=list(form.cleaned_data["organisations"]),
            themes=list(form.cleaned_data["themes"]),
        )
        messages.success(request, _("Appel à idées enregistré."))
        return redirect("ideas:campaign_detail", pk=campaign.pk)
    return render(request, "ideas/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_campaign(request.user):
        raise PermissionDenied
    return _campaign_form(request)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(permissions.visible_campaigns(request.user), pk=pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    return _campaign_form(request, campaign)


@login_required
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(
        permissions.visible_challenges(request.user).select_related(
            "organisation", "direction", "author"
        ),
        pk=pk,
    )
    ideas = selectors.idea_list(request.user).filter(challenge=challenge).order_by("-vote_count")
    page = Paginator(ideas, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/challenge_detail.html",
        {
            "challenge": challenge,
            "page": page,
            "can_edit": permissions.can_edit_challenge(request.user, challenge),
        },
    )


def _challenge_form(request: HttpRequest, challenge=None) -> HttpResponse:
    form = ChallengeForm(request.POST or None, instance=challenge, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        challenge = services.save_challenge(challenge, actor=request.user, data=data)
        messages.success(request, _("Défi publié."))
        return redirect("ideas:challenge_detail", pk=challenge.pk)
    return render(request, "ideas/challenge_form.html", {"form": form, "challenge": challenge})


@login_required
def challenge_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_post_challenge(request.user):
        raise PermissionDenied
    return _challenge_form(request)


@login_required
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(permissions.visible_challenges(request.user), pk=pk)
    if not permissions.can_edit_challenge(request.user, challenge):
        raise PermissionDenied
    return _challenge_form(request, challenge)
