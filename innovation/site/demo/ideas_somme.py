"""The Somme's ideas, answering its open 2026 campaign."""

from __future__ import annotations

from innovation.site.demo.campaigns import SOMME_CAMPAIGN
from innovation.site.demo.directory import SOMME
from innovation.site.demo.seeds import AGENT, SUP, B, Comm, IdeaSeed, S

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
        # Proposed before the 2026 call (outside any call): selected, then accompanied on the
        # day its mandate got its last signature, 82 days ago (ideas/mandates/demo.py).
        state=S.ACCOMPANIED,
        support=SUP.INTERNAL,
        days_ago=(104, 99, 92, 82),
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
]
