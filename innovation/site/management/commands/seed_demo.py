"""Demo data drawn from the seeds: collectivités, directions, people, campaigns and ideas,
read from the data modules of innovation/site/demo/ and written here.

Idempotent: every row is looked up by its natural key (Organisation.slug, User.email,
Direction (organisation, parent, name), Theme.name, Campaign.title, Challenge (organisation,
title), Idea (organisation, title), Vote (idea, voter), ...). The directory (collectivités,
directions, people, roles, themes, campaigns, challenge) is brought back to the values below;
an idea, once created, is left as people made it (state, text, history), only the seeded
votes, comments and follows are added back if missing, and the counters recomputed.

Ideas, their steps, votes, comments and follows, roles, the breakfast series (created,
their dates added by the nightly job, programmed, registrations and attendance), the forum
(settings, grid, jury, opening, scores) and the mandates (drafted with their team, sent,
signed, activated, a follow-up recorded) are written through the services, each on its day
(a time-machine clock): the demo can only hold what the product can reach, with the
histories, audit lines and notifications the product writes, and nothing dated after the
moment the seed runs. Those notifications are marked as not to be e-mailed: the demo's mails
go nowhere. Written directly: the directory (collectivités, directions, people, themes, the
calls and the challenge once posted, brought back to the seed's values on every run) and
the forum's pitches (juries/demo.py says why). A new call is opened through the service by
its delegate, except the forum's common call: `save_campaign` wants a delegate of every
collectivité of the call, and nobody delegates for all five départements.

Dates are relative to an anchor: today on the first run, then the day the first run happened
(recovered from the Somme campaign), so a second run on a later day changes nothing either.
The demo password is checked on every run and reset only if it no longer works.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterable
from typing import Any

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from ideas import permissions as idea_permissions
from ideas import services as idea_services
from ideas.models import Campaign, Challenge, Comment, Follow, Idea, Theme
from ideas.search import refresh_search_vector
from innovation.platform import roles
from innovation.platform.models import (
    Direction,
    Notification,
    Organisation,
    Role,
    RoleGrant,
    User,
)
from innovation.platform.outbox import DeliveryState
from innovation.site.demo.campaigns import (
    CAMPAIGNS,
    CHALLENGE,
    FORUM_CAMPAIGN,
    SOMME_CAMPAIGN,
    SOMME_OPENED_DAYS_AGO,
)
from innovation.site.demo.directory import (
    DELEGATE_OF,
    DEMO_ACCOUNTS,
    DIRECTIONS,
    ORGANISATIONS,
    PASSWORD,
    PEOPLE,
    THEMES,
)
from innovation.site.demo.ideas import IDEAS
from innovation.site.demo.seeds import DEFAULT_REASONS, EXITS, FORUM_REASONS, IdeaSeed, S

# --- The command ----------------------------------------------------------------------------


def _same(obj: models.Model, name: str, value) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


def _form_data(model: type[models.Model], fields: Iterable[str], **values: Any) -> dict[str, Any]:
    """What a service's form would send: `values`, and each other field at its default."""
    data = {name: model._meta.get_field(name).get_default() for name in fields}
    data.update(values)
    return data


class Command(BaseCommand):
    help = (
        "Crée (ou remet à jour) les données de démonstration de Tremplin ; relançable sans effet."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            self.created: Counter[str] = Counter()
            self.updated: Counter[str] = Counter()
            self.anchor = self._anchor()
            last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            self._organisations()
            self._directions()
            self._people()
            self._themes()
            self._campaigns()
            self._challenge()
            self._ideas()
            # Forum and jury (juries/): the Amiens forum, scoring open for jury@.
            from juries.demo import seed_forum

            self.forum = seed_forum(self)
            # Breakfast rituals (rituals/): Somme breakfast, Isère "Partage ma passion".
            from rituals.demo import seed_rituals

            self.rituals = seed_rituals(self)
            # Mandates (ideas/): one active in the Somme, one awaiting signatures.
            from ideas.mandates.demo import seed_mandates

            self.mandates = seed_mandates(self)
            # What happened in the demo's past told people as it would have (notifications),
            # but its e-mails go nowhere.
            Notification.objects.filter(
                pk__gt=last_notification, delivery_state=DeliveryState.PENDING
            ).update(delivery_state=DeliveryState.SKIPPED)
        self._summary()

    # --- helpers ---

    def _anchor(self) -> datetime.date:
        opens_on = (
            Campaign.objects.filter(title=SOMME_CAMPAIGN).values_list("opens_on", flat=True).first()
        )
        if opens_on is None:
            return timezone.localdate()
        return opens_on + datetime.timedelta(days=SOMME_OPENED_DAYS_AGO)

    def day(self, offset: int) -> datetime.date:
        return self.anchor + datetime.timedelta(days=offset)

    def at(self, days_ago: int, hour: int = 9, minute: int = 30) -> datetime.datetime:
        moment = datetime.datetime.combine(self.day(-days_ago), datetime.time(hour, minute))
        return timezone.make_aware(moment)

    def upsert(self, model: type[models.Model], lookup: dict, values: dict | None = None):
        """Get by natural key and bring `values` up to date, writing only what differs."""
        values = values or {}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            self.created[model.__name__] += 1
            return obj, True
        changed = [name for name, value in values.items() if not _same(obj, name, value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.updated[model.__name__] += 1
        return obj, False

    def grant(self, user: User, organisation: Organisation, role: str) -> None:
        """A role, through the platform's service (so it is in the audit trail), once."""
        if not RoleGrant.objects.filter(user=user, organisation=organisation, role=role).exists():
            roles.grant_role(user, organisation, role, actor=None)
            self.created["RoleGrant"] += 1

    def get_or_create(self, model: type[models.Model], lookup: dict, defaults: dict | None = None):
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults or {})
        if created:
            self.created[model.__name__] += 1
        return obj, created

    # --- directory ---

    def _organisations(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        for slug, name, short_name, kind in ORGANISATIONS:
            self.orgs[slug], _ = self.upsert(
                Organisation, {"slug": slug}, {"name": name, "short_name": short_name, "kind": kind}
            )

    def _directions(self) -> None:
        self.directions: dict[tuple[str, ...], Direction] = {}
        for slug, tree in DIRECTIONS.items():
            organisation = self.orgs[slug]
            for top, children in tree:
                # A name is unique per parent whatever its case: look it up the same way.
                parent, _ = self.get_or_create(
                    Direction,
                    {"organisation": organisation, "parent": None, "name__iexact": top},
                    {"name": top},
                )
                self.directions[(slug, top)] = parent
                for child in children:
                    self.directions[(slug, top, child)], _ = self.get_or_create(
                        Direction,
                        {"organisation": organisation, "parent": parent, "name__iexact": child},
                        {"name": child},
                    )

    def _people(self) -> None:
        self.people: dict[str, User] = {}
        password_hash = None
        checked: dict[str, bool] = {}
        for person in PEOPLE:
            values = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "job_title": person.job_title,
                "organisation": self.orgs[person.organisation],
                "direction": (
                    self.directions[(person.organisation, *person.direction)]
                    if person.direction
                    else None
                ),
                "is_active": True,
                "is_staff": person.superuser,
                "is_superuser": person.superuser,
            }
            user, created = self.upsert(User, {"email": person.email}, values)
            # The demo password must always work: check it once per distinct hash, and reset
            # it only when it does not. New people share one hash, so creating them is fast.
            works = checked.get(user.password)
            if works is None:
                works = bool(user.password) and check_password(PASSWORD, user.password)
                checked[user.password] = works
            if not works:
                password_hash = password_hash or make_password(PASSWORD)
                checked[password_hash] = True
                user.password = password_hash
                user.save(update_fields=["password"])
                if not created:
                    self.updated["User.password"] += 1
            for role in person.roles:
                self.grant(user, self.orgs[person.organisation], role)
            for slug, role in person.extra_roles:
                self.grant(user, self.orgs[slug], role)
            self.people[person.email] = user
        self.delegates = {slug: self.people[email] for slug, email in DELEGATE_OF.items()}
        # Who may vote on an idea of each organisation: the seeded agents only, so that the
        # votes stay the same from one run to the next whoever joined since.
        self.voters: dict[str, list[User]] = {}
        for person in PEOPLE:
            grants = [(person.organisation, role) for role in person.roles]
            grants += list(person.extra_roles)
            for slug, role in grants:
                if role == Role.AGENT:
                    self.voters.setdefault(slug, []).append(self.people[person.email])

    def _themes(self) -> None:
        self.themes = {name: self.get_or_create(Theme, {"name": name})[0] for name in THEMES}

    def _campaigns(self) -> None:
        self.campaigns: dict[str, Campaign] = {}
        for spec in CAMPAIGNS:
            values = {
                "description": spec["description"],
                "opens_on": self.day(spec["opens"]),
                "closes_on": self.day(spec["closes"]),
            }
            creator = self.people[spec["created_by"]]
            organisations = [self.orgs[slug] for slug in spec["organisations"]]
            if not Campaign.objects.filter(title=spec["title"]).exists() and {
                organisation.pk for organisation in organisations
            } <= idea_permissions.pipeline_organisation_ids(creator):
                # Opened by its delegate through the service, as on the call's form, a week
                # before it opens. (The forum's common call spans five départements: no
                # delegate serves them all, so it is written directly, as an admin would.)
                with self.clock(7 - spec["opens"], 10, 0):
                    campaign = idea_services.save_campaign(
                        None,
                        actor=creator,
                        data=_form_data(
                            Campaign, idea_services.CAMPAIGN_FIELDS, title=spec["title"], **values
                        ),
                        organisations=organisations,
                        themes=[self.themes[name] for name in spec["themes"]],
                    )
                self.created["Campaign"] += 1
                self.campaigns[spec["title"]] = campaign
                continue
            with self.clock(7 - spec["opens"], 10, 0):
                campaign, created = self.upsert(
                    Campaign, {"title": spec["title"]}, {**values, "created_by": creator}
                )
            for manager, wanted in (
                (campaign.organisations, [self.orgs[slug] for slug in spec["organisations"]]),
                (campaign.themes, [self.themes[name] for name in spec["themes"]]),
            ):
                if {obj.pk for obj in manager.all()} != {obj.pk for obj in wanted}:
                    manager.set(wanted)
                    if not created:
                        self.updated["Campaign"] += 1
            self.campaigns[spec["title"]] = campaign

    def _challenge(self) -> None:
        spec = CHALLENGE
        organisation = self.orgs[spec["organisation"]]
        lookup = {"organisation": organisation, "title": spec["title"]}
        values = {
            "direction": self.directions[(spec["organisation"], *spec["direction"])],
            "description": spec["description"],
            "closes_on": self.day(spec["closes"]),
        }
        author = self.people[spec["author"]]
        if Challenge.objects.filter(**lookup).exists():
            self.challenge, _ = self.upsert(Challenge, lookup, {"author": author, **values})
            return
        # Posted by its director through the service, as on the challenge's form, 15 days ago.
        with self.clock(15, 11):
            self.challenge = idea_services.save_challenge(
                None,
                actor=author,
                data=_form_data(
                    Challenge,
                    idea_services.CHALLENGE_FIELDS,
                    organisation=organisation,
                    title=spec["title"],
                    **values,
                ),
            )
        self.created["Challenge"] += 1

    # --- ideas ---

    def _ideas(self) -> None:
        self.new_idea_ids: set[int] = set()
        ideas = [self._idea(seed) for seed in IDEAS]
        for idea, seed in zip(ideas, IDEAS, strict=True):
            self._community(idea, seed)
        self._recount(ideas)
        refresh_search_vector([idea.pk for idea in ideas])
        self.idea_count = len(ideas)

    def _idea(self, seed: IdeaSeed) -> Idea:
        """A new idea is written as its authors and delegates would have, through the
        services, each step on its day (the demo's clock): so it can only hold a state the
        product can reach. An idea already there belongs to the people using the demo."""
        steps = seed.steps()
        if (
            len(steps) != len(seed.days_ago)
            or (steps and steps[-1] != seed.state)
            or list(seed.days_ago) != sorted(seed.days_ago, reverse=True)
            or any(c.days_ago >= seed.days_ago[0] for c in seed.comments)
            or any(days < 1 for days in seed.days_ago)
        ):
            raise ValueError(f"Chronologie incohérente pour « {seed.title} ».")
        organisation = self.orgs[seed.organisation]
        author = self.people[seed.author]
        idea = Idea.objects.filter(organisation=organisation, title=seed.title).first()
        if idea is not None:
            return idea
        with self.clock(seed.days_ago[0] + 1 if steps else 2, 16, 45):
            idea = idea_services.create_idea(
                author=author,
                data={
                    "title": seed.title,
                    "irritant": seed.irritant,
                    "proposal": seed.proposal,
                    "beneficiaries": seed.beneficiaries,
                    "expected_impact": seed.expected_impact,
                    "theme": self.themes[seed.theme],
                    "campaign": self.campaigns[seed.campaign] if seed.campaign else None,
                    "challenge": self.challenge if seed.challenge else None,
                },
                coauthors=[self.people[email] for email in seed.coauthors],
            )
        self.created["Idea"] += 1
        self.new_idea_ids.add(idea.pk)
        delegate = self.delegates[seed.organisation]
        for step, days_ago in zip(steps, seed.days_ago, strict=True):
            actor = author if step in (S.SUBMITTED, S.ABANDONED) else delegate
            reason = seed.reasons.get(step)
            if reason is None:
                reason = (FORUM_REASONS if seed.campaign == FORUM_CAMPAIGN else {}).get(
                    step, DEFAULT_REASONS.get(step, "")
                )
            if step in EXITS and not reason:
                raise ValueError(f"Motif manquant pour « {seed.title} » ({step}).")
            with self.clock(days_ago, 10 if step == S.SUBMITTED else 14, 0):
                idea = idea_services.move_idea(idea, to=step, actor=actor, reason=reason)
        if seed.support and seed.state not in (S.DRAFT, S.SUBMITTED):
            with self.clock(seed.days_ago[-1], 14, 5):
                idea = idea_services.set_support(idea, actor=delegate, support=seed.support)
        return idea

    def _community(self, idea: Idea, seed: IdeaSeed) -> None:
        """Follows, votes and comments, through the services on their day: added back if
        missing, never duplicated."""
        if idea.state == S.DRAFT or not seed.days_ago:
            return
        for email in (*seed.coauthors, *seed.followers):
            user = self.people[email]
            if not Follow.objects.filter(idea=idea, user=user).exists():
                idea_services.set_following(idea, user=user, following=True)
                self.created["Follow"] += 1
        authors = {idea.author_id, *idea.coauthors.values_list("pk", flat=True)}
        submitted = seed.days_ago[0]
        pool = [user for user in self.voters[seed.organisation] if user.pk not in authors]
        pool.sort(key=lambda user: user.email)
        chosen = random.Random(seed.title).sample(pool, min(seed.votes, len(pool)))
        for rank, voter in enumerate(chosen):
            with self.clock(max(submitted - 1 - rank, 1), 12, rank):
                if idea_services.cast_vote(idea, voter=voter):
                    self.created["Vote"] += 1
        delegate = self.delegates[seed.organisation]
        for seeded in seed.comments:
            commenter = self.people[seeded.author]
            if Comment.objects.filter(idea=idea, author=commenter, body=seeded.body).exists():
                continue
            with self.clock(seeded.days_ago, 13, 15):
                comment = idea_services.add_comment(idea, author=commenter, body=seeded.body)
            self.created["Comment"] += 1
            if seeded.hidden_reason:
                with self.clock(seeded.days_ago, 17, 0):
                    idea_services.hide_comment(comment, actor=delegate, reason=seeded.hidden_reason)

    def clock(self, days_ago: int, hour: int = 9, minute: int = 30):
        """The demo's clock, set to a moment of its past, for what the services date now."""
        return time_machine.travel(self.at(days_ago, hour, minute), tick=False)

    def _recount(self, ideas: list[Idea]) -> None:
        """Counters equal to the real rows, whoever added them (seed or demo visitors)."""
        counts = Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).annotate(
            real_votes=Count("votes", distinct=True),
            real_comments=Count(
                "comments", filter=Q(comments__hidden_at__isnull=True), distinct=True
            ),
        )
        for row in counts.values(
            "pk", "vote_count", "comment_count", "real_votes", "real_comments"
        ):
            if (row["vote_count"], row["comment_count"]) != (
                row["real_votes"],
                row["real_comments"],
            ):
                Idea.objects.filter(pk=row["pk"]).update(
                    vote_count=row["real_votes"], comment_count=row["real_comments"]
                )
                if row["pk"] not in self.new_idea_ids:
                    self.updated["Idea (compteurs)"] += 1

    # --- output ---

    def _summary(self) -> None:
        write = self.stdout.write
        created = sum(self.created.values())
        updated = sum(self.updated.values())
        write(self.style.SUCCESS("Données de démonstration Tremplin prêtes."))
        write(
            f"  {len(self.orgs)} collectivités, {len(self.people)} personnes, "
            f"{len(self.campaigns)} appels à idées, 1 défi, {self.idea_count} idées."
        )
        if created or updated:
            details = ", ".join(f"{name} : {n}" for name, n in sorted(self.created.items()))
            write(f"  Créé : {created} ligne(s){' (' + details + ')' if details else ''}.")
            if updated:
                write(f"  Mis à jour : {updated} ligne(s).")
        else:
            write("  Rien à faire : tout était déjà à jour.")
        somme = self.campaigns[SOMME_CAMPAIGN]
        if not somme.is_open():
            write(
                self.style.WARNING(
                    f"  Attention : « {somme.title} » est clos depuis le "
                    f"{somme.closes_on:%d/%m/%Y} (dates fixées au premier lancement)."
                )
            )
        write("")
        nord = self.people[DELEGATE_OF["cd-nord"]]
        accounts = [
            (p.email, f"{p.label} — {p.first_name} {p.last_name} (Somme)") for p in DEMO_ACCOUNTS
        ]
        accounts.append((nord.email, f"déléguée à l'innovation — {nord.get_full_name()} (Nord)"))
        width = max(len(email) for email, _ in accounts)
        write("Comptes de démonstration :")
        for email, label in accounts:
            write(f"  {email:<{width}}  {label}")
        write(f"Mot de passe de tous les comptes : {PASSWORD}")
        write(
            f"Forum « {self.forum.title} » ({self.forum.get_stage_display().lower()}) : "
            f"{settings.SITE_URL}/forums/{self.forum.pk}/ — jury@ note, delegue@ anime ; "
            "sylvie.carpentier@ (déléguée de l'Oise et du Val-d'Oise) ne note ni l'une ni l'autre."
        )
        write("")
        write(f"Ouvrez {settings.SITE_URL}/ (après « manage.py runserver »).")
