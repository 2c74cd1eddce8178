"""Mandate and follow-up pages. Visibility through ideas.mandates.permissions (outside: 404,
visible but not allowed: 403); reads through ideas.mandates.selectors; every write through
ideas.mandates.services or ideas.mandates.followups."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ideas.mandates import followups, selectors, services
from ideas.mandates import permissions as perms
from ideas.mandates.forms import (
    EndForm,
    FollowUpForm,
    IdeaChoiceForm,
    MandateForm,
    MemberFormSet,
    SignForm,
    member_initial,
    team_from_authors,
)
from ideas.mandates.models import FollowUp, FollowUpTime, Mandate, MandateMember, Signature
from ideas.models import Idea
from ideas.permissions import visible_ideas
from innovation.platform.exports import csv_response
from innovation.platform.models import Role, User
from innovation.platform.permissions import has_role
from innovation.platform.web import AuthenticatedRequest, add_errors, url_prefix


def _mandate_for_page(user: User, pk: int) -> Mandate:
    queryset = perms.visible_mandates(user).select_related(
        "idea", "organisation", "sponsor", "client_direction", "client_director"
    )
    return get_object_or_404(queryset, pk=pk)


# --- Overview, signatures to give, export --------------------------------------------------


@login_required
def mandate_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    state = request.GET.get("etat", "")
    if state not in Mandate.State.values:
        state = ""
    mandates_shown = selectors.overview(user, today, state).only(
        "id",
        "state",
        "starts_on",
        "ends_on",
        "idea__title",
        "organisation__name",
        "organisation__short_name",
        "sponsor__first_name",
        "sponsor__last_name",
        "sponsor__email",
        "client_direction__name",
    )
    # A person sees the mandates of the organisations they run as delegate (about a hundred
    # each on the scale data) and those they are a party to: a bounded list, whose COUNT
    # Django runs on the bare filter (it drops the annotations nobody filters or sorts on).
    page = Paginator(mandates_shown, settings.IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    shown = page.paginator.count > 0
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ideas/mandate_list.html",
        {
            "page": page,
            "rows": selectors.overview_rows(page) if shown else [],
            "query": query.urlencode(),
            "state": state,
            "states": Mandate.State.choices,
            # What a person signs is among what they see: seeing no mandate at all (most
            # agents), they have nothing to sign either.
            "to_sign": selectors.pending_signatures(user) if shown or state else [],
            "can_manage": perms.can_manage_mandates(user),
        },
    )


@login_required
def mandate_signatures(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "ideas/mandate_signatures.html",
        {"to_sign": selectors.pending_signatures(request.user)},
    )


@login_required
def mandate_export(request: AuthenticatedRequest) -> HttpResponseBase:
    if not perms.can_manage_mandates(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    queryset = selectors.overview(request.user, today).annotate(
        freed_per_week=selectors.per_mandate(
            MandateMember, "mandate", Sum("freed_hours_per_week"), zero=Decimal(0)
        ),
        followups_done=selectors.per_mandate(
            FollowUp, "mandate", Count("pk"), recorded_at__isnull=False
        ),
        hours_used=selectors.per_mandate(
            FollowUpTime, "member__mandate", Sum("hours"), zero=Decimal(0)
        ),
    )
    header = [
        _("Identifiant"),
        _("Idée"),
        _("Collectivité"),
        _("État"),
        _("Sponsor"),
        _("Direction cliente"),
        _("Début"),
        _("Fin"),
        _("Agents"),
        _("Temps libéré (h/semaine, équipe)"),
        _("Points d'étape tenus"),
        _("Prochain point d'étape"),
        _("En retard"),
        _("Temps consacré (h)"),
    ]
    states = dict(Mandate.State.choices)
    yes, no = _("oui"), _("non")

    def rows():
        for mandate in queryset:
            yield [
                mandate.pk,
                mandate.idea.title,
                mandate.organisation.name,
                states[mandate.state],
                mandate.sponsor.get_full_name(),
                mandate.client_direction.name,
                mandate.starts_on.strftime("%d/%m/%Y"),
                mandate.ends_on.strftime("%d/%m/%Y"),
                mandate.team_size,
                formats.number_format(mandate.freed_per_week),
                mandate.followups_done,
                mandate.next_due.strftime("%d/%m/%Y") if mandate.next_due else "",
                yes if mandate.overdue else no,
                formats.number_format(mandate.hours_used),
            ]

    return csv_response(f"mandats-{today:%Y-%m-%d}.csv", header, rows())


# --- Draft and terms -----------------------------------------------------------------------


def _apply_errors(form, formset, error: ValidationError) -> list[str]:
    """Put a service's errors next to their fields; team errors go above the team table."""
    team_errors: list[str] = []
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return team_errors
    for field, errors in error.error_dict.items():
        if field == "members":
            team_errors += [message for e in errors for message in e.messages]
        elif field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)
    return team_errors


def _mandate_form(
    request: AuthenticatedRequest, *, idea: Idea, mandate: Mandate | None = None
) -> HttpResponse:
    if mandate:
        team = member_initial(selectors.members_of(mandate))
    else:  # offered once; what is posted is what the delegate kept
        team = [] if request.method == "POST" else team_from_authors(idea)
    form = MandateForm(request.POST or None, instance=mandate, organisation=idea.organisation)
    formset = MemberFormSet(
        request.POST or None,
        initial=team,
        prefix="equipe",
        form_kwargs={"organisation": idea.organisation, "user": request.user},
    )
    team_errors: list[str] = []
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                if mandate is None:
                    mandate = services.create_mandate(
                        actor=request.user,
                        idea=idea,
                        data=form.cleaned_data,
                        members=formset.members(),
                    )
                    messages.success(
                        request,
                        _(
                            "Mandat enregistré en brouillon. Relisez-le, puis envoyez-le pour "
                            "signature."
                        ),
                    )
                else:
                    voided = services.update_mandate_terms(
                        mandate,
                        actor=request.user,
                        data=form.cleaned_data,
                        members=formset.members(),
                    )
                    if voided:
                        messages.warning(
                            request,
                            ngettext(
                                "Conditions modifiées : la signature déjà recueillie est "
                                "annulée ; les parties sont prévenues et doivent signer la "
                                "nouvelle version.",
                                "Conditions modifiées : les %(count)s signatures déjà "
                                "recueillies sont annulées ; les parties sont prévenues et "
                                "doivent signer la nouvelle version.",
                                voided,
                            )
                            % {"count": voided},
                        )
                    else:
                        messages.success(request, _("Mandat enregistré."))
            except ValidationError as error:
                team_errors = _apply_errors(form, formset, error)
            else:
                return redirect(mandate.get_absolute_url())
    return render(
        request,
        "ideas/mandate_form.html",
        {
            "form": form,
            "formset": formset,
            "team_errors": team_errors,
            "idea": idea,
            "mandate": mandate,
        },
    )


@login_required
def mandate_create(request: AuthenticatedRequest) -> HttpResponse:
    if not perms.can_manage_mandates(request.user):
        raise PermissionDenied
    idea_id = request.POST.get("idee") or request.GET.get("idee", "")
    if not idea_id.isdecimal():
        ideas = selectors.draftable_ideas(request.user)
        return render(
            request,
            "ideas/mandate_idea_choice.html",
            {"form": IdeaChoiceForm(ideas=ideas), "ideas": ideas},
        )
    idea = get_object_or_404(
        visible_ideas(request.user).select_related("organisation"), pk=int(idea_id)
    )
    if not perms.can_draft_mandate(request.user, idea):
        if has_role(request.user, idea.organisation_id, Role.DELEGATE):
            messages.error(
                request,
                _(
                    "Un mandat se rédige pour une idée sélectionnée ou accompagnée ; celle-ci est "
                    "à l'étape « %(state)s »."
                )
                % {"state": idea.get_state_display()},
            )
            return redirect(idea.get_absolute_url())
        raise PermissionDenied
    return _mandate_form(request, idea=idea)


@login_required
def mandate_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    if not perms.is_mandate_delegate(request.user, mandate):
        raise PermissionDenied
    if not perms.can_edit_mandate(request.user, mandate):
        messages.error(
            request,
            _("Ce mandat est %(state)s : ses conditions ne peuvent plus changer.")
            % {"state": mandate.get_state_display().lower()},
        )
        return redirect(mandate.get_absolute_url())
    return _mandate_form(request, idea=mandate.idea, mandate=mandate)


@login_required
@require_POST
def mandate_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    if not perms.is_mandate_delegate(request.user, mandate):
        raise PermissionDenied
    try:
        services.send_for_signature(mandate, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Mandat envoyé pour signature : chaque partie est prévenue."))
    return redirect(mandate.get_absolute_url())


# --- One mandate ---------------------------------------------------------------------------


def _detail_context(request: AuthenticatedRequest, mandate: Mandate) -> dict:
    user = request.user
    members = selectors.members_of(mandate)
    signatures = list(mandate.signatures.select_related("signer"))
    # In due order (the model orders by mandate first, which joins the mandate again).
    followup_list = list(mandate.followups.order_by("due_on").prefetch_related("times"))
    used: dict[int, Decimal] = defaultdict(Decimal)
    times_by_followup: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for followup in followup_list:
        for time in followup.times.all():
            used[time.member_id] += time.hours
            times_by_followup[followup.pk][time.member_id] = time.hours
    balances, total = followups.time_balances(mandate, members, used)
    visible_members = {m.pk for m in members if perms.can_see_time_of(user, mandate, m)}
    is_delegate = perms.is_mandate_delegate(user, mandate)
    today = timezone.localdate()
    for followup in followup_list:
        followup.visible_times = [
            (member, times_by_followup[followup.pk].get(member.pk))
            for member in members
            if member.pk in visible_members
        ]
        followup.is_overdue = not followup.is_recorded and followup.due_on < today
    return {
        "mandate": mandate,
        "members": members,
        "party_rows": selectors.party_rows(mandate, members, signatures),
        "history": [s for s in signatures if s.terms_version < mandate.terms_version],
        "followups": followup_list,
        "balances": [b for b in balances if b.member.pk in visible_members],
        "total": total if is_delegate else None,
        "my_parties": perms.parties_of(user, mandate, members),
        "can_sign": perms.can_sign(user, mandate, members)
        and any(
            not any(
                s.signer_id == user.pk
                and s.party == party
                and s.terms_version == mandate.terms_version
                for s in signatures
            )
            for party in perms.parties_of(user, mandate, members)
        ),
        "can_edit": perms.can_edit_mandate(user, mandate),
        "can_send": perms.can_send_for_signature(user, mandate),
        "can_end": perms.can_end_mandate(user, mandate),
        "can_record": mandate.state == Mandate.State.ACTIVE
        and perms.can_hold_followups(user, mandate, members),
        "today": today,
        # "/idees/mandats/points/0/" → the prefix every follow-up's address shares.
        "followup_prefix": url_prefix("ideas:followup_record"),
    }


@login_required
def mandate_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    context = _detail_context(request, mandate)
    # Whoever sees the mandate sees how it got here (the printed letter leaves it out).
    context["events"] = selectors.state_history(mandate)
    return render(request, "ideas/mandate_detail.html", context)


@login_required
def mandate_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    return render(request, "ideas/mandate_print.html", _detail_context(request, mandate))


@login_required
def mandate_sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    members = selectors.members_of(mandate)
    parties = perms.parties_of(request.user, mandate, members)
    if not parties:
        raise PermissionDenied  # only the parties sign, each for themselves
    if mandate.state != Mandate.State.AWAITING_SIGNATURES:
        messages.error(
            request,
            _("Ce mandat n'attend pas de signature (%(state)s).")
            % {"state": mandate.get_state_display().lower()},
        )
        return redirect(mandate.get_absolute_url())
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The signer is always the person logged in: nobody signs for someone else.
            services.sign_mandate(
                mandate,
                signer=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(mandate.get_absolute_url())
        else:
            mandate.refresh_from_db(fields=["state"])
            if form.cleaned_data["decision"] == Signature.Decision.DECLINED:
                messages.success(
                    request, _("Votre refus est enregistré ; la délégation est prévenue.")
                )
            elif mandate.state == Mandate.State.ACTIVE:
                messages.success(
                    request, _("Merci ! Toutes les parties ont signé : le mandat est actif.")
                )
            else:
                messages.success(request, _("Merci, votre signature est enregistrée."))
            return redirect(mandate.get_absolute_url())
    return render(
        request,
        "ideas/mandate_sign.html",
        {
            "mandate": mandate,
            "members": members,
            "form": form,
            "parties": [Signature.Party(p).label for p in parties],
        },
    )


@login_required
def mandate_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mandate = _mandate_for_page(request.user, pk)
    if not perms.is_mandate_delegate(request.user, mandate):
        raise PermissionDenied
    if not perms.can_end_mandate(request.user, mandate):
        messages.error(
            request,
            _("Seul un mandat actif peut être clos ; celui-ci est %(state)s.")
            % {"state": mandate.get_state_display().lower()},
        )
        return redirect(mandate.get_absolute_url())
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_mandate(
                mandate,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                evaluation=form.cleaned_data["evaluation"],
                idea_state=form.cleaned_data["idea_state"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Mandat clos ; l'idée avance dans le pipeline."))
            return redirect(mandate.get_absolute_url())
    return render(request, "ideas/mandate_end.html", {"mandate": mandate, "form": form})


# --- Follow-ups ----------------------------------------------------------------------------


@login_required
def followup_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    followup = get_object_or_404(
        FollowUp.objects.filter(mandate__in=perms.visible_mandates(request.user)).select_related(
            "mandate__idea", "mandate__organisation"
        ),
        pk=pk,
    )
    mandate = followup.mandate
    members = selectors.members_of(mandate)
    if not perms.can_hold_followups(request.user, mandate, members):
        raise PermissionDenied
    if mandate.state != Mandate.State.ACTIVE:
        messages.error(
            request,
            _(
                "Ce mandat n'est pas actif (%(state)s) : on ne peut pas y enregistrer de point "
                "d'étape."
            )
            % {"state": mandate.get_state_display().lower()},
        )
        return redirect(mandate.get_absolute_url())
    hours = dict(followup.times.values_list("member_id", "hours"))
    form = FollowUpForm(request.POST or None, instance=followup, members=members, hours=hours)
    if request.method == "POST" and form.is_valid():
        try:
            followups.record_followup(
                followup, actor=request.user, data=form.cleaned_data, hours=form.hours()
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Point d'étape enregistré. Merci !"))
            return redirect(f"{mandate.get_absolute_url()}#point-{followup.number}")
    return render(
        request,
        "ideas/followup_form.html",
        {"followup": followup, "mandate": mandate, "form": form, "members": members},
    )
