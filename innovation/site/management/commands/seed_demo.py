"""Demo data drawn from the seeds: collectivités, directions, people, campaigns and ideas.

Idempotent: every row is looked up by its natural key (Organisation.slug, User.email,
Direction (organisation, parent, name), Theme.name, Campaign.title, Challenge (organisation,
title), Idea (organisation, title), Vote (idea, voter), ...). The directory (collectivités,
directions, people, roles, themes, campaigns, challenge) is brought back to the values below;
an idea, once created, is left as people made it (state, text, history), only the seeded
votes, comments and follows are added back if missing, and the counters recomputed.

Dates are relative to an anchor: today on the first run, then the day the first run happened
(recovered from the Somme campaign), so a second run on a later day changes nothing either.
The demo password is checked on every run and reset only if it no longer works.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from ideas.models import Campaign, Challenge, Comment, Follow, Idea, IdeaEvent, Theme, Vote
from ideas.search import refresh_search_vector
from innovation.platform.models import Direction, Organisation, Role, RoleGrant, User

PASSWORD = "tremplin-demo"

S = Idea.State
K = Organisation.Kind
B = Idea.Beneficiaries
SUP = Idea.Support

# --- Collectivités --------------------------------------------------------------------------

ORGANISATIONS = [
    # slug, name, short name, kind
    ("cd-nord", "Département du Nord", "Nord", K.DEPARTEMENT),
    ("cd-oise", "Département de l'Oise", "Oise", K.DEPARTEMENT),
    ("cd-pas-de-calais", "Département du Pas-de-Calais", "Pas-de-Calais", K.DEPARTEMENT),
    ("cd-somme", "Département de la Somme", "Somme", K.DEPARTEMENT),
    ("cd-val-d-oise", "Département du Val-d'Oise", "Val-d'Oise", K.DEPARTEMENT),
    ("isere", "Département de l'Isère", "Isère", K.DEPARTEMENT),
    ("pau", "Communauté d'agglomération Pau Béarn Pyrénées", "Pau Béarn Pyrénées", K.EPCI),
    ("ville-de-pau", "Ville de Pau", "Pau", K.COMMUNE),
    ("dunkerque", "Communauté urbaine de Dunkerque", "CU de Dunkerque", K.EPCI),
]
FORUM_ORGANISATIONS = ["cd-nord", "cd-oise", "cd-pas-de-calais", "cd-somme", "cd-val-d-oise"]

DGS = "Direction générale des services"

# slug -> [(top-level direction, [sub-directions])]
DIRECTIONS = {
    "cd-somme": [
        (DGS, ["Mission innovation participative"]),
        (
            "DGA Solidarités et insertion",
            ["Aide sociale à l'enfance", "PMI", "Action sociale de proximité"],
        ),
        (
            "DGA Ressources",
            [
                "Direction des finances",
                "Direction des ressources humaines",
                "Direction du numérique",
            ],
        ),
        ("DGA Éducation et patrimoine", ["Direction des collèges", "Direction des bâtiments"]),
    ],
    "cd-nord": [
        (DGS, ["Mission innovation"]),
        (
            "DGA Solidarités",
            [
                "Aide sociale à l'enfance",
                "Direction territoriale de prévention et d'action sociale",
            ],
        ),
        ("DGA Ressources", ["Direction de la commande publique"]),
    ],
    "cd-oise": [
        (DGS, ["Mission modernisation"]),
        ("DGA Éducation", ["Direction éducation-jeunesse", "Direction des collèges"]),
    ],
    "cd-pas-de-calais": [
        (DGS, ["Direction du conseil en gestion et en innovation"]),
        ("DGA Solidarités", ["Maison du Département Solidarité"]),
        ("DGA Aménagement", ["Direction de la voirie"]),
    ],
    "cd-val-d-oise": [
        (DGS, ["Mission innovation"]),
        ("DGA Éducation et patrimoine", ["Direction des collèges", "Direction des bâtiments"]),
        ("DGA Solidarités", ["PMI"]),
    ],
    "isere": [
        (DGS, ["Direction de la performance et de la modernisation"]),
        ("DGA Éducation", ["Direction de l'éducation", "Patrimoine des collèges"]),
        ("DGA Solidarités", ["Direction de l'insertion et de la famille"]),
        ("DGA Ressources", ["Direction des ressources humaines"]),
    ],
    "pau": [
        (DGS, ["Dquipe (qualité, innovation, pilotage et prospective)"]),
        ("Direction des ressources humaines", []),
        ("Direction de la propreté et des déchets", []),
    ],
    "ville-de-pau": [
        (DGS, []),
        ("Direction de la population", ["État civil"]),
    ],
    "dunkerque": [
        (DGS, ["La Transfo"]),
        ("Direction des espaces verts", []),
        ("Direction de la politique de la ville", []),
    ],
}

# --- People ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    job_title: str
    organisation: str
    direction: tuple[str, ...] | None
    roles: tuple[str, ...]
    # Roles on other organisations: (slug, role).
    extra_roles: tuple[tuple[str, str], ...] = ()
    superuser: bool = False
    label: str = ""  # shown in the summary for the demo accounts


SOMME = "cd-somme"
SOL = "DGA Solidarités et insertion"
RES = "DGA Ressources"
EDU = "DGA Éducation et patrimoine"

DEMO_ACCOUNTS = [
    Person(
        "agent@tremplin.example",
        "Julie",
        "Caron",
        "Standardiste, Maison départementale des solidarités d'Amiens",
        SOMME,
        (SOL, "Action sociale de proximité"),
        (Role.AGENT,),
        label="agent",
    ),
    Person(
        "encadrant@tremplin.example",
        "Thomas",
        "Lefebvre",
        "Chef du service accueil et orientation",
        SOMME,
        (SOL, "Action sociale de proximité"),
        (Role.AGENT, Role.MANAGER),
        label="encadrant (N+1)",
    ),
    Person(
        "directeur@tremplin.example",
        "Philippe",
        "Delattre",
        "Directeur de l'action sociale de proximité",
        SOMME,
        (SOL, "Action sociale de proximité"),
        (Role.AGENT, Role.DIRECTOR),
        label="directeur",
    ),
    Person(
        "sponsor@tremplin.example",
        "Catherine",
        "Vasseur",
        "Directrice générale adjointe Solidarités et insertion",
        SOMME,
        (SOL,),
        (Role.SPONSOR,),
        label="sponsor (DGA)",
    ),
    Person(
        "jury@tremplin.example",
        "Marc",
        "Dumont",
        "Conseiller départemental délégué à la modernisation",
        SOMME,
        None,
        (Role.JUROR,),
        label="membre du jury (élu)",
    ),
    Person(
        "delegue@tremplin.example",
        "Amina",
        "Lefort",
        "Coordinatrice de l'innovation participative",
        SOMME,
        (DGS, "Mission innovation participative"),
        (Role.AGENT, Role.DELEGATE),
        label="déléguée à l'innovation",
    ),
    Person(
        "admin@tremplin.example",
        "Nicolas",
        "Leroy",
        "Administrateur de la plateforme Tremplin",
        SOMME,
        (RES, "Direction du numérique"),
        (Role.ADMIN, Role.DELEGATE),
        # The administrator keeps the directory of every collectivité of the demo.
        extra_roles=tuple((slug, Role.ADMIN) for slug, *_ in ORGANISATIONS if slug != SOMME),
        superuser=True,
        label="administrateur",
    ),
]

DELEGATE_OF = {
    "cd-somme": "delegue@tremplin.example",
    "cd-nord": "delegue.nord@tremplin.example",
    "cd-oise": "delegue.oise@tremplin.example",
    "cd-pas-de-calais": "delegue.pas-de-calais@tremplin.example",
    "cd-val-d-oise": "delegue.val-d-oise@tremplin.example",
    "isere": "delegue.isere@tremplin.example",
    "pau": "delegue.pau@tremplin.example",
    "ville-de-pau": "delegue.pau@tremplin.example",
    "dunkerque": "delegue.dunkerque@tremplin.example",
}

AD = (Role.AGENT, Role.DELEGATE)
A = (Role.AGENT,)

OTHER_PEOPLE = [
    # Somme
    Person(
        "sebastien.boulanger@tremplin.example",
        "Sébastien",
        "Boulanger",
        "Chef de cuisine au collège Jules-Verne",
        SOMME,
        (EDU, "Direction des collèges"),
        A,
    ),
    Person(
        "nathalie.dupont@tremplin.example",
        "Nathalie",
        "Dupont",
        "Directrice des finances",
        SOMME,
        (RES, "Direction des finances"),
        A,
    ),
    Person(
        "sandrine.roussel@tremplin.example",
        "Sandrine",
        "Roussel",
        "Infirmière puéricultrice en PMI",
        SOMME,
        (SOL, "PMI"),
        A,
    ),
    Person(
        "aurelie.morel@tremplin.example",
        "Aurélie",
        "Morel",
        "Éducatrice, référente ASE",
        SOMME,
        (SOL, "Aide sociale à l'enfance"),
        A,
    ),
    Person(
        "karim.mansouri@tremplin.example",
        "Karim",
        "Mansouri",
        "Assistant de service social",
        SOMME,
        (SOL, "Action sociale de proximité"),
        A,
    ),
    # Nord
    Person(
        "delegue.nord@tremplin.example",
        "Hélène",
        "Vandamme",
        "Chargée de mission innovation",
        "cd-nord",
        (DGS, "Mission innovation"),
        AD,
    ),
    Person(
        "julien.verhaeghe@tremplin.example",
        "Julien",
        "Verhaeghe",
        "Juriste, service des marchés publics",
        "cd-nord",
        ("DGA Ressources", "Direction de la commande publique"),
        A,
    ),
    Person(
        "laetitia.dubois@tremplin.example",
        "Laetitia",
        "Dubois",
        "Agente de la direction territoriale de prévention et d'action sociale",
        "cd-nord",
        ("DGA Solidarités", "Direction territoriale de prévention et d'action sociale"),
        A,
    ),
    Person(
        "mehdi.bouzid@tremplin.example",
        "Mehdi",
        "Bouzid",
        "Agent d'accueil",
        "cd-nord",
        ("DGA Solidarités", "Direction territoriale de prévention et d'action sociale"),
        A,
    ),
    # Oise
    Person(
        "delegue.oise@tremplin.example",
        "Stéphanie",
        "Lemaire",
        "Chargée de mission modernisation",
        "cd-oise",
        (DGS, "Mission modernisation"),
        AD,
    ),
    Person(
        "franck.girard@tremplin.example",
        "Franck",
        "Girard",
        "Chef de cuisine en collège",
        "cd-oise",
        ("DGA Éducation", "Direction des collèges"),
        A,
    ),
    Person(
        "emilie.fontaine@tremplin.example",
        "Émilie",
        "Fontaine",
        "Diététicienne",
        "cd-oise",
        ("DGA Éducation", "Direction éducation-jeunesse"),
        A,
    ),
    # Pas-de-Calais
    Person(
        "delegue.pas-de-calais@tremplin.example",
        "Olivier",
        "Lenglet",
        "Conseiller en gestion et en innovation",
        "cd-pas-de-calais",
        (DGS, "Direction du conseil en gestion et en innovation"),
        AD,
    ),
    Person(
        "sophie.delcroix@tremplin.example",
        "Sophie",
        "Delcroix",
        "Chargée d'accueil",
        "cd-pas-de-calais",
        ("DGA Solidarités", "Maison du Département Solidarité"),
        A,
    ),
    Person(
        "kevin.hochart@tremplin.example",
        "Kévin",
        "Hochart",
        "Instructeur des permissions de voirie",
        "cd-pas-de-calais",
        ("DGA Aménagement", "Direction de la voirie"),
        A,
    ),
    # Val-d'Oise
    Person(
        "delegue.val-d-oise@tremplin.example",
        "Claire",
        "Besnard",
        "Chargée de mission innovation",
        "cd-val-d-oise",
        (DGS, "Mission innovation"),
        AD,
    ),
    Person(
        "antoine.marchal@tremplin.example",
        "Antoine",
        "Marchal",
        "Chef de projet bâtiments",
        "cd-val-d-oise",
        ("DGA Éducation et patrimoine", "Direction des bâtiments"),
        A,
    ),
    Person(
        "fatou.diallo@tremplin.example",
        "Fatou",
        "Diallo",
        "Infirmière puéricultrice en PMI",
        "cd-val-d-oise",
        ("DGA Solidarités", "PMI"),
        A,
    ),
    # Isère
    Person(
        "delegue.isere@tremplin.example",
        "Marion",
        "Chabert",
        "Chargée de mission « Construisons ! »",
        "isere",
        (DGS, "Direction de la performance et de la modernisation"),
        AD,
    ),
    Person(
        "romain.gauthier@tremplin.example",
        "Romain",
        "Gauthier",
        "Gestionnaire du patrimoine des collèges",
        "isere",
        ("DGA Éducation", "Patrimoine des collèges"),
        A,
    ),
    Person(
        "elodie.perrin@tremplin.example",
        "Élodie",
        "Perrin",
        "Assistante ressources humaines",
        "isere",
        ("DGA Ressources", "Direction des ressources humaines"),
        A,
    ),
    Person(
        "yannick.rey@tremplin.example",
        "Yannick",
        "Rey",
        "Conseiller en insertion professionnelle",
        "isere",
        ("DGA Solidarités", "Direction de l'insertion et de la famille"),
        A,
    ),
    # Pau Béarn Pyrénées and Ville de Pau (services mutualisés)
    Person(
        "delegue.pau@tremplin.example",
        "Pierre",
        "Lacoste",
        "Délégué à la Dquipe",
        "pau",
        (DGS, "Dquipe (qualité, innovation, pilotage et prospective)"),
        AD,
        extra_roles=(("ville-de-pau", Role.AGENT), ("ville-de-pau", Role.DELEGATE)),
    ),
    Person(
        "maite.etchegaray@tremplin.example",
        "Maïté",
        "Etchegaray",
        "Contrôleuse de gestion, membre de la Dquipe",
        "pau",
        (DGS, "Dquipe (qualité, innovation, pilotage et prospective)"),
        A,
    ),
    Person(
        "jon.larrieu@tremplin.example",
        "Jon",
        "Larrieu",
        "Agent de collecte",
        "pau",
        ("Direction de la propreté et des déchets",),
        A,
        extra_roles=(("ville-de-pau", Role.AGENT),),
    ),
    Person(
        "isabelle.casteran@tremplin.example",
        "Isabelle",
        "Casteran",
        "Officière d'état civil",
        "ville-de-pau",
        ("Direction de la population", "État civil"),
        A,
    ),
    # Dunkerque
    Person(
        "delegue.dunkerque@tremplin.example",
        "Martine",
        "Vanhove",
        "Ambassadrice de la Transfo",
        "dunkerque",
        (DGS, "La Transfo"),
        AD,
    ),
    Person(
        "bruno.deswarte@tremplin.example",
        "Bruno",
        "Deswarte",
        "Jardinier, Bois des Forts",
        "dunkerque",
        ("Direction des espaces verts",),
        A,
    ),
    Person(
        "sarah.lambin@tremplin.example",
        "Sarah",
        "Lambin",
        "Chargée de mission politique de la ville",
        "dunkerque",
        ("Direction de la politique de la ville",),
        A,
    ),
]

PEOPLE = DEMO_ACCOUNTS + OTHER_PEOPLE

THEMES = [
    "Accueil des usagers",
    "Action sociale",
    "Collèges et éducation",
    "Environnement",
    "Finances",
    "Numérique",
    "Ressources humaines",
]

# --- Campaigns and challenge (days relative to the anchor) ---------------------------------

SOMME_CAMPAIGN = "Appel à idées 2026 — Département de la Somme"
FORUM_CAMPAIGN = "Forum Innovations interdépartemental"
ISERE_CAMPAIGN = "Construisons !"
SOMME_OPENED_DAYS_AGO = 20

CAMPAIGNS = [
    {
        "title": SOMME_CAMPAIGN,
        "description": (
            "Vous êtes sur le terrain, vous voyez ce qui coince : proposez vos idées pour "
            "améliorer le service rendu aux usagers et vos conditions de travail. Les idées "
            "qualifiées seront présentées au comité innovation ; les porteurs retenus "
            "bénéficieront d'une demi-journée libérée par semaine, comptée dans leur charge "
            "de travail."
        ),
        "organisations": [SOMME],
        "themes": THEMES,
        "opens": -SOMME_OPENED_DAYS_AGO,
        "closes": 40,
        "created_by": "delegue@tremplin.example",
    },
    {
        "title": FORUM_CAMPAIGN,
        "description": (
            "Appel à idées commun aux départements du Nord, de l'Oise, du Pas-de-Calais, de la "
            "Somme et du Val-d'Oise. Chaque collectivité sélectionne trois projets qui seront "
            "pitchés au forum d'Amiens (trois minutes, puis les questions du jury). Les "
            "lauréats bénéficient d'une pré-incubation de trois mois au plus, avec du temps "
            "libéré et des moyens si nécessaire."
        ),
        "organisations": FORUM_ORGANISATIONS,
        "themes": THEMES,
        "opens": -440,
        "closes": -392,
        "created_by": "delegue@tremplin.example",
    },
    {
        "title": ISERE_CAMPAIGN,
        "description": (
            "La démarche d'innovation interne du Département de l'Isère : un cadre en trois "
            "étapes pour transformer les idées des agents en nouveaux services. Certaines "
            "idées se mettent en place en autonomie, d'autres avec un accompagnement interne "
            "ou externe. On avance en évaluant."
        ),
        "organisations": ["isere"],
        "themes": THEMES,
        "opens": -300,
        "closes": 65,
        "created_by": "delegue.isere@tremplin.example",
    },
]

CHALLENGE_TITLE = "Zéro appel sans réponse dans les maisons des solidarités"
CHALLENGE = {
    "organisation": SOMME,
    "title": CHALLENGE_TITLE,
    "author": "directeur@tremplin.example",
    "direction": (SOL, "Action sociale de proximité"),
    "description": (
        "Le lundi matin, près d'un appel sur trois n'aboutit pas dans nos maisons des "
        "solidarités. Les usagers rappellent, se déplacent pour rien ou renoncent à leurs "
        "droits. Comment garantir que chaque usager obtienne une réponse, ou au moins un "
        "rappel, dans la journée ? Les idées retenues seront testées à Amiens Nord."
    ),
    "closes": 30,
}

# --- Ideas ----------------------------------------------------------------------------------

PIPELINE = [S.SUBMITTED, S.QUALIFIED, S.SELECTED, S.ACCOMPANIED, S.EXPERIMENTING, S.DEPLOYED]
EXITS = {S.NOT_RETAINED, S.REDIRECTED, S.ABANDONED}

DEFAULT_REASONS = {
    S.SUBMITTED: "",
    S.QUALIFIED: "Idée complète : irritant documenté, bénéficiaires identifiés, "
    "accompagnement évalué.",
    S.SELECTED: "Sélectionnée par le comité innovation.",
    S.ACCOMPANIED: "Mandat signé avec le sponsor et la direction cliente : une demi-journée "
    "libérée par semaine, point d'étape toutes les six semaines.",
    S.EXPERIMENTING: "Expérimentation lancée sur un site pilote ; on avance en évaluant.",
    S.DEPLOYED: "Évaluation concluante : généralisation décidée.",
}
FORUM_REASONS = {
    S.SELECTED: "Retenue parmi les trois projets de la collectivité pour le forum d'Amiens.",
    S.ACCOMPANIED: "Lauréate du forum : pré-incubation de trois mois avec du temps libéré et "
    "l'appui de beta.gouv.fr.",
}


@dataclass(frozen=True)
class Comm:
    author: str
    body: str
    days_ago: int
    hidden_reason: str = ""


@dataclass(frozen=True)
class IdeaSeed:
    organisation: str
    author: str
    title: str
    irritant: str
    proposal: str
    beneficiaries: str
    expected_impact: str
    theme: str
    state: str
    # Days before the anchor of each step after the draft: submitted, then each next step.
    days_ago: tuple[int, ...] = ()
    campaign: str | None = None
    challenge: bool = False
    support: str = ""
    path: tuple[str, ...] | None = None  # the steps, when not the straight pipeline
    reasons: dict[str, str] = field(default_factory=dict)
    votes: int = 0
    comments: tuple[Comm, ...] = ()
    coauthors: tuple[str, ...] = ()
    followers: tuple[str, ...] = ()

    def steps(self) -> list[str]:
        if self.state == S.DRAFT:
            return []
        if self.path is not None:
            return list(self.path)
        return PIPELINE[: PIPELINE.index(self.state) + 1]


AGENT = "agent@tremplin.example"

IDEAS = [
    # --- Somme, open campaign 2026 ---
    IdeaSeed(
        SOMME,
        AGENT,
        "Rappeler les usagers qui n'ont pas pu joindre le standard",
        irritant=(
            "Au standard de la maison des solidarités, près d'un appel sur trois n'aboutit pas "
            "le lundi matin. Les usagers rappellent plusieurs fois, s'agacent, et certains "
            "finissent par se déplacer au guichet pour une simple question."
        ),
        proposal=(
            "Quand la ligne est saturée, proposer à l'usager de laisser son numéro et le motif "
            "de son appel. Un créneau de rappel est réservé chaque jour à l'équipe d'accueil, "
            "qui rappelle dans la demi-journée ou oriente directement vers le bon travailleur "
            "social."
        ),
        beneficiaries=B.BOTH,
        expected_impact=(
            "Moins d'appels répétés et de déplacements inutiles, un accueil plus serein. "
            "Indicateur simple : la part des usagers rappelés sous 24 heures."
        ),
        theme="Accueil des usagers",
        campaign=SOMME_CAMPAIGN,
        challenge=True,
        state=S.SUBMITTED,
        days_ago=(3,),
        votes=5,
        comments=(
            Comm(
                "encadrant@tremplin.example",
                "On pourrait tester à Amiens Nord : on a déjà un créneau libre le vendredi "
                "après-midi.",
                2,
            ),
            Comm(
                "sandrine.roussel@tremplin.example",
                "En PMI on vit la même chose pour les rendez-vous de vaccination. Partante "
                "pour tester avec vous !",
                1,
            ),
        ),
        followers=("encadrant@tremplin.example",),
    ),
    IdeaSeed(
        SOMME,
        AGENT,
        "Un annuaire des langues parlées par les agents",
        irritant=(
            "Quand un usager ne parle pas français, on cherche dans les couloirs un collègue "
            "qui pourrait traduire. Souvent on ne trouve personne et le rendez-vous est reporté."
        ),
        proposal=(
            "Un annuaire interne, sur la base du volontariat, des langues parlées par les "
            "agents (y compris la langue des signes), consultable par les équipes d'accueil."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des rendez-vous tenus du premier coup, des usagers mieux compris.",
        theme="Accueil des usagers",
        campaign=SOMME_CAMPAIGN,
        state=S.DRAFT,
    ),
    IdeaSeed(
        SOMME,
        "aurelie.morel@tremplin.example",
        "Une ligne directe entre travailleurs sociaux et partenaires",
        irritant=(
            "Les écoles, les familles d'accueil et les associations appellent le standard pour "
            "joindre un référent ASE. Leurs appels encombrent la ligne des usagers et se "
            "perdent en transferts."
        ),
        proposal=(
            "Un numéro et une adresse réservés aux partenaires, avec des plages de réponse "
            "garanties par les référents, pour libérer le standard au profit des usagers."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Un standard désengorgé et des partenaires qui obtiennent une réponse.",
        theme="Action sociale",
        campaign=SOMME_CAMPAIGN,
        challenge=True,
        state=S.SUBMITTED,
        days_ago=(9,),
        votes=3,
        comments=(
            Comm(
                "directeur@tremplin.example",
                "Merci pour cette réponse au défi. À croiser avec l'idée du rappel des "
                "usagers : les deux se complètent.",
                7,
            ),
        ),
    ),
    IdeaSeed(
        SOMME,
        "nathalie.dupont@tremplin.example",
        "Un tableau de bord budgétaire partagé avec chaque direction",
        irritant=(
            "Chaque mois, la direction des finances reçoit des dizaines de demandes sur l'état "
            "des crédits. Les directions travaillent sur des tableurs différents et découvrent "
            "les dépassements trop tard."
        ),
        proposal=(
            "Un tableau de bord mis à jour chaque nuit à partir du logiciel financier : crédits "
            "ouverts, engagés, mandatés, par direction et par opération, consultable par les "
            "responsables budgétaires."
        ),
        beneficiaries=B.AGENTS,
        expected_impact=(
            "Moins de sollicitations, des arbitrages anticipés, un budget mieux exécuté."
        ),
        theme="Finances",
        campaign=SOMME_CAMPAIGN,
        state=S.QUALIFIED,
        support=SUP.INTERNAL,
        days_ago=(16, 12),
        votes=3,
        comments=(
            Comm(
                "directeur@tremplin.example",
                "Indispensable pour préparer le budget 2027 sans y passer nos soirées.",
                11,
            ),
        ),
    ),
    IdeaSeed(
        SOMME,
        "encadrant@tremplin.example",
        "Un livret d'accueil numérique pour les nouveaux agents",
        irritant=(
            "Un nouvel agent passe sa première semaine à chercher qui fait quoi, où trouver les "
            "formulaires et comment obtenir ses accès informatiques."
        ),
        proposal=(
            "Un livret d'accueil en ligne, tenu à jour par chaque service : organigramme, "
            "contacts utiles, démarches des premiers jours, et un parrain désigné."
        ),
        beneficiaries=B.AGENTS,
        expected_impact="Des nouveaux agents opérationnels plus vite et mieux intégrés.",
        theme="Ressources humaines",
        campaign=SOMME_CAMPAIGN,
        state=S.SELECTED,
        support=SUP.AUTONOMOUS,
        days_ago=(14, 10, 4),
        votes=4,
    ),
    IdeaSeed(
        SOMME,
        "sandrine.roussel@tremplin.example",
        "Un SMS de rappel la veille des consultations de PMI",
        irritant=(
            "En consultation de PMI, beaucoup de familles oublient leur rendez-vous : des "
            "créneaux de puéricultrice et de médecin restent vides alors que d'autres familles "
            "attendent des semaines."
        ),
        proposal=(
            "Envoyer automatiquement un SMS la veille de chaque consultation, avec une réponse "
            "simple pour annuler et libérer le créneau."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Moins de rendez-vous non honorés, des délais d'attente raccourcis.",
        theme="Action sociale",
        campaign=SOMME_CAMPAIGN,
        state=S.ACCOMPANIED,
        support=SUP.INTERNAL,
        days_ago=(18, 15, 9, 4),
        votes=6,
        reasons={
            S.ACCOMPANIED: "Accompagnement interne par la Direction du numérique ; test dans "
            "deux centres de PMI.",
        },
        comments=(
            Comm(
                "aurelie.morel@tremplin.example",
                "Les assistants familiaux apprécieraient aussi ce rappel pour les visites.",
                14,
            ),
            Comm(
                "sebastien.boulanger@tremplin.example",
                "Un rappel aurait évité à la famille de Mme D. (06 12 …) de venir pour rien la "
                "semaine dernière.",
                12,
                hidden_reason="Masqué : contient des données personnelles d'une usagère.",
            ),
            Comm("directeur@tremplin.example", "Simple et utile, bravo.", 8),
        ),
    ),
    IdeaSeed(
        SOMME,
        "sebastien.boulanger@tremplin.example",
        "Ouvrir les restaurants des collèges aux agents du Département",
        irritant=(
            "Les agents des sites isolés n'ont pas de restaurant administratif à proximité, "
            "alors que le collège voisin sert des repas de qualité."
        ),
        proposal="Permettre aux agents de déjeuner au restaurant scolaire le plus proche.",
        beneficiaries=B.AGENTS,
        expected_impact="Des repas de qualité pour les agents, des recettes pour les collèges.",
        theme="Collèges et éducation",
        campaign=SOMME_CAMPAIGN,
        state=S.NOT_RETAINED,
        path=(S.SUBMITTED, S.NOT_RETAINED),
        days_ago=(19, 13),
        votes=4,
        reasons={
            S.NOT_RETAINED: "Les collèges n'ont ni la capacité ni l'autorisation d'accueillir "
            "des adultes extérieurs à la communauté éducative ; la direction des collèges "
            "concentre l'effort sur la transition des restaurants scolaires.",
        },
    ),
    IdeaSeed(
        SOMME,
        "karim.mansouri@tremplin.example",
        "Une plateforme de covoiturage entre agents",
        irritant=(
            "Beaucoup d'agents viennent seuls en voiture sur les mêmes sites d'Amiens, aux "
            "mêmes horaires, et le parking est saturé."
        ),
        proposal="Mettre en relation les agents qui font le même trajet domicile-travail.",
        beneficiaries=B.AGENTS,
        expected_impact="Moins de frais pour les agents, moins de voitures et de CO2.",
        theme="Environnement",
        campaign=SOMME_CAMPAIGN,
        state=S.REDIRECTED,
        path=(S.SUBMITTED, S.REDIRECTED),
        days_ago=(12, 8),
        votes=4,
        reasons={
            S.REDIRECTED: "Traitée autrement : le plan de mobilité employeur porté par la "
            "Direction des ressources humaines prévoit déjà le covoiturage ; l'idée et ses "
            "soutiens lui sont transmis.",
        },
    ),
    # --- Forum Innovations interdépartemental (Amiens) ---
    IdeaSeed(
        SOMME,
        "aurelie.morel@tremplin.example",
        "L'album de vie des enfants confiés à l'ASE",
        irritant=(
            "Un enfant confié à l'aide sociale à l'enfance change parfois plusieurs fois de "
            "lieu d'accueil. À chaque déménagement, photos, dessins et bulletins se perdent : à "
            "dix-huit ans, certains jeunes n'ont presque aucune trace de leur enfance."
        ),
        proposal=(
            "Systématiser un album de vie pour chaque mineur confié : un classeur et un espace "
            "numérique sécurisé, tenus avec l'enfant par son référent et l'assistant familial, "
            "qui le suivent à chaque changement de lieu et lui sont remis à sa majorité."
        ),
        beneficiaries=B.USERS,
        expected_impact=(
            "Une histoire personnelle préservée et un outil de travail pour les référents. "
            "Indicateur : la part des enfants confiés dont l'album est à jour."
        ),
        theme="Action sociale",
        campaign=FORUM_CAMPAIGN,
        state=S.DEPLOYED,
        support=SUP.EXTERNAL,
        days_ago=(425, 386, 372, 358, 268, 45),
        votes=6,
        coauthors=("karim.mansouri@tremplin.example",),
        reasons={
            S.EXPERIMENTING: "Test dans deux services ASE, avec dix assistants familiaux "
            "volontaires.",
            S.DEPLOYED: "Évaluation positive des jeunes et des référents : l'album de vie est "
            "généralisé à tous les mineurs confiés.",
        },
        comments=(
            Comm(
                "sandrine.roussel@tremplin.example",
                "Très belle idée. La PMI peut fournir les premières photos et le carnet de "
                "santé pour les tout-petits.",
                380,
            ),
            Comm(
                "delegue@tremplin.example",
                "Bravo pour le pitch d'Amiens : le jury a été unanime.",
                357,
            ),
        ),
    ),
    IdeaSeed(
        SOMME,
        "sebastien.boulanger@tremplin.example",
        "Des cantines aux restaurants scolaires : 48 collèges en réseau",
        irritant=(
            "Dans 48 collèges, on réchauffe encore trop de plats industriels. Les chefs "
            "travaillent isolés, les produits locaux sont rares et une part importante des "
            "plateaux part à la poubelle."
        ),
        proposal=(
            "Accompagner la transition des 48 cantines en restaurants scolaires : cuisine sur "
            "place à partir de produits frais et locaux, mise en réseau des chefs (recettes, "
            "commandes groupées, formations croisées) et création culinaire respectueuse de la "
            "santé des élèves et de l'environnement."
        ),
        beneficiaries=B.BOTH,
        expected_impact=(
            "Moins de gaspillage, plus de produits locaux, des métiers de cuisine revalorisés ; "
            "six collèges pilotes avant la généralisation."
        ),
        theme="Collèges et éducation",
        campaign=FORUM_CAMPAIGN,
        state=S.EXPERIMENTING,
        support=SUP.INTERNAL,
        days_ago=(420, 385, 372, 358, 250),
        votes=7,
        reasons={S.EXPERIMENTING: "Six collèges pilotes cuisinent sur place depuis la rentrée."},
        comments=(
            Comm(
                "nathalie.dupont@tremplin.example",
                "Les commandes groupées peuvent passer par un accord-cadre : on en parle ?",
                300,
            ),
        ),
    ),
    IdeaSeed(
        SOMME,
        "nathalie.dupont@tremplin.example",
        "Payer les petits fournisseurs locaux en quinze jours",
        irritant=(
            "Les artisans et petites entreprises qui travaillent pour nos collèges attendent "
            "parfois deux mois leur paiement ; certains ne répondent plus à nos consultations."
        ),
        proposal=(
            "Un circuit court de paiement pour les factures de moins de 5 000 euros : "
            "dématérialisation, service fait constaté en ligne, mandatement hebdomadaire."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Des fournisseurs locaux fidélisés et des achats plus simples.",
        theme="Finances",
        campaign=FORUM_CAMPAIGN,
        state=S.REDIRECTED,
        path=(S.SUBMITTED, S.QUALIFIED, S.SELECTED, S.REDIRECTED),
        days_ago=(415, 385, 372, 358),
        votes=3,
        reasons={
            S.REDIRECTED: "Non lauréate du forum : l'idée sera développée d'une autre manière, "
            "dans le plan de dématérialisation des factures de la Direction des finances.",
        },
    ),
    IdeaSeed(
        "cd-nord",
        "julien.verhaeghe@tremplin.example",
        "Trouver le bon interlocuteur au Département dans le domaine social",
        irritant=(
            "Une proche a vécu six mois sans revenu, faute d'avoir trouvé le bon interlocuteur "
            "au Département. Quand elle l'a trouvé, sa situation s'est débloquée en quelques "
            "jours. Usagers et professionnels se perdent entre services, sigles et numéros."
        ),
        proposal=(
            "Un service numérique simple : l'usager, ou le professionnel qui l'accompagne, "
            "décrit sa situation en quelques questions et obtient le service compétent, ses "
            "coordonnées et les pièces à préparer."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des droits ouverts plus vite, moins d'appels réorientés.",
        theme="Accueil des usagers",
        campaign=FORUM_CAMPAIGN,
        state=S.EXPERIMENTING,
        support=SUP.EXTERNAL,
        days_ago=(428, 386, 373, 358, 262),
        votes=3,
        comments=(
            Comm(
                "mehdi.bouzid@tremplin.example",
                "À l'accueil, c'est la question qu'on nous pose dix fois par jour.",
                400,
            ),
        ),
    ),
    IdeaSeed(
        "cd-nord",
        "laetitia.dubois@tremplin.example",
        "La médiation animale lors des visites parents-enfants",
        irritant=(
            "Les visites médiatisées entre parents et enfants placés sont souvent tendues : la "
            "salle est impersonnelle, le silence s'installe, l'enfant se ferme."
        ),
        proposal=(
            "Faire intervenir un médiateur avec un animal formé lors de certaines rencontres "
            "difficiles, à partir d'une expérimentation réussie pendant un stage de BTS."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des rencontres plus apaisées et un lien parent-enfant facilité.",
        theme="Action sociale",
        campaign=FORUM_CAMPAIGN,
        state=S.REDIRECTED,
        path=(S.SUBMITTED, S.QUALIFIED, S.SELECTED, S.REDIRECTED),
        days_ago=(426, 386, 373, 358),
        votes=2,
        reasons={
            S.REDIRECTED: "Non lauréate du forum : le projet sera développé autrement, avec la "
            "direction enfance-famille, dans deux lieux de visites volontaires.",
        },
        comments=(
            Comm(
                "mehdi.bouzid@tremplin.example",
                "J'ai vu l'effet d'un chien visiteur en EHPAD : c'est impressionnant.",
                410,
            ),
        ),
    ),
    IdeaSeed(
        "cd-oise",
        "franck.girard@tremplin.example",
        "Cantines des collèges : mieux informer les familles pour moins gaspiller",
        irritant=(
            "Les familles découvrent le menu le jour même ; les associations et la direction "
            "éducation-jeunesse ne savent ni ce qui est servi ni ce qui est jeté. Des repas "
            "préparés pour des élèves absents finissent à la poubelle."
        ),
        proposal=(
            "Un canal commun entre cantines, familles, associations et direction "
            "éducation-jeunesse : menus publiés à l'avance, désinscription simple, avis des "
            "élèves et quantités jetées suivies chaque semaine."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Un meilleur service et une baisse mesurée du gaspillage alimentaire.",
        theme="Collèges et éducation",
        campaign=FORUM_CAMPAIGN,
        state=S.ACCOMPANIED,
        support=SUP.INTERNAL,
        days_ago=(424, 384, 373, 358),
        votes=1,
        coauthors=("emilie.fontaine@tremplin.example",),
    ),
    IdeaSeed(
        "cd-pas-de-calais",
        "sophie.delcroix@tremplin.example",
        "Une première réponse immédiate à l'usager, au guichet comme à distance",
        irritant=(
            "À l'accueil physique comme au téléphone, l'usager repart souvent avec un « on "
            "vous rappellera » pour des questions simples."
        ),
        proposal=(
            "Un service numérique pour les agents d'accueil : réponses validées aux questions "
            "les plus fréquentes, simulateurs et prise de rendez-vous immédiate."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Une réponse dès le premier contact pour la majorité des demandes.",
        theme="Accueil des usagers",
        campaign=FORUM_CAMPAIGN,
        state=S.EXPERIMENTING,
        support=SUP.EXTERNAL,
        days_ago=(427, 387, 374, 358, 262),
        votes=2,
    ),
    IdeaSeed(
        "cd-pas-de-calais",
        "kevin.hochart@tremplin.example",
        "Demander une occupation du domaine public en quelques clics",
        irritant=(
            "Pour un échafaudage ou une benne sur une route départementale, artisans et "
            "particuliers remplissent un formulaire papier, l'envoient, puis appellent pour "
            "savoir où en est leur demande."
        ),
        proposal=(
            "Une application de dépôt en ligne avec carte, pièces jointes et suivi de "
            "l'instruction, reliée au logiciel des permissions de voirie."
        ),
        beneficiaries=B.BOTH,
        expected_impact=(
            "Des demandes complètes du premier coup et des délais d'instruction réduits."
        ),
        theme="Numérique",
        campaign=FORUM_CAMPAIGN,
        state=S.DEPLOYED,
        support=SUP.INTERNAL,
        days_ago=(429, 387, 374, 358, 268, 70),
        votes=2,
    ),
    IdeaSeed(
        "cd-val-d-oise",
        "antoine.marchal@tremplin.example",
        "Sanitaires des collèges : les toilettes fuient… les élèves aussi",
        irritant=(
            "Dans plusieurs collèges, les sanitaires fuient, ne ferment pas ou sentent mauvais. "
            "Des élèves se retiennent toute la journée ; les demandes d'intervention se perdent "
            "entre le collège et la direction des bâtiments."
        ),
        proposal=(
            "Un diagnostic mené avec les délégués de classe, un signalement des pannes par QR "
            "code affiché dans chaque bloc sanitaire, et un programme de rénovation priorisé "
            "selon les retours."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des sanitaires réparés plus vite et des élèves qui osent y aller.",
        theme="Collèges et éducation",
        campaign=FORUM_CAMPAIGN,
        state=S.ACCOMPANIED,
        support=SUP.INTERNAL,
        days_ago=(422, 384, 373, 358),
        votes=2,
    ),
    IdeaSeed(
        "cd-val-d-oise",
        "fatou.diallo@tremplin.example",
        "Un accueil petite enfance pour les parents en recherche d'emploi",
        irritant=(
            "Un parent convoqué à un entretien d'embauche ou à une formation ne trouve pas de "
            "mode de garde du jour au lendemain : l'offre existante lui est inaccessible."
        ),
        proposal=(
            "Réserver des places d'accueil occasionnel, avec les communes et les assistantes "
            "maternelles, aux familles en recherche d'emploi orientées par la PMI et les "
            "services d'insertion."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des parents disponibles pour reprendre un emploi ou une formation.",
        theme="Action sociale",
        campaign=FORUM_CAMPAIGN,
        state=S.ACCOMPANIED,
        support=SUP.EXTERNAL,
        days_ago=(421, 384, 373, 358),
        votes=2,
    ),
    # --- Isère, « Construisons ! » ---
    IdeaSeed(
        "isere",
        "romain.gauthier@tremplin.example",
        "L'Airbnb des collèges",
        irritant=(
            "Les collèges sont vides le soir, le mercredi après-midi et pendant les vacances, "
            "alors que des associations et des services cherchent des salles."
        ),
        proposal=(
            "Une plateforme pour réserver ponctuellement des espaces de collège (salles, "
            "gymnase, cuisine pédagogique) pour d'autres activités ou des associations."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Des bâtiments mieux utilisés et des associations mieux accueillies.",
        theme="Collèges et éducation",
        campaign=ISERE_CAMPAIGN,
        state=S.ACCOMPANIED,
        support=SUP.EXTERNAL,
        days_ago=(285, 276, 262, 250),
        votes=3,
        reasons={
            S.ACCOMPANIED: "Accompagnement par une structure d'appui aux start-up. Questions à "
            "trancher : va-t-on facturer ? combien ? qui peut accéder aux bâtiments ?",
        },
        comments=(
            Comm(
                "yannick.rey@tremplin.example",
                "Les associations d'insertion de mon secteur cherchent justement des salles "
                "le mercredi.",
                270,
            ),
        ),
    ),
    IdeaSeed(
        "isere",
        "elodie.perrin@tremplin.example",
        "Partage ma passion",
        irritant=(
            "On travaille à côté de collègues qu'on ne connaît pas, et les métiers se "
            "croisent rarement en dehors des réunions."
        ),
        proposal=(
            "Des agents volontaires partagent leurs loisirs avec leurs collègues, lors de "
            "courtes séances à l'heure du déjeuner : il suffit d'une salle et de volontaires."
        ),
        beneficiaries=B.AGENTS,
        expected_impact="Des liens entre services et métiers, une ambiance de travail meilleure.",
        theme="Ressources humaines",
        campaign=ISERE_CAMPAIGN,
        state=S.DEPLOYED,
        support=SUP.AUTONOMOUS,
        days_ago=(290, 283, 276, 268, 240, 150),
        votes=3,
        reasons={S.ACCOMPANIED: "Projet autonome : une salle réservée, un kit de communication."},
        comments=(
            Comm(
                "romain.gauthier@tremplin.example",
                "Je peux présenter l'escalade en falaise, si ça intéresse quelqu'un !",
                230,
            ),
        ),
    ),
    IdeaSeed(
        "isere",
        "yannick.rey@tremplin.example",
        "Espace compétences : une immersion pour les allocataires du RSA",
        irritant=(
            "Les allocataires du RSA ont des compétences que personne ne voit ; les offres "
            "d'emploi leur demandent une expérience récente qu'ils n'ont pas."
        ),
        proposal=(
            "Proposer aux allocataires une immersion de quelques jours dans un service du "
            "Département pour valoriser leurs compétences et leur mettre le pied à l'étrier."
        ),
        beneficiaries=B.USERS,
        expected_impact="Des parcours d'insertion relancés et un regard neuf sur nos métiers.",
        theme="Action sociale",
        campaign=ISERE_CAMPAIGN,
        state=S.EXPERIMENTING,
        support=SUP.EXTERNAL,
        days_ago=(295, 284, 270, 255, 180),
        votes=2,
        reasons={
            S.EXPERIMENTING: "Expérimentation dans deux Maisons du département, avec une "
            "association : on avance en évaluant.",
        },
    ),
    # --- Pau Béarn Pyrénées and Ville de Pau ---
    IdeaSeed(
        "pau",
        "maite.etchegaray@tremplin.example",
        "Un petit-déjeuner de l'innovation tous les quinze jours",
        irritant=(
            "La Dquipe a été surnommée « l'équipe Post-it » : les agents ne voient pas ce que "
            "deviennent les projets d'innovation et doutent de leur utilité."
        ),
        proposal=(
            "Tous les quinze jours, autour d'un petit-déjeuner ouvert à une vingtaine de "
            "collègues, un agent explique et vulgarise un projet en cours."
        ),
        beneficiaries=B.AGENTS,
        expected_impact="Une démarche d'innovation crédible, connue et partagée par les agents.",
        theme="Ressources humaines",
        state=S.DEPLOYED,
        support=SUP.AUTONOMOUS,
        days_ago=(700, 690, 680, 670, 640, 560),
        votes=2,
    ),
    IdeaSeed(
        "ville-de-pau",
        "isabelle.casteran@tremplin.example",
        "Une demi-journée libérée pour les agents porteurs de projet",
        irritant=(
            "Les agents volontaires pour un projet transverse le font en plus de leur travail. "
            "La charge s'accumule et certains abandonnent au bout de quelques semaines."
        ),
        proposal=(
            "Contractualiser dès le départ, avec le sponsor et la direction cliente, une "
            "demi-journée libérée par semaine, comptée dans la charge de travail, et un point "
            "d'étape toutes les six semaines."
        ),
        beneficiaries=B.AGENTS,
        expected_impact="Des porteurs de projet protégés, des projets menés à leur terme.",
        theme="Ressources humaines",
        state=S.ACCOMPANIED,
        support=SUP.INTERNAL,
        days_ago=(160, 150, 140, 120),
        votes=2,
    ),
    # --- Communauté urbaine de Dunkerque ---
    IdeaSeed(
        "dunkerque",
        "bruno.deswarte@tremplin.example",
        "Bois des Forts : apaiser les conflits d'usages",
        irritant=(
            "Au Bois des Forts, premier espace vert de la communauté urbaine en fréquentation, "
            "promeneurs, cyclistes et pêcheurs se gênent ; certaines parties sont "
            "sous-exploitées et les incivilités découragent les équipes."
        ),
        proposal=(
            "À partir des enquêtes de terrain auprès des agents du bois (histoire, métiers, "
            "usages, futur), tester pendant une saison un plan d'usages : zones calmes, "
            "parcours balisés, mobilier déplaçable, permanences des jardiniers le week-end."
        ),
        beneficiaries=B.BOTH,
        expected_impact="Moins de conflits et d'incivilités, un bois mieux partagé.",
        theme="Environnement",
        state=S.EXPERIMENTING,
        support=SUP.INTERNAL,
        days_ago=(240, 230, 220, 200, 120),
        votes=1,
        coauthors=("sarah.lambin@tremplin.example",),
    ),
    IdeaSeed(
        "dunkerque",
        "sarah.lambin@tremplin.example",
        "Former des ambassadeurs au design des politiques publiques",
        irritant=(
            "Les services font appel à des prestataires pour chaque étude d'usage, et les "
            "méthodes d'enquête de terrain restent inconnues des agents."
        ),
        proposal=(
            "Former chaque année une promotion d'agents ambassadeurs aux méthodes du design des "
            "politiques publiques, qui accompagnent ensuite les directions sur leurs projets."
        ),
        beneficiaries=B.AGENTS,
        expected_impact="Une capacité interne d'enquête et de test, des directeurs convaincus.",
        theme="Ressources humaines",
        state=S.DEPLOYED,
        support=SUP.INTERNAL,
        days_ago=(600, 590, 580, 570, 520, 400),
        votes=2,
    ),
]

# --- The command ----------------------------------------------------------------------------


def _same(obj: models.Model, name: str, value) -> bool:
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return getattr(obj, model_field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


class Command(BaseCommand):
    help = (
        "Crée (ou remet à jour) les données de démonstration de Tremplin ; relançable sans effet."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            self.created: Counter[str] = Counter()
            self.updated: Counter[str] = Counter()
            self.anchor = self._anchor()
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
                self.get_or_create(
                    RoleGrant, {"user": user, "organisation": values["organisation"], "role": role}
                )
            for slug, role in person.extra_roles:
                self.get_or_create(
                    RoleGrant, {"user": user, "organisation": self.orgs[slug], "role": role}
                )
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
            campaign, created = self.upsert(
                Campaign,
                {"title": spec["title"]},
                {
                    "description": spec["description"],
                    "opens_on": self.day(spec["opens"]),
                    "closes_on": self.day(spec["closes"]),
                    "created_by": self.people[spec["created_by"]],
                },
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
        self.challenge, created = self.upsert(
            Challenge,
            {"organisation": organisation, "title": spec["title"]},
            {
                "author": self.people[spec["author"]],
                "direction": self.directions[(spec["organisation"], *spec["direction"])],
                "description": spec["description"],
                "closes_on": self.day(spec["closes"]),
            },
        )
        if created:
            Challenge.objects.filter(pk=self.challenge.pk).update(created_at=self.at(15, 11))

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
        idea, created = self.get_or_create(
            Idea,
            {"organisation": organisation, "title": seed.title},
            {
                "author": author,
                "direction": author.direction
                if author.organisation_id == organisation.pk
                else None,
                "irritant": seed.irritant,
                "proposal": seed.proposal,
                "beneficiaries": seed.beneficiaries,
                "expected_impact": seed.expected_impact,
                "theme": self.themes[seed.theme],
                "campaign": self.campaigns[seed.campaign] if seed.campaign else None,
                "challenge": self.challenge if seed.challenge else None,
                "state": seed.state,
                "support": seed.support if seed.state not in (S.DRAFT, S.SUBMITTED) else "",
                "submitted_at": self.at(seed.days_ago[0], 10, 0) if steps else None,
            },
        )
        if created:
            self.new_idea_ids.add(idea.pk)
        else:
            # Once created, an idea belongs to the people using the demo: keep what they did.
            return idea
        idea.coauthors.set([self.people[email] for email in seed.coauthors])
        # The history, as ideas.services writes it: created as a draft, then each step.
        first_day = seed.days_ago[0] + 1 if steps else 2
        created_at = self.at(first_day, 16, 45)
        events = [
            IdeaEvent(idea=idea, actor=author, before="", after=S.DRAFT, created_at=created_at)
        ]
        before = S.DRAFT
        for step, days_ago in zip(steps, seed.days_ago, strict=True):
            actor = (
                author if step in (S.SUBMITTED, S.ABANDONED) else self.delegates[seed.organisation]
            )
            reason = seed.reasons.get(step)
            if reason is None:
                reason = (FORUM_REASONS if seed.campaign == FORUM_CAMPAIGN else {}).get(
                    step, DEFAULT_REASONS.get(step, "")
                )
            if step in EXITS and not reason:
                raise ValueError(f"Motif manquant pour « {seed.title} » ({step}).")
            events.append(
                IdeaEvent(
                    idea=idea,
                    actor=actor,
                    before=before,
                    after=step,
                    reason=reason,
                    created_at=self.at(days_ago, 10 if step == S.SUBMITTED else 14, 0),
                )
            )
            before = step
        IdeaEvent.objects.bulk_create(events)
        self.created["IdeaEvent"] += len(events)
        Idea.objects.filter(pk=idea.pk).update(
            created_at=created_at, updated_at=events[-1].created_at
        )
        return idea

    def _community(self, idea: Idea, seed: IdeaSeed) -> None:
        """Follows, votes and comments: added back if missing, never duplicated."""
        authors = {idea.author_id, *idea.coauthors.values_list("pk", flat=True)}
        for email in (seed.author, *seed.coauthors, *seed.followers):
            self.get_or_create(Follow, {"idea": idea, "user": self.people[email]})
        if idea.state == S.DRAFT or not seed.days_ago:
            return
        submitted = seed.days_ago[0]
        pool = [user for user in self.voters[seed.organisation] if user.pk not in authors]
        pool.sort(key=lambda user: user.email)
        chosen = random.Random(seed.title).sample(pool, min(seed.votes, len(pool)))
        for rank, voter in enumerate(chosen):
            vote, created = self.get_or_create(Vote, {"idea": idea, "voter": voter})
            if created:
                days_ago = max(submitted - 1 - rank, 1)
                Vote.objects.filter(pk=vote.pk).update(created_at=self.at(days_ago, 12, rank))
        delegate = self.delegates[seed.organisation]
        for comment in seed.comments:
            hidden = bool(comment.hidden_reason)
            self.get_or_create(
                Comment,
                {"idea": idea, "author": self.people[comment.author], "body": comment.body},
                {
                    "created_at": self.at(comment.days_ago, 13, 15),
                    "hidden_at": self.at(comment.days_ago, 17) if hidden else None,
                    "hidden_by": delegate if hidden else None,
                    "hidden_reason": comment.hidden_reason,
                },
            )

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
