"""The demo's directory: collectivités, their directions, the people and their roles, themes."""

from __future__ import annotations

from dataclasses import dataclass

from ideas.models import Idea
from innovation.platform.models import Organisation, Role

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
