"""Demo data of the forum (seed 003): called by `manage.py seed_demo` after the ideas.

The "1er forum Innovations interdépartemental" in Amiens on 28 November: the five
départements, the ideas of their common call, a jury mixing elected officials, agents and
directors general, the four weighted criteria. Scoring is left open with a few scores, so that
jury@tremplin.example can score at once. The jury shows the conflict-of-interest rules: Sylvie
Carpentier, delegate of both the Oise and the Val-d'Oise (a shared mission), does not score
either's pitches; jury@ has withdrawn from one pitch (« se déporter »).

Idempotent: the forum is looked up by its title; once created it belongs to the people using
the demo (its stage, scores, programme are never reset). Jurors' accounts are brought back to
the values below like the rest of the directory.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ideas.models import Idea
from innovation.platform.models import Role, User
from juries import permissions, scores, services
from juries.models import Forum, Juror, Pitch, Score

if TYPE_CHECKING:
    from innovation.platform.demo import DemoSeeder

TITLE = "1er forum Innovations interdépartemental"
CAMPAIGN = "Forum Innovations interdépartemental"
ORGANISATIONS = ["cd-nord", "cd-oise", "cd-pas-de-calais", "cd-somme", "cd-val-d-oise"]

CRITERIA = [
    # name, description, weight
    (
        "Impact pour les usagers",
        "Le service rendu aux usagers (ou aux agents) s'améliore-t-il nettement ?",
        3,
    ),
    ("Faisabilité", "Peut-on l'expérimenter en trois mois avec des moyens raisonnables ?", 2),
    (
        "Transférabilité aux autres collectivités",
        "Les autres départements pourraient-ils le reprendre ?",
        2,
    ),
    ("Engagement de l'équipe", "L'équipe porte-t-elle le projet et sait-elle le défendre ?", 1),
]


@dataclass(frozen=True)
class Seat:
    email: str
    first_name: str
    last_name: str
    job_title: str
    organisation: str
    college: str
    is_president: bool = False
    # Roles on collectivités of the forum besides the juror role on their own: (slug, role).
    extra_roles: tuple[tuple[str, str], ...] = ()


SEATS = [
    Seat(
        "bernard.lecomte@tremplin.example",
        "Bernard",
        "Lecomte",
        "Vice-président chargé de l'administration générale",
        "cd-nord",
        Juror.College.ELECTED,
        is_president=True,
    ),
    Seat(
        "jury@tremplin.example",
        "",
        "",
        "",
        "cd-somme",
        Juror.College.ELECTED,
    ),
    Seat(
        "isabelle.maes@tremplin.example",
        "Isabelle",
        "Maes",
        "Directrice générale des services",
        "cd-pas-de-calais",
        Juror.College.DIRECTOR,
    ),
    Seat(
        "nadia.benali@tremplin.example",
        "Nadia",
        "Benali",
        "Directrice générale adjointe Solidarités",
        "cd-val-d-oise",
        Juror.College.DIRECTOR,
    ),
    Seat(
        "olivier.renard@tremplin.example",
        "Olivier",
        "Renard",
        "Agent de la direction éducation-jeunesse",
        "cd-oise",
        Juror.College.AGENT,
    ),
    # A delegate of two collectivités: seated, she scores neither one's pitches.
    Seat(
        "sylvie.carpentier@tremplin.example",
        "Sylvie",
        "Carpentier",
        "Chargée de mission innovation, mission mutualisée Oise – Val-d'Oise",
        "cd-oise",
        Juror.College.AGENT,
        extra_roles=(("cd-oise", Role.DELEGATE), ("cd-val-d-oise", Role.DELEGATE)),
    ),
]
MULTI_ORGANISATION_JUROR = "sylvie.carpentier@tremplin.example"

# jury@ withdraws from the first pitch of this collectivité, with this reason.
RECUSAL = ("cd-val-d-oise", "Un proche fait partie de l'équipe projet.")

# A few scores already given (juror e-mail, pitch index, marks per criterion), so that the live
# board and jury@'s page show a forum under way. Nobody scores their own département's pitch.
SCORES = [
    ("bernard.lecomte@tremplin.example", 2, (8, 6, 7, 8)),
    ("isabelle.maes@tremplin.example", 0, (9, 7, 8, 9)),
    ("isabelle.maes@tremplin.example", 1, (6, 8, 5, 7)),
    ("nadia.benali@tremplin.example", 0, (7, 6, 8, 8)),
    ("olivier.renard@tremplin.example", 0, (8, 8, 7, 9)),
    ("sylvie.carpentier@tremplin.example", 0, (7, 7, 9, 8)),
]


def forum_date(anchor: datetime.date) -> datetime.date:
    """The first 28 November on or after the demo's anchor day."""
    day = datetime.date(anchor.year, 11, 28)
    return day if day >= anchor else datetime.date(anchor.year + 1, 11, 28)


def _jurors(command: DemoSeeder) -> dict[str, User]:
    """The jurors' accounts (jury@ comes from the demo accounts), with a juror role."""
    template = command.people["jury@tremplin.example"]
    people = {}
    for seat in SEATS:
        if seat.email in command.people:
            people[seat.email] = command.people[seat.email]
            continue
        organisation = command.orgs[seat.organisation]
        user, created = command.upsert(
            User,
            {"email": seat.email},
            {
                "first_name": seat.first_name,
                "last_name": seat.last_name,
                "job_title": seat.job_title,
                "organisation": organisation,
                "is_active": True,
            },
        )
        if created or not user.has_usable_password():
            # The demo password, hashed once already for jury@: no new hashing needed.
            user.password = template.password
            user.save(update_fields=["password"])
        command.grant(user, organisation, Role.JUROR)
        for slug, role in seat.extra_roles:
            command.grant(user, command.orgs[slug], role)
        people[seat.email] = user
    return people


def seed_forum(command: DemoSeeder) -> Forum:
    """Create the demo forum on the first run; later runs leave it as people made it."""
    jurors = _jurors(command)
    somme = command.orgs["cd-somme"]
    forum = Forum.objects.filter(title=TITLE).first()
    if forum is not None:
        return forum
    # Prepared by the Somme's delegate as on the forum's pages: settings, grid, jury.
    organiser = command.delegates["cd-somme"]
    forum = services.save_forum(
        None,
        actor=organiser,
        organiser=somme,
        organisations=[command.orgs[slug] for slug in ORGANISATIONS],
        data={
            "title": TITLE,
            "date": forum_date(command.anchor),
            "starts_at": datetime.time(14, 0),
            "place": "Hôtel du Département, Amiens",
            "quota": 3,
            "laureate_count": 8,
            "pitch_minutes": 3,
            "question_minutes": 4,
        },
    )
    command.created["Forum"] += 1
    for name, description, weight in CRITERIA:
        services.add_criterion(
            forum,
            actor=organiser,
            data={
                "name": name,
                "description": description,
                "weight": weight,
                "scale_min": 0,
                "scale_max": 10,
            },
        )
    command.created["Criterion"] += len(CRITERIA)
    for seat in SEATS:
        services.add_juror(
            forum,
            actor=organiser,
            user=jurors[seat.email],
            college=seat.college,
            is_president=seat.is_president,
        )
    command.created["Juror"] += len(SEATS)
    # The ideas of the common call, département by département as in the programme of the day.
    # Pitches are written directly, the one part of the forum that is: `services.put_forward`
    # takes only a qualified or selected idea (and moves a qualified one to selected), and
    # these ideas went through the forum long ago: their histories, seeded in
    # innovation/site/demo/ideas_forum.py, go on to accompanied, experimenting, deployed or
    # redirected. Putting them forward through the service would need rewriting those
    # histories (or moving the ideas back, which the pipeline forbids).
    ideas = list(
        Idea.objects.filter(campaign__title=CAMPAIGN, organisation__slug__in=ORGANISATIONS)
        .select_related("organisation")
        .order_by("organisation__slug", "created_at", "pk")
    )
    pitches = []
    for position, idea in enumerate(ideas, start=1):
        pitches.append(
            Pitch.objects.create(
                forum=forum,
                idea=idea,
                organisation=idea.organisation,
                position=position,
                put_forward_by=command.delegates[idea.organisation.slug],
            )
        )
    command.created["Pitch"] += len(pitches)
    if not pitches:
        return forum
    # Opened like any forum, so that its history starts as it would; the demo data notifies
    # nobody (no e-mail to the jurors on every fresh database).
    forum = services.open_scoring(forum, actor=organiser, tell_jurors=False)
    forum = services.set_on_stage(forum, actor=organiser, pitch=pitches[min(2, len(pitches) - 1)])
    criteria = list(forum.criteria.all())
    for email, index, marks in SCORES:
        if index >= len(pitches):
            continue
        pitch, user = pitches[index], jurors[email]
        if not permissions.can_score_pitch(permissions.access_to(user, forum), pitch):
            continue
        scores.save_scores(
            forum,
            actor=user,
            pitch=pitch,
            values={c.pk: mark for c, mark in zip(criteria, marks, strict=True)},
        )
    command.created["Score"] += Score.objects.filter(forum=forum).count()
    slug, reason = RECUSAL
    withdrawn = next((p for p in pitches if p.organisation.slug == slug), None)
    if withdrawn is not None:
        scores.recuse(
            forum, actor=command.people["jury@tremplin.example"], pitch=withdrawn, reason=reason
        )
        command.created["Recusal"] += 1
    return forum
