from __future__ import annotations

from collections.abc import Callable
from typing import cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideas import permissions, selectors, services
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
from ideas.mandates import permissions as mandate_permissions
from ideas.mandates import services as mandates_service
from ideas.models import Attachment, Comment, Idea
from ideas.pipeline import InvalidTransition, action_label, allowed_next
from ideas.templatetags.idea_board import column_moves
from innovation.platform.exports import csv_response
from innovation.platform.pagination import CappedPaginator
from innovation.platform.web import AuthenticatedRequest, add_errors, safe_next, url_prefix


def _detail_prefix() -> str:
    """`/idees/<pk>/` without its pk: rows build their links from it, rather than each
    calling `reverse()` (a tenth of a list's rendering)."""
    return url_prefix("ideas:detail")


def _url_around_pk(name: str) -> tuple[str, str]:
    """The URL of route `name` as what comes before and after its pk (see _detail_prefix)."""
    before, after = reverse(name, args=[0]).rsplit("/0/", 1)
    return f"{before}/", f"/{after}"


def _page_of_rows(paginator: Paginator, number, rows: Callable[[QuerySet], list]) -> Page:
    """The page `number` of a paginator over ids (`selectors.page_ids`), holding the rows
    that `rows` reads for the page's ids."""
    ids = paginator.get_page(number)
    return Page(rows(cast(QuerySet, ids.object_list)), ids.number, paginator)


def _query_without_page(request: AuthenticatedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Lists --------------------------------------------------------------------------------


@login_required
def idea_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    idea_filter = IdeaFilter(request.GET or None, queryset=selectors.listed_ideas(user), user=user)
    matching = idea_filter.qs
    page = _page_of_rows(
        CappedPaginator(selectors.page_ids(matching), settings.IDEAS_PER_PAGE),
        request.GET.get("page"),
        lambda ids: selectors.list_page(user, list(ids)),
    )
    return render(
        request,
        "ideas/idea_list.html",
        {
            "filter_form": form_fields(idea_filter),
            "page": page,
            "query": _query_without_page(request),
            "detail_prefix": _detail_prefix(),
            "can_export": permissions.can_manage_pipeline(user),
        },
    )


@login_required
def idea_export(request: AuthenticatedRequest) -> HttpResponseBase:
    if not permissions.can_manage_pipeline(request.user):
        raise PermissionDenied
    idea_filter = IdeaFilter(
        request.GET or None, queryset=selectors.idea_list(request.user), user=request.user
    )
    queryset = idea_filter.qs.annotate(
        **{permissions.COAUTHOR_ANNOTATION: permissions.coauthored_by(request.user)}
    )
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
        _("Soutiens"),
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
                permissions.author_label(request.user, idea),
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
def board(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_manage_pipeline(user):
        raise PermissionDenied
    idea_filter = IdeaFilter(
        request.GET or None, queryset=selectors.pipeline_ideas(user), user=user
    )
    data = selectors.board(idea_filter.qs, settings.BOARD_CARDS_PER_STATE, viewer=user)
    # The move links come back to this very address; the same moves for every card of a
    # column, so their query strings are made once per column.
    back = quote(request.get_full_path(), safe="/")  # as the template's |urlencode
    move_url = _url_around_pk("ideas:move")
    for column in data["columns"]:
        column["moves"] = column_moves(
            [
                (action_label(to, column["state"]), f"?to={to}&next={back}")
                for to in allowed_next(column["state"])
            ],
            move_url,
        )
    return render(
        request,
        "ideas/idea_board.html",
        {
            **data,
            "filter_form": form_fields(idea_filter),
            "query": request.GET.urlencode(),
            "detail_prefix": _detail_prefix(),
        },
    )


# --- One idea -----------------------------------------------------------------------------


@login_required
def idea_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    idea = selectors.idea_for_detail(user, pk)
    # Which mandates the person sees is asked only once the idea has any (most have none).
    mandates = []
    if idea.has_mandates:
        mandates = list(
            mandate_permissions.visible_mandates(user).filter(idea=idea).order_by("-created_at")
        )
    can_set_support = permissions.can_set_support(user, idea)
    number = selectors.comment_page_number(request.GET.get("page"))
    author_shown = permissions.can_see_author(user, idea)
    return render(
        request,
        "ideas/idea_detail.html",
        {
            "idea": idea,
            "author_name": permissions.author_label(user, idea),
            "author_shown": author_shown,
            # A hidden author's co-authors are hidden with them; so are the names of all of
            # them on their comments and steps of the history.
            "coauthors": idea.coauthors.all() if author_shown else [],
            "is_coauthor": any(person.pk == user.pk for person in idea.coauthors.all()),
            "hidden_ids": permissions.hidden_people(user, idea),
            "attachments": selectors.attachments_for_page(idea),
            "comments": selectors.comments_page(idea, number),
            "hide_url": _url_around_pk("ideas:comment_hide"),
            "history": selectors.history_for_page(idea),
            "mandates": mandates,
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
            "can_moderate": permissions.is_idea_delegate(user, idea),
            "can_set_support": can_set_support,
            "support_form": SupportForm(initial={"support": idea.support})
            if can_set_support
            else None,
            "can_draft_mandate": mandate_permissions.can_draft_mandate(user, idea)
            and not any(mandate.state in mandates_service.OPEN_STATES for mandate in mandates),
        },
    )


def _submitting(request: AuthenticatedRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "submit"


@login_required
def idea_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_submit_ideas(request.user):
        raise PermissionDenied
    initial = {}
    for key in ("campaign", "challenge"):
        if request.GET.get(key, "").isdecimal():
            initial[key] = request.GET[key]
    submit = _submitting(request)
    form = IdeaForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        submitting=submit,
    )
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.create_idea(
                author=request.user,
                data=form.cleaned_data,
                coauthors=form.cleaned_data["coauthors"],
                attachments=form.attachments(),
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
    if request.method == "POST":
        form.ask_for_file_again()
    return render(request, "ideas/idea_form.html", {"form": form, "idea": None})


@login_required
def idea_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    if not permissions.can_edit_idea(request.user, idea):
        raise PermissionDenied
    is_draft = idea.state == Idea.State.DRAFT
    submit = _submitting(request) and is_draft
    # A submitted idea keeps everything a submission asks for.
    complete = submit or not is_draft
    checked = request.method == "GET" and is_draft and bool(request.GET.get("deposer"))
    if checked:
        # Sent here by a refused submission (idea_move): what is missing, next to each field.
        form = IdeaForm.checked(idea, user=request.user)
    else:
        form = IdeaForm(request.POST or None, instance=idea, user=request.user, submitting=complete)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.update_idea(
                idea,
                actor=request.user,
                data=form.cleaned_data,
                coauthors=form.cleaned_data["coauthors"],
                submit=submit,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if submit:
                done = _("Votre idée est déposée. Merci !")
            elif is_draft:
                done = _("Brouillon enregistré : seuls vous et vos co-auteur·rices le voyez.")
            else:
                done = _("Modifications enregistrées.")
            messages.success(request, done)
            return redirect("ideas:detail", pk=idea.pk)
    return render(request, "ideas/idea_form.html", {"form": form, "idea": idea, "checked": checked})


@login_required
def idea_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    to = request.POST.get("to") or request.GET.get("to", "")
    if to not in Idea.State.values:
        raise Http404
    if not permissions.can_move_idea(request.user, idea, to):
        raise PermissionDenied
    if (
        to == Idea.State.SUBMITTED
        and idea.state == Idea.State.DRAFT
        and services.missing_for_submission(model_to_dict(idea, services.REQUIRED_TO_SUBMIT))
    ):
        # An incomplete draft is completed on its form, where each missing field is marked.
        return redirect(reverse("ideas:edit", args=[idea.pk]) + "?deposer=1")
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
        except InvalidTransition:  # a ValidationError too: caught first
            messages.error(request, _("L'idée a changé d'étape entre-temps : rien n'a été fait."))
            return redirect("ideas:detail", pk=idea.pk)
        except ValidationError as error:
            add_errors(form, error)
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
def idea_support(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def idea_vote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def idea_follow(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
@require_POST
def coauthor_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    idea = selectors.idea_for_page(request.user, pk)
    services.leave_coauthorship(idea, actor=request.user)
    messages.success(request, _("Vous n'êtes plus co-auteur·rice de cette idée."))
    # A draft is seen only by its authors: once out of them, back to the list.
    if permissions.visible_ideas(request.user).filter(pk=idea.pk).exists():
        return redirect(idea.get_absolute_url())
    return redirect("ideas:list")


@login_required
def comment_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
            return redirect(selectors.comment_url(comment))
    return render(request, "ideas/comment_form.html", {"idea": idea, "form": form})


@login_required
def comment_hide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
            return redirect(selectors.comment_url(comment))
    return render(request, "ideas/comment_hide.html", {"comment": comment, "form": form})


@login_required
def attachment_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
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
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    campaigns = (
        permissions.visible_campaigns(request.user)
        .prefetch_related("organisations")
        .order_by("-closes_on")
    )
    challenges = (
        permissions.visible_challenges(request.user)
        .open_on(today)
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
def campaign_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        permissions.visible_campaigns(request.user).prefetch_related("organisations", "themes"),
        pk=pk,
    )
    ideas = selectors.campaign_ideas(request.user, campaign.pk).order_by("-vote_count", "-pk")
    listed = selectors.short_list(ideas, request.user)
    page = CappedPaginator(listed, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/campaign_detail.html",
        {
            "campaign": campaign,
            "page": page,
            "detail_prefix": _detail_prefix(),
            "can_edit": permissions.can_edit_campaign(request.user, campaign),
        },
    )


def _campaign_form(request: AuthenticatedRequest, campaign=None) -> HttpResponse:
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
def campaign_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_create_campaign(request.user):
        raise PermissionDenied
    return _campaign_form(request)


@login_required
def campaign_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(permissions.visible_campaigns(request.user), pk=pk)
    if not permissions.can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    return _campaign_form(request, campaign)


@login_required
def challenge_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(
        permissions.visible_challenges(request.user).select_related(
            "organisation", "direction", "author"
        ),
        pk=pk,
    )
    ideas = (
        selectors.listed_ideas(request.user)
        .filter(challenge=challenge)
        .order_by("-vote_count", "-pk")
    )
    listed = selectors.short_list(ideas, request.user)
    page = CappedPaginator(listed, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/challenge_detail.html",
        {
            "challenge": challenge,
            "page": page,
            "detail_prefix": _detail_prefix(),
            "can_edit": permissions.can_edit_challenge(request.user, challenge),
        },
    )


def _challenge_form(request: AuthenticatedRequest, challenge=None) -> HttpResponse:
    form = ChallengeForm(request.POST or None, instance=challenge, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        challenge = services.save_challenge(challenge, actor=request.user, data=data)
        messages.success(request, _("Défi publié."))
        return redirect("ideas:challenge_detail", pk=challenge.pk)
    return render(request, "ideas/challenge_form.html", {"form": form, "challenge": challenge})


@login_required
def challenge_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_post_challenge(request.user):
        raise PermissionDenied
    return _challenge_form(request)


@login_required
def challenge_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(permissions.visible_challenges(request.user), pk=pk)
    if not permissions.can_edit_challenge(request.user, challenge):
        raise PermissionDenied
    return _challenge_form(request, challenge)
