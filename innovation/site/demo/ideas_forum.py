"""The ideas put forward at the interdepartmental forum of Amiens."""

from __future__ import annotations

from innovation.site.demo.campaigns import FORUM_CAMPAIGN
from innovation.site.demo.directory import SOMME
from innovation.site.demo.seeds import SUP, B, Comm, IdeaSeed, S

IDEAS = [
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
]
