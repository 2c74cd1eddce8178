"""The demo's calls for ideas and its challenge (days relative to the anchor)."""

from __future__ import annotations

from typing import Any

from ideas.models import Idea
from innovation.platform.models import Organisation
from innovation.site.demo.directory import FORUM_ORGANISATIONS, SOL, SOMME, THEMES

S = Idea.State
K = Organisation.Kind
B = Idea.Beneficiaries
SUP = Idea.Support

# --- Campaigns and challenge (days relative to the anchor) ---------------------------------

SOMME_CAMPAIGN = "Appel à idées 2026 — Département de la Somme"
FORUM_CAMPAIGN = "Forum Innovations interdépartemental"
ISERE_CAMPAIGN = "Construisons !"
SOMME_OPENED_DAYS_AGO = 20

CAMPAIGNS: list[dict[str, Any]] = [
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
CHALLENGE: dict[str, Any] = {
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
