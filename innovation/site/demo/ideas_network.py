"""The ideas of the other collectivités: Isère, Pau, Dunkerque."""

from __future__ import annotations

from innovation.site.demo.campaigns import ISERE_CAMPAIGN
from innovation.site.demo.seeds import SUP, B, Comm, IdeaSeed, S

IDEAS = [
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
