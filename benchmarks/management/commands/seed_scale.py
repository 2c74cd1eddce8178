"""Scale data for the benchmark: a whole network of collectivités, generated in SQL.

    manage.py seed_scale                 # 20 organisations, 100,000 agents, 50,000 ideas,
                                         # 1,000,000 votes, 200,000 comments, 2,000 mandates...
    manage.py seed_scale --agents 2000 --ideas 500 --votes 5000   # any size

PostgreSQL only. Every large table is filled by `INSERT … SELECT … FROM generate_series`
run inside the server: no row goes through Python, no `save()` per row. Rows get explicit
ids (contiguous blocks after the current maximum) so that authors, voters and members can be
computed arithmetically; the id sequences are moved past them at the end. Pseudo-random
choices come from a multiplicative hash of the row number: the same sizes always give the
same data. Every generated person shares ONE password hash (PASSWORD below), computed once.

Denormalised counters are computed from the rows themselves (vote_count = votes of the idea,
comment_count = its comments that are not hidden), and the French search vector is refreshed
in one UPDATE with the expression of `ideas.search`.

The generated accounts the benchmark logs in as (all with PASSWORD):
    agent.0@scale.example       an agent of the first organisation
    delegue.00@scale.example    the delegate of the first organisation (board, dashboard,
                                mandates, forum room and results)
    jure.01@scale.example       a juror of the forums (from the second organisation)
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from ideas.models import (
    Campaign,
    Challenge,
    Comment,
    Follow,
    FollowUp,
    FollowUpTime,
    Idea,
    IdeaEvent,
    Mandate,
    MandateMember,
    Signature,
    Theme,
    Vote,
)
from ideas.search import search_vector
from innovation.platform.models import Direction, Organisation, RoleGrant, User
from juries.models import Criterion, Forum, Juror, Pitch, Score, ScoreEvent
from rituals import recurrence
from rituals.models import Occurrence, Registration, Ritual

PASSWORD = "tremplin-scale"
DOMAIN = "scale.example"
SLUG_PREFIX = "echelle-"
DIRECTIONS_PER_ORGANISATION = 10
MANAGERS_PER_ORGANISATION = 5
FOLLOWUP_WEEKS = 6
BREAKFAST_TITLE = "Petit-déjeuner de la montée en charge"

# Multiplicative hash (Knuth) of a row number, in [0, 2^32): deterministic "randomness".
HASH = "((({x}) * 2654435761) % 4294967296)"


def h(expr: str) -> str:
    return HASH.format(x=expr)


def u(expr: str) -> str:
    """A pseudo-random float in [0, 1) from an integer SQL expression."""
    return f"({h(expr)}::float8 / 4294967296.0)"


def pick(words: list[str], expr: str) -> str:
    """SQL choosing one of `words` by an integer expression (words are our own literals)."""
    items = ",".join("'" + w.replace("'", "''") + "'" for w in words)
    return f"(ARRAY[{items}])[1 + (({expr}) % {len(words)})::int]"


FIRST_NAMES = [
    "Camille", "Léa", "Hugo", "Chloé", "Lucas", "Inès", "Jules", "Manon", "Nathan", "Zoé",
    "Théo", "Élodie", "Karim", "Sophie", "Amélie", "Mehdi", "Aurélie", "Benoît", "Fatou", "Gaël",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "García", "Faure", "Rousseau", "Bonnet",
    "Mercier", "Benhamou", "Nguyen", "Lemaître", "Chevalier", "Bérenger",
]  # fmt: skip
DIRECTION_NAMES = [
    "Direction des ressources humaines", "Direction des finances", "Direction des routes",
    "Direction de l'éducation et des collèges", "Direction de l'action sociale",
    "Direction du numérique", "Direction de l'environnement", "Direction de la culture",
    "Direction des bâtiments", "Direction de l'autonomie", "Direction des sports",
    "Direction de la jeunesse",
]  # fmt: skip
THEMES = [
    "Simplification administrative", "Transition écologique", "Numérique",
    "Qualité de vie au travail", "Relation à l'usager", "Mobilités",
]  # fmt: skip
VERBS = [
    "Simplifier", "Dématérialiser", "Mutualiser", "Réduire", "Repenser", "Partager",
    "Automatiser", "Rendre accessible", "Éclairer", "Améliorer",
]  # fmt: skip
NOUNS = [
    "l'accueil des usagers", "les écoles", "la cantine des collèges", "le tri des déchets",
    "les déplacements à vélo", "le covoiturage entre agents", "les formulaires d'aide sociale",
    "l'éclairage public", "la consommation d'énergie", "les réunions d'équipe",
    "le parc de véhicules", "l'archivage des dossiers", "les congés et absences",
    "la maintenance des bâtiments", "l'entretien des routes", "la bibliothèque numérique",
    "les marchés publics", "l'intégration des nouveaux agents", "la téléphonie",
    "les impressions papier",
]  # fmt: skip
PLACES = [
    "au siège", "dans les collèges", "en territoire", "dans les maisons de services",
    "au centre technique", "à la médiathèque",
]  # fmt: skip
IRRITANTS = [
    "Chaque semaine nous ressaisissons les mêmes informations dans trois logiciels différents,",
    "Les usagers attendent longtemps au guichet faute de rendez-vous,",
    "Les écoles et les collèges signalent des pannes qui restent sans réponse pendant des jours,",
    "Les agents perdent du temps à chercher le bon interlocuteur,",
    "Le papier s'accumule et les dossiers se perdent entre deux services,",
    "Les véhicules de service restent souvent inutilisés alors que d'autres en manquent,",
]  # fmt: skip
CONSEQUENCES = [
    "ce qui fatigue les équipes et retarde les décisions.",
    "ce qui dégrade la qualité du service rendu aux habitants.",
    "ce qui coûte cher en énergie et en déplacements.",
    "ce qui crée des erreurs et des réclamations évitables.",
]  # fmt: skip
PROPOSALS = [
    "Nous proposons un outil partagé, simple, accessible depuis un téléphone,",
    "Nous proposons une expérimentation de trois mois avec une équipe volontaire,",
    "Nous proposons de regrouper les demandes dans un formulaire unique,",
    "Nous proposons un réseau de référents formés dans chaque direction,",
]  # fmt: skip
HOWS = [
    "co-construit avec les agents de terrain et évalué à mi-parcours.",
    "sans budget supplémentaire, en réutilisant les outils existants.",
    "avec un accompagnement du laboratoire d'innovation.",
    "en lien avec les usagers, les élus et les partenaires.",
]  # fmt: skip
IMPACTS = [
    "Une demi-journée gagnée par agent et par mois.",
    "Des délais de réponse divisés par deux pour les usagers.",
    "Moins de déplacements, moins de papier, moins d'énergie consommée.",
    "Des équipes plus sereines et un service plus lisible.",
]  # fmt: skip
COMMENTS = [
    "Très bonne idée, nous vivons la même chose dans notre service.",
    "Attention à bien associer les collègues des territoires.",
    "On a testé quelque chose de proche l'an dernier, je peux partager le bilan.",
    "Je soutiens ! Il faudrait aussi penser aux agents à temps partiel.",
    "Est-ce compatible avec le logiciel actuel ? Il faudrait voir avec le numérique.",
    "Bravo pour la proposition, l'impact sur les usagers serait réel.",
]  # fmt: skip
# (state, percentage of ideas); the rest of 100 is "submitted".
STATE_SHARES = [
    ("draft", 8),
    ("qualified", 15),
    ("selected", 8),
    ("accompanied", 7),
    ("experimenting", 6),
    ("deployed", 6),
    ("not_retained", 12),
    ("redirected", 4),
    ("abandoned", 4),
]


@dataclass
class Sizes:
    organisations: int
    agents: int
    ideas: int
    votes: int
    comments: int
    mandates: int
    due_followups: int
    pitches: int
    jurors: int
    criteria: int
    rituals: int

    def as_marker(self) -> str:
        return ",".join(f"{k}={v}" for k, v in vars(self).items())


class Command(BaseCommand):
    help = "Generate a network of collectivités at scale, in SQL (PostgreSQL only)."

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--organisations", type=int, default=20)
        add("--agents", type=int, default=100_000)
        add("--ideas", type=int, default=50_000)
        add("--votes", type=int, default=1_000_000)
        add("--comments", type=int, default=200_000)
        add("--mandates", type=int, default=2_000)
        add(
            "--due-followups",
            type=int,
            default=None,
            help="Mandates whose follow-up is due around today (default: half the mandates).",
        )
        add("--pitches", type=int, default=15)
        add("--jurors", type=int, default=50)
        add("--criteria", type=int, default=5)
        add("--rituals", type=int, default=100)
        add(
            "--small",
            action="store_true",
            help="Tiny sizes for a quick try (3 organisations, 300 agents, 200 ideas...).",
        )
        add("--no-analyze", action="store_true", help="Skip the final VACUUM ANALYZE.")

    # --- Orchestration -------------------------------------------------------------------------

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale génère des données en SQL PostgreSQL (generate_series, recherche "
                "plein texte) : lancez-le avec DATABASE_URL=postgres://… (SQLite n'est pas pris "
                "en charge)."
            )
        if options["small"]:
            options.update(
                organisations=3, agents=300, ideas=200, votes=2_000, comments=600, mandates=20,
                pitches=6, jurors=8, criteria=3, rituals=4,
            )  # fmt: skip
        sizes = Sizes(
            organisations=options["organisations"],
            agents=options["agents"],
            ideas=options["ideas"],
            votes=options["votes"],
            comments=options["comments"],
            mandates=options["mandates"],
            due_followups=(
                options["due_followups"]
                if options["due_followups"] is not None
                else options["mandates"] // 2
            ),
            pitches=options["pitches"],
            jurors=options["jurors"],
            criteria=options["criteria"],
            rituals=options["rituals"],
        )
        self._check(sizes)
        if Organisation.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError(
                "Des données d'échelle existent déjà dans cette base (collectivités "
                f"« {SLUG_PREFIX}… ») : utilisez une base dédiée et vide (make bench en crée une)."
            )
        self.sizes = sizes
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.per_org = sizes.agents // sizes.organisations
        started = time.monotonic()
        steps = [
            ("collectivités, directions, thèmes", self.step_organisations),
            ("personnes et rôles", self.step_people),
            ("appels à idées et défis", self.step_campaigns),
            ("idées", self.step_ideas),
            ("votes", self.step_votes),
            ("commentaires", self.step_comments),
            ("suivis, co-auteurs, historique", self.step_follows_events),
            ("compteurs dénormalisés", self.step_counters),
            ("vecteurs de recherche", self.step_search),
            ("mandats et points d'étape", self.step_mandates),
            ("forums, jury et notes", self.step_forums),
            ("petits-déjeuners et inscriptions", self.step_rituals),
            ("séquences d'identifiants", self.step_sequences),
        ]
        for label, step in steps:
            self._timed(label, step)
        if not options["no_analyze"] and not connection.in_atomic_block:
            self._timed("VACUUM ANALYZE", self.step_analyze, atomic=False)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_scale terminé en {time.monotonic() - started:.1f} s ({sizes.as_marker()})"
            )
        )

    def _check(self, sizes: Sizes) -> None:
        for name, value in vars(sizes).items():
            if value < 0:
                raise CommandError(f"--{name.replace('_', '-')} ne peut pas être négatif.")
        if sizes.organisations < 2:
            raise CommandError("Il faut au moins 2 collectivités (le jury ne note pas la sienne).")
        per_org = sizes.agents // sizes.organisations
        if per_org < 10:
            raise CommandError("Il faut au moins 10 agents par collectivité.")
        if sizes.ideas < sizes.organisations:
            raise CommandError("Il faut au moins une idée par collectivité.")
        if sizes.due_followups > sizes.mandates:
            raise CommandError("--due-followups ne peut pas dépasser --mandates.")
        if sizes.criteria < 1 or sizes.jurors < 1 or sizes.pitches < 1:
            raise CommandError("Un forum a besoin d'au moins un critère, un juré et un pitch.")

    def _timed(self, label: str, step, atomic: bool = True) -> None:
        started = time.monotonic()
        if atomic:
            with transaction.atomic():
                detail = step()
        else:
            detail = step()
        elapsed = time.monotonic() - started
        suffix = f" — {detail}" if detail else ""
        self.stdout.write(f"  {label:<36} {elapsed:7.2f} s{suffix}")
        self.stdout.flush()

    @staticmethod
    def _escape(statement: str, params) -> str:
        """With parameters, psycopg2 reads `%` as a placeholder: keep `%s`, escape the modulo
        operator (always written `a % b`, with spaces, in this file)."""
        if params is None:
            return statement
        return statement.replace("%", "%%").replace("%%s", "%s")

    def sql(self, statement: str, params=None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self._escape(statement, params), params)
            return cursor.rowcount

    def scalar(self, statement: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(self._escape(statement, params), params)
            return cursor.fetchone()[0]

    def next_id(self, model) -> int:
        return self.scalar(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")

    # --- Steps ---------------------------------------------------------------------------------

    def step_organisations(self) -> str:
        s = self.sizes
        self.org_base = self.next_id(Organisation)
        self.sql(
            f"""
            INSERT INTO innovation_organisation (id, name, short_name, slug, kind, created_at)
            SELECT {self.org_base} + g,
                   'Collectivité ' || lpad((g + 1)::text, 2, '0') || ' du réseau',
                   'Réseau ' || lpad((g + 1)::text, 2, '0'),
                   '{SLUG_PREFIX}' || lpad((g + 1)::text, 2, '0'),
                   (ARRAY['departement','epci','commune','region'])[1 + g % 4],
                   %s
            FROM generate_series(0, {s.organisations - 1}) g
            """,
            [self.now],
        )
        self.direction_base = self.next_id(Direction)
        d = DIRECTIONS_PER_ORGANISATION
        self.sql(
            f"""
            INSERT INTO innovation_direction (id, organisation_id, parent_id, name)
            SELECT {self.direction_base} + o * {d} + k, {self.org_base} + o, NULL,
                   {pick(DIRECTION_NAMES, "k")}
            FROM generate_series(0, {s.organisations - 1}) o,
                 generate_series(0, {d - 1}) k
            """
        )
        self.theme_ids = [Theme.objects.get_or_create(name=name)[0].pk for name in THEMES]
        return f"{s.organisations} collectivités, {s.organisations * d} directions"

    def step_people(self) -> str:
        s = self.sizes
        password = make_password(PASSWORD)  # hashed once for everyone
        self.agent_base = self.next_id(User)
        per_org, d = self.per_org, DIRECTIONS_PER_ORGANISATION
        # Agents: contiguous blocks of `per_org` ids per organisation (the rest goes to the last).
        org_of = f"LEAST(g / {per_org}, {s.organisations - 1})"
        self.sql(
            f"""
            INSERT INTO innovation_user (id, password, last_login, is_superuser, email, first_name,
                last_name, job_title, organisation_id, direction_id, is_active, is_staff,
                date_joined)
            SELECT {self.agent_base} + g, %s, NULL, false, 'agent.' || g || '@{DOMAIN}',
                   {pick(FIRST_NAMES, h("g"))}, {pick(LAST_NAMES, h("g + 7"))}, 'Agent',
                   {self.org_base} + {org_of},
                   {self.direction_base} + {org_of} * {d} + g % {d},
                   true, false, %s
            FROM generate_series(0, {s.agents - 1}) g
            """,
            [password, self.now],
        )
        self.sql(
            f"""
            INSERT INTO innovation_rolegrant (user_id, organisation_id, role, granted_at)
            SELECT id, organisation_id, 'agent', %s FROM innovation_user
            WHERE id BETWEEN {self.agent_base} AND {self.agent_base + s.agents - 1}
            """,
            [self.now],
        )
        # Staff of each organisation: delegate, sponsor, director, managers; then the jurors.
        self.staff_base = self.agent_base + s.agents
        m = MANAGERS_PER_ORGANISATION
        staff = [
            ("delegue", "delegate", 1),
            ("sponsor", "sponsor", 1),
            ("directeur", "director", 1),
            ("encadrant", "manager", m),
        ]
        self.per_org_staff = sum(count for *_x, count in staff)
        offset = 0
        self.staff_offsets: dict[str, int] = {}
        for prefix, role, count in staff:
            self.staff_offsets[role] = offset
            self.sql(
                f"""
                INSERT INTO innovation_user (id, password, last_login, is_superuser, email,
                    first_name, last_name, job_title, organisation_id, direction_id, is_active,
                    is_staff, date_joined)
                SELECT {self.staff_base} + o * {self.per_org_staff} + {offset} + k, %s, NULL,
                       false,
                       '{prefix}.' || lpad(o::text, 2, '0')
                           || CASE WHEN {count} > 1 THEN '.' || k ELSE '' END || '@{DOMAIN}',
                       {pick(FIRST_NAMES, h("o * 31 + k + 3"))},
                       {pick(LAST_NAMES, h("o * 17 + k + 5"))}, %s,
                       {self.org_base} + o, {self.direction_base} + o * {d} + k % {d}, true,
                       false, %s
                FROM generate_series(0, {s.organisations - 1}) o, generate_series(0, {count - 1}) k
                """,
                [password, role.capitalize(), self.now],
            )
            self.sql(
                f"""
                INSERT INTO innovation_rolegrant (user_id, organisation_id, role, granted_at)
                SELECT {self.staff_base} + o * {self.per_org_staff} + {offset} + k,
                       {self.org_base} + o, %s, %s
                FROM generate_series(0, {s.organisations - 1}) o, generate_series(0, {count - 1}) k
                """,
                [role, self.now],
            )
            offset += count
        self.juror_user_base = self.staff_base + s.organisations * self.per_org_staff
        self.sql(
            f"""
            INSERT INTO innovation_user (id, password, last_login, is_superuser, email,
                first_name, last_name, job_title, organisation_id, direction_id, is_active,
                is_staff, date_joined)
            SELECT {self.juror_user_base} + j, %s, NULL, false,
                   'jure.' || lpad(j::text, 2, '0') || '@{DOMAIN}',
                   {pick(FIRST_NAMES, h("j + 11"))}, {pick(LAST_NAMES, h("j + 13"))}, 'Juré·e',
                   {self.org_base} + j % {s.organisations},
                   {self.direction_base} + (j % {s.organisations}) * {d}, true, false, %s
            FROM generate_series(0, {s.jurors - 1}) j
            """,
            [password, self.now],
        )
        self.sql(
            f"""
            INSERT INTO innovation_rolegrant (user_id, organisation_id, role, granted_at)
            SELECT {self.juror_user_base} + j, {self.org_base} + j % {s.organisations}, r, %s
            FROM generate_series(0, {s.jurors - 1}) j, unnest(ARRAY['agent', 'juror']) r
            """,
            [self.now],
        )
        total = s.agents + s.organisations * self.per_org_staff + s.jurors
        return f"{total} personnes (un seul hachage de mot de passe)"

    def staff_id(self, org_expr: str, role: str, k: str = "0") -> str:
        """SQL expression: id of a staff member of an organisation (index expression)."""
        return (
            f"({self.staff_base} + ({org_expr}) * {self.per_org_staff} "
            f"+ {self.staff_offsets[role]} + ({k}))"
        )

    def agent_id(self, org_expr: str, local_expr: str) -> str:
        return f"({self.agent_base} + ({org_expr}) * {self.per_org} + ({local_expr}))"

    def step_campaigns(self) -> str:
        s = self.sizes
        # Two campaigns per organisation, and two open to the whole network.
        self.campaign_base = self.next_id(Campaign)
        self.campaign_count = s.organisations * 2 + 2
        self.sql(
            f"""
            INSERT INTO ideas_campaign (id, title, description, opens_on, closes_on,
                created_by_id, created_at, allows_hidden_authors)
            SELECT {self.campaign_base} + c,
                   CASE WHEN c >= {s.organisations * 2}
                        THEN 'Appel du réseau n°' || (c - {s.organisations * 2} + 1)
                        ELSE 'Appel à idées ' || {pick(THEMES, "c")} || ' — réseau '
                             || lpad((c / 2 + 1)::text, 2, '0') END,
                   'Proposez vos idées : elles seront étudiées par la délégation à l''innovation.',
                   %s::date - (c % 3) * 120, %s::date - (c % 3) * 120 + 150,
                   {self.staff_id(f"LEAST(c / 2, {s.organisations - 1})", "delegate")}, %s,
                   false
            FROM generate_series(0, {self.campaign_count - 1}) c
            """,
            [self.today, self.today, self.now],
        )
        self.sql(
            f"""
            INSERT INTO ideas_campaign_organisations (campaign_id, organisation_id)
            SELECT {self.campaign_base} + c, {self.org_base} + c / 2
            FROM generate_series(0, {s.organisations * 2 - 1}) c
            UNION ALL
            SELECT {self.campaign_base} + {s.organisations * 2} + n, {self.org_base} + o
            FROM generate_series(0, 1) n, generate_series(0, {s.organisations - 1}) o
            """
        )
        self.sql(
            f"""
            INSERT INTO ideas_campaign_themes (campaign_id, theme_id)
            SELECT {self.campaign_base} + c, (%s::bigint[])[1 + (c % {len(self.theme_ids)})::int]
            FROM generate_series(0, {self.campaign_count - 1}) c
            """,
            [self.theme_ids],
        )
        self.challenge_base = self.next_id(Challenge)
        self.challenge_count = s.organisations * 5
        self.sql(
            f"""
            INSERT INTO ideas_challenge (id, organisation_id, direction_id, author_id, title,
                description, closes_on, created_at)
            SELECT {self.challenge_base} + c, {self.org_base} + c / 5,
                   {self.direction_base} + (c / 5) * {DIRECTIONS_PER_ORGANISATION} + c % 5,
                   {self.staff_id("c / 5", "director")},
                   'Comment ' || lower({pick(VERBS, "c")}) || ' ' || {pick(NOUNS, "c * 3")} || ' ?',
                   'Un défi posé par la direction à toutes les équipes.',
                   CASE WHEN c % 2 = 0 THEN NULL ELSE %s::date + 60 END, %s
            FROM generate_series(0, {self.challenge_count - 1}) c
            """,
            [self.today, self.now],
        )
        return f"{self.campaign_count} appels, {self.challenge_count} défis"

    def step_ideas(self) -> str:
        s = self.sizes
        self.idea_base = self.next_id(Idea)
        # State by a hash bucket in [0, 100).
        bucket = f"({h('g + 101')} % 100)"
        cases, low = [], 0
        for state, share in STATE_SHARES:
            cases.append(f"WHEN {bucket} < {low + share} THEN '{state}'")
            low += share
        state = f"CASE {' '.join(cases)} ELSE 'submitted' END"
        org = f"(g % {s.organisations})"
        # Days since submission: recent ideas are more numerous.
        age = f"(power({u('g + 5')}, 2) * 900)::int"
        self.sql(
            f"""
            INSERT INTO ideas_idea (id, organisation_id, direction_id, author_id, title, irritant,
                proposal, beneficiaries, expected_impact, theme_id, campaign_id, challenge_id,
                state, support, vote_count, comment_count, submitted_at, created_at, updated_at,
                search_vector, author_hidden)
            SELECT {self.idea_base} + g, {self.org_base} + {org},
                   {self.direction_base} + {org} * {DIRECTIONS_PER_ORGANISATION}
                       + ({h("g")} % {self.per_org}) % {DIRECTIONS_PER_ORGANISATION},
                   {self.agent_id(org, f"{h('g')} % {self.per_org}")},
                   {pick(VERBS, h("g + 1"))} || ' ' || {pick(NOUNS, h("g + 2"))} || ' '
                       || {pick(PLACES, h("g + 3"))},
                   {pick(IRRITANTS, h("g + 4"))} || ' ' || {pick(CONSEQUENCES, h("g + 6"))}
                       || ' Cela concerne ' || {pick(NOUNS, h("g + 8"))} || ' '
                       || {pick(PLACES, h("g + 9"))} || '.',
                   {pick(PROPOSALS, h("g + 10"))} || ' pour ' || lower({pick(VERBS, h("g + 12"))})
                       || ' ' || {pick(NOUNS, h("g + 2"))} || ', '
                       || {pick(HOWS, h("g + 14"))},
                   (ARRAY['agents','users','both'])[1 + g % 3],
                   {pick(IMPACTS, h("g + 15"))},
                   (%s::bigint[])[1 + ({h("g + 16")} % {len(self.theme_ids)})::int],
                   CASE WHEN {h("g + 17")} % 10 < 2
                        THEN {self.campaign_base} + {org} * 2 + g % 2
                        WHEN {h("g + 17")} % 10 = 2
                        THEN {self.campaign_base} + {s.organisations * 2} + g % 2 END,
                   CASE WHEN {h("g + 18")} % 20 = 0
                        THEN {self.challenge_base} + {org} * 5 + g % 5 END,
                   st.state,
                   CASE WHEN st.state IN ('accompanied','experimenting','deployed')
                        THEN (ARRAY['autonomous','internal','external'])[1 + g % 3]
                        ELSE '' END,
                   0, 0,
                   CASE WHEN st.state = 'draft' THEN NULL
                        ELSE %s::timestamptz - make_interval(days => {age}, hours => g % 24) END,
                   %s::timestamptz - make_interval(days => {age} + 1, hours => g % 24),
                   %s::timestamptz - make_interval(days => {age} / 2, hours => g % 24),
                   NULL, false
            FROM generate_series(0, {s.ideas - 1}) g, LATERAL (SELECT {state} AS state) st
            """,
            [self.theme_ids, self.now, self.now, self.now],
        )
        self.idea_last = self.idea_base + s.ideas - 1
        # The public ideas, numbered 0..E-1: votes and comments pick among them by number.
        self.sql("DROP TABLE IF EXISTS scale_public")
        self.sql(
            f"""
            CREATE TEMP TABLE scale_public ON COMMIT PRESERVE ROWS AS
            SELECT (row_number() OVER (ORDER BY id) - 1)::int AS rn, id,
                   organisation_id - {self.org_base} AS org,
                   author_id - ({self.agent_base} + (organisation_id - {self.org_base})
                       * {self.per_org}) AS author_local
            FROM ideas_idea
            WHERE id BETWEEN {self.idea_base} AND {self.idea_last} AND state <> 'draft'
            """
        )
        self.sql("CREATE UNIQUE INDEX ON scale_public (rn)")
        self.public = self.scalar("SELECT count(*) FROM scale_public")
        return f"{s.ideas} idées dont {self.public} publiques"

    def step_votes(self) -> str:
        s = self.sizes
        if not s.votes or not self.public:
            return "aucun"
        cap = self.per_org - 1  # everyone of the organisation but the author
        # Each public idea gets a share of the votes proportional to a skewed weight (u^6):
        # a few ideas gather hundreds of votes, most a handful. Cumulative rounding makes the
        # shares add up to exactly --votes (unless ideas saturate at `cap`): rounding the running
        # total, not each share.
        self.sql(
            f"""
            INSERT INTO ideas_vote (idea_id, voter_id, created_at)
            SELECT w.id,
                   {self.agent_base} + w.org * {self.per_org}
                       + ((w.id * 131 + j) % {cap})
                       + (((w.id * 131 + j) % {cap}) >= w.author_local)::int,
                   %s::timestamptz - make_interval(mins => ((w.id + j) % 200000)::int)
            FROM (
                SELECT id, org, author_local,
                       LEAST(round(cum * {s.votes} / total) - round(prev * {s.votes} / total),
                             {cap})::int AS n
                FROM (
                    SELECT p.*, sum(weight) OVER (ORDER BY rn) AS cum,
                           coalesce(sum(weight) OVER (ORDER BY rn ROWS BETWEEN UNBOUNDED
                               PRECEDING AND 1 PRECEDING), 0) AS prev,
                           sum(weight) OVER () AS total
                    FROM (SELECT *, power({u("id + 21")}, 6) + 0.0001 AS weight
                          FROM scale_public) p
                ) c
            ) w, generate_series(0, w.n - 1) j
            ORDER BY w.id
            """,
            [self.now],
        )
        votes = self.scalar("SELECT count(*) FROM ideas_vote WHERE idea_id >= %s", [self.idea_base])
        return f"{votes} votes"

    def step_comments(self) -> str:
        s = self.sizes
        if not s.comments or not self.public:
            return "aucun"
        # Skewed too: low numbers (rn) get more comments. 1 % of the comments are hidden.
        self.sql(
            f"""
            INSERT INTO ideas_comment (idea_id, author_id, body, created_at, hidden_at,
                hidden_by_id, hidden_reason)
            SELECT p.id, {self.agent_base} + p.org * {self.per_org} + (k * 7) % {self.per_org},
                   {pick(COMMENTS, h("k"))},
                   %s::timestamptz - make_interval(mins => (k % 500000)),
                   CASE WHEN k % 100 = 0 THEN %s::timestamptz END,
                   CASE WHEN k % 100 = 0 THEN {self.staff_id("p.org", "delegate")} END,
                   CASE WHEN k % 100 = 0 THEN 'Propos hors charte' ELSE '' END
            FROM generate_series(0, {s.comments - 1}) k
            JOIN scale_public p ON p.rn = floor({self.public} * power({u("k + 31")}, 1.5))::int
            """,
            [self.now, self.now],
        )
        return f"{s.comments} commentaires"

    def step_follows_events(self) -> str:
        ideas = f"id BETWEEN {self.idea_base} AND {self.idea_last}"
        follows = self.sql(
            f"""
            INSERT INTO ideas_follow (idea_id, user_id, created_at)
            SELECT id, author_id, created_at FROM ideas_idea WHERE {ideas}
            """
        )
        coauthors = self.sql(
            f"""
            INSERT INTO ideas_idea_coauthors (idea_id, user_id)
            SELECT p.id, {self.agent_base} + p.org * {self.per_org}
                       + (p.author_local + 1 + p.id % {self.per_org - 1}) % {self.per_org}
            FROM scale_public p WHERE p.id % 10 = 0
            """
        )
        events = self.sql(
            f"""
            INSERT INTO ideas_ideaevent (idea_id, actor_id, before, after, reason, created_at)
            SELECT id, author_id, 'draft', 'submitted', '', submitted_at
            FROM ideas_idea WHERE {ideas} AND state <> 'draft'
            """
        )
        events += self.sql(
            f"""
            INSERT INTO ideas_ideaevent (idea_id, actor_id, before, after, reason, created_at)
            SELECT id, {self.staff_id(f"organisation_id - {self.org_base}", "delegate")},
                   'submitted', state,
                   CASE WHEN state IN ('not_retained','redirected','abandoned')
                        THEN 'Décision de la délégation après étude.' ELSE '' END,
                   LEAST(submitted_at + interval '10 days', updated_at)
            FROM ideas_idea WHERE {ideas} AND state NOT IN ('draft', 'submitted')
            """
        )
        return f"{follows} suivis, {coauthors} co-auteurs, {events} étapes d'historique"

    def step_counters(self) -> str:
        ideas = f"BETWEEN {self.idea_base} AND {self.idea_last}"
        self.sql(
            f"""
            UPDATE ideas_idea i SET vote_count = c.n
            FROM (SELECT idea_id, count(*) AS n FROM ideas_vote WHERE idea_id {ideas}
                  GROUP BY idea_id) c
            WHERE i.id = c.idea_id
            """
        )
        self.sql(
            f"""
            UPDATE ideas_idea i SET comment_count = c.n
            FROM (SELECT idea_id, count(*) AS n FROM ideas_comment
                  WHERE idea_id {ideas} AND hidden_at IS NULL GROUP BY idea_id) c
            WHERE i.id = c.idea_id
            """
        )
        top = self.scalar(f"SELECT max(vote_count) FROM ideas_idea WHERE id {ideas}")
        return f"vote_count max {top}"

    def step_search(self) -> str:
        updated = Idea.objects.filter(id__gte=self.idea_base, id__lte=self.idea_last).update(
            search_vector=search_vector()
        )
        return f"{updated} idées (configuration tremplin_fr)"

    def step_mandates(self) -> str:
        s = self.sizes
        if not s.mandates:
            return "aucun"
        # Ideas under way, spread over the organisations, one mandate each.
        self.sql("DROP TABLE IF EXISTS scale_mandate")
        self.sql(
            f"""
            CREATE TEMP TABLE scale_mandate ON COMMIT PRESERVE ROWS AS
            SELECT (row_number() OVER (ORDER BY (id * 7) % 1000003, id) - 1)::int AS m, id AS idea,
                   organisation_id - {self.org_base} AS org
            FROM ideas_idea
            WHERE id BETWEEN {self.idea_base} AND {self.idea_last}
              AND state IN ('accompanied', 'experimenting', 'deployed', 'selected')
            """
        )
        available = self.scalar("SELECT count(*) FROM scale_mandate")
        count = min(s.mandates, available)
        due = min(s.due_followups, count)
        w = FOLLOWUP_WEEKS * 7
        # Kinds: the first `due` mandates are active with a follow-up due around today
        # (between 12 days ago and 3 days ahead, so every reminder kind is exercised); the
        # others cycle through completed, awaiting signatures, draft, and active-not-due.
        kind = (
            f"CASE WHEN m < {due} THEN 'due' "
            "ELSE (ARRAY['completed','awaiting','draft','active'])[1 + m % 4] END"
        )
        # For active ones: follow-up number n0 is due at today + phase.
        self.sql("DROP TABLE IF EXISTS scale_mandate_plan")
        self.sql(
            f"""
            CREATE TEMP TABLE scale_mandate_plan ON COMMIT PRESERVE ROWS AS
            SELECT m, idea, org, kind,
                   CASE kind
                     WHEN 'due' THEN %s::date + (-12 + m % 16) - {w} * (1 + m % 3)
                     WHEN 'active' THEN %s::date + (4 + m % 26) - {w} * (1 + m % 3)
                     WHEN 'completed' THEN %s::date - 400 + m % 100
                     ELSE %s::date + 10 + m % 30 END AS starts_on,
                   1 + m % 3 AS n0
            FROM (SELECT *, {kind} AS kind FROM scale_mandate WHERE m < {count}) x
            """,
            [self.today] * 4,
        )
        self.mandate_base = self.next_id(Mandate)
        state = (
            "CASE p.kind WHEN 'due' THEN 'active' WHEN 'active' THEN 'active' "
            "WHEN 'completed' THEN 'completed' WHEN 'awaiting' THEN 'awaiting_signatures' "
            "ELSE 'draft' END"
        )
        ends = (
            "CASE WHEN p.kind IN ('due', 'active') "
            f"THEN p.starts_on + {w} * (p.n0 + 1 + p.m % 3) + 5 ELSE p.starts_on + 180 END"
        )
        self.sql(
            f"""
            INSERT INTO ideas_mandate (id, idea_id, organisation_id, state, sponsor_id,
                client_direction_id, client_director_id, objectives, resources, budget, starts_on,
                ends_on, duration_reason, protection_clause, terms_version, created_by_id,
                created_at, updated_at, sent_for_signature_at, activated_at, ended_at,
                ended_by_id, closing_evaluation)
            SELECT {self.mandate_base} + p.m, p.idea, {self.org_base} + p.org, {state},
                   {self.staff_id("p.org", "sponsor")},
                   {self.direction_base} + p.org * {DIRECTIONS_PER_ORGANISATION}
                       + p.m % {DIRECTIONS_PER_ORGANISATION},
                   {self.staff_id("p.org", "director")},
                   'Expérimenter la proposition avec une équipe volontaire et mesurer l''impact.',
                   'Une salle, un budget de fonctionnement et l''appui du laboratoire.',
                   CASE WHEN p.m % 2 = 0 THEN 5000 END, p.starts_on, {ends},
                   'Projet long : expérimentation sur plusieurs cycles.', %s, 1,
                   {self.staff_id("p.org", "delegate")},
                   p.starts_on - 20, %s,
                   CASE WHEN p.kind <> 'draft' THEN p.starts_on - 15 END,
                   CASE WHEN p.kind IN ('due', 'active', 'completed') THEN p.starts_on - 5 END,
                   CASE WHEN p.kind = 'completed' THEN p.starts_on + 180 END,
                   CASE WHEN p.kind = 'completed' THEN {self.staff_id("p.org", "delegate")} END,
                   CASE WHEN p.kind = 'completed' THEN 'Objectifs atteints.' ELSE '' END
            FROM scale_mandate_plan p
            """,
            [Mandate._meta.get_field("protection_clause").default, self.now],
        )
        mandates = f"id BETWEEN {self.mandate_base} AND {self.mandate_base + count - 1}"
        # Team: 1 to 3 agents of the organisation, each with one of its managers.
        member_local = f"(p.m * 37 + k * {max(1, self.per_org // 3)}) % {self.per_org}"
        members = self.sql(
            f"""
            INSERT INTO ideas_mandatemember (mandate_id, agent_id, manager_id,
                freed_hours_per_week)
            SELECT {self.mandate_base} + p.m,
                   {self.agent_id("p.org", member_local)},
                   {self.staff_id("p.org", "manager", f"(p.m + k) % {MANAGERS_PER_ORGANISATION}")},
                   3.5
            FROM scale_mandate_plan p, generate_series(0, p.m % 3) k
            """
        )
        signatures = self.sql(
            f"""
            INSERT INTO ideas_signature (mandate_id, signer_id, party, terms_version, decision,
                comment, created_at)
            SELECT DISTINCT ON (mandate_id, signer_id, party) mandate_id, signer_id, party, 1,
                   'signed', '', created_at
            FROM (
                SELECT id AS mandate_id, sponsor_id AS signer_id, 'sponsor' AS party,
                       activated_at AS created_at
                FROM ideas_mandate WHERE {mandates} AND activated_at IS NOT NULL
                UNION ALL
                SELECT id, client_director_id, 'client_director', activated_at
                FROM ideas_mandate WHERE {mandates} AND activated_at IS NOT NULL
                UNION ALL
                SELECT mm.mandate_id, mm.agent_id, 'agent', md.activated_at
                FROM ideas_mandatemember mm JOIN ideas_mandate md ON md.id = mm.mandate_id
                WHERE md.{mandates} AND md.activated_at IS NOT NULL
                UNION ALL
                SELECT mm.mandate_id, mm.manager_id, 'manager', md.activated_at
                FROM ideas_mandatemember mm JOIN ideas_mandate md ON md.id = mm.mandate_id
                WHERE md.{mandates} AND md.activated_at IS NOT NULL
            ) parties
            """
        )
        # Follow-ups of started mandates, every six weeks; those due more than 12 days ago
        # (or of completed mandates) are recorded, with the time each agent spent.
        followups = self.sql(
            f"""
            INSERT INTO ideas_followup (mandate_id, number, due_on, recorded_at, recorded_by_id,
                progress, blockers, decisions, next_steps, indicator)
            SELECT md.id, n, md.starts_on + {w} * n,
                   CASE WHEN done THEN (md.starts_on + {w} * n)::timestamptz
                       + interval '10 hours' END,
                   CASE WHEN done THEN md.created_by_id END,
                   CASE WHEN done THEN 'L''équipe a avancé comme prévu sur les objectifs.'
                       ELSE '' END,
                   '', '', '',
                   CASE WHEN done THEN (ARRAY['ahead','on_track','struggling','blocked'])
                       [1 + (md.id + n) % 4] ELSE '' END
            FROM ideas_mandate md,
                 generate_series(1, ((md.ends_on - md.starts_on) / {w})::int) n,
                 LATERAL (SELECT md.state = 'completed'
                          OR md.starts_on + {w} * n < %s::date - 12 AS done) r
            WHERE md.{mandates} AND md.state IN ('active', 'completed')
            """,
            [self.today],
        )
        self.sql(
            f"""
            INSERT INTO ideas_followuptime (followup_id, member_id, hours)
            SELECT f.id, mm.id, 18.0 + (f.id + mm.id) % 6
            FROM ideas_followup f JOIN ideas_mandatemember mm ON mm.mandate_id = f.mandate_id
            WHERE f.mandate_id BETWEEN {self.mandate_base} AND {self.mandate_base + count - 1}
              AND f.recorded_at IS NOT NULL
            """
        )
        due_now = self.scalar(
            f"""
            SELECT count(*) FROM ideas_followup f JOIN ideas_mandate md ON md.id = f.mandate_id
            WHERE md.{mandates} AND md.state = 'active' AND f.recorded_at IS NULL
              AND f.due_on <= %s::date + 3
            """,
            [self.today],
        )
        return (
            f"{count} mandats, {members} membres, {signatures} signatures, "
            f"{followups} points d'étape dont {due_now} à relancer"
        )

    def step_forums(self) -> str:
        """Two forums over the whole network: one closed and fully scored (room, results), one
        open and not scored yet (the juror's page; the benchmark's concurrent scoring)."""
        s = self.sizes
        organisations = list(range(self.org_base, self.org_base + s.organisations))
        delegate = User.objects.get(pk=self.scalar(f"SELECT {self.staff_id('0', 'delegate')}"))
        ideas = list(
            Idea.objects.filter(
                id__gte=self.idea_base, id__lte=self.idea_last, state__in=["qualified", "selected"]
            )
            .order_by("organisation_id", "id")
            .distinct("organisation_id")
            .values_list("id", "organisation_id")
        )
        more = list(
            Idea.objects.filter(
                id__gte=self.idea_base, id__lte=self.idea_last, state__in=["qualified", "selected"]
            )
            .exclude(id__in=[i for i, _o in ideas])
            .order_by("id")
            .values_list("id", "organisation_id")[: max(s.pitches - len(ideas), 0)]
        )
        chosen = (ideas + more)[: s.pitches]
        detail = []
        for title, stage in (
            ("Forum de l'innovation du réseau", Forum.Stage.CLOSED),
            ("Forum de printemps du réseau", Forum.Stage.OPEN),
        ):
            forum = Forum.objects.create(
                title=title,
                date=self.today,
                place="Hémicycle du réseau",
                organiser_id=self.org_base,
                quota=max(3, s.pitches),
                laureate_count=min(8, s.pitches),
                stage=stage,
                created_by=delegate,
                closed_at=self.now if stage == Forum.Stage.CLOSED else None,
                closed_by=delegate if stage == Forum.Stage.CLOSED else None,
            )
            forum.organisations.set(organisations)
            Criterion.objects.bulk_create(
                Criterion(
                    forum=forum,
                    name=name,
                    weight=1 + (index % 2),
                    position=index,
                )
                for index, name in enumerate(
                    [f"Critère {n + 1}" for n in range(s.criteria)][: s.criteria]
                )
            )
            Pitch.objects.bulk_create(
                Pitch(
                    forum=forum,
                    idea_id=idea_id,
                    organisation_id=organisation_id,
                    position=index,
                    put_forward_by=delegate,
                )
                for index, (idea_id, organisation_id) in enumerate(chosen)
            )
            colleges = [c for c, _label in Juror.College.choices]
            Juror.objects.bulk_create(
                Juror(
                    forum=forum,
                    user_id=self.juror_user_base + j,
                    organisation_id=self.org_base + j % s.organisations,
                    college=colleges[j % len(colleges)],
                    is_president=j == 0,
                )
                for j in range(s.jurors)
            )
            if stage == Forum.Stage.OPEN:
                forum.current_pitch = forum.pitches.order_by("position").first()
                forum.save(update_fields=["current_pitch"])
                detail.append(f"forum ouvert {forum.pk}")
                continue
            scores = self.sql(
                """
                INSERT INTO juries_score (forum_id, juror_id, pitch_id, criterion_id,
                    juror_organisation_id, pitch_organisation_id, value, created_at, updated_at)
                SELECT %s, j.id, p.id, c.id, j.organisation_id, p.organisation_id,
                       c.scale_min + ((j.id * 7 + p.id * 13 + c.id * 3) % (c.scale_max
                           - c.scale_min + 1)), %s, %s
                FROM juries_juror j JOIN juries_pitch p ON p.forum_id = j.forum_id
                     JOIN juries_criterion c ON c.forum_id = j.forum_id
                WHERE j.forum_id = %s AND p.organisation_id <> j.organisation_id
                """,
                [forum.pk, self.now, self.now, forum.pk],
            )
            self.sql(
                """
                INSERT INTO juries_scoreevent (score_id, actor_id, before, after, created_at)
                SELECT s.id, j.user_id, NULL, s.value, s.created_at
                FROM juries_score s JOIN juries_juror j ON j.id = s.juror_id
                WHERE s.forum_id = %s
                """,
                [forum.pk],
            )
            detail.append(f"forum clos {forum.pk} : {scores} notes")
        return ", ".join(detail)

    def step_rituals(self) -> str:
        s = self.sizes
        delegate_of = {
            o: self.scalar(f"SELECT {self.staff_id(str(o), 'delegate')}")
            for o in range(s.organisations)
        }
        rituals = [
            Ritual(
                organisation_id=self.org_base + r % s.organisations,
                title=f"Petit-déjeuner de l'innovation n°{r + 1}",
                kind=Ritual.Kind.BREAKFAST if r % 3 else Ritual.Kind.PASSION,
                description="Un projet présenté en 20 minutes, puis des échanges autour d'un café.",
                starts_on=self.today - datetime.timedelta(days=180),
                interval_days=14,
                weekday=r % 5,
                place="Salle du conseil",
                capacity=20,
                created_by_id=delegate_of[r % s.organisations],
            )
            for r in range(s.rituals)
        ]
        # The breakfast of the concurrency benchmark: one date next month, 20 seats.
        rituals.append(
            Ritual(
                organisation_id=self.org_base,
                title=BREAKFAST_TITLE,
                starts_on=self.today + datetime.timedelta(days=30),
                interval_days=365,
                weekday=(self.today + datetime.timedelta(days=30)).weekday(),
                place="Cafétéria",
                capacity=20,
                created_by_id=delegate_of[0],
            )
        )
        Ritual.objects.bulk_create(rituals)
        for ritual in rituals[:-1]:
            recurrence.generate(
                ritual,
                self.today - datetime.timedelta(days=180),
                self.today + datetime.timedelta(days=recurrence.HORIZON_DAYS),
            )
        breakfast = rituals[-1]
        recurrence.generate(breakfast, breakfast.starts_on, breakfast.starts_on)
        ids = [ritual.pk for ritual in rituals[:-1]]
        # Past dates: 20 confirmed, most attended; future dates: 20 confirmed and 5 waiting.
        registrant = self.agent_id(
            f"r.organisation_id - {self.org_base}", f"(o.id * 17 + k) % {self.per_org}"
        )
        registrations = self.sql(
            f"""
            INSERT INTO rituals_registration (occurrence_id, user_id, status, created_at,
                promoted_at, cancelled_at, attended)
            SELECT o.id,
                   {registrant},
                   CASE WHEN k < 20 THEN 'confirmed' ELSE 'waiting' END,
                   o.starts_at - make_interval(days => 7, mins => 25 - k), NULL, NULL,
                   o.starts_at < %s AND k < 20 AND k % 5 <> 0
            FROM rituals_occurrence o JOIN rituals_ritual r ON r.id = o.ritual_id,
                 generate_series(0, CASE WHEN o.starts_at < %s THEN 19 ELSE 24 END) k
            WHERE o.ritual_id = ANY(%s) AND k < {self.per_org}
            """,
            [self.now, self.now, ids],
        )
        occurrences = Occurrence.objects.filter(ritual_id__in=ids).count()
        return f"{len(ids)} séries, {occurrences} séances, {registrations} inscriptions"

    def step_sequences(self) -> str:
        models = [
            Organisation, Direction, User, RoleGrant, Campaign, Challenge, Idea, Vote, Comment,
            Follow, IdeaEvent, Mandate, MandateMember, Signature, FollowUp, FollowUpTime,
            Forum, Criterion, Juror, Pitch, Score, ScoreEvent, Ritual, Occurrence, Registration,
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        self.sql("DROP TABLE IF EXISTS scale_public, scale_mandate, scale_mandate_plan")
        return ""

    def step_analyze(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return ""
