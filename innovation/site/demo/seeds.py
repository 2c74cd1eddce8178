"""What a demo idea is made of, and the steps it went through."""

from __future__ import annotations

from dataclasses import dataclass, field

from ideas.models import Idea
from innovation.platform.models import Organisation

S = Idea.State
K = Organisation.Kind
B = Idea.Beneficiaries
SUP = Idea.Support

# --- Ideas ----------------------------------------------------------------------------------

PIPELINE: list[str] = [
    S.SUBMITTED,
    S.QUALIFIED,
    S.SELECTED,
    S.ACCOMPANIED,
    S.EXPERIMENTING,
    S.DEPLOYED,
]
EXITS = {S.NOT_RETAINED, S.REDIRECTED, S.ABANDONED}

DEFAULT_REASONS: dict[str, str] = {
    S.SUBMITTED: "",
    S.QUALIFIED: "Idée complète : irritant documenté, bénéficiaires identifiés, "
    "accompagnement évalué.",
    S.SELECTED: "Sélectionnée par le comité innovation.",
    S.ACCOMPANIED: "Mandat signé avec le sponsor et la direction cliente : une demi-journée "
    "libérée par semaine, point d'étape toutes les six semaines.",
    S.EXPERIMENTING: "Expérimentation lancée sur un site pilote ; on avance en évaluant.",
    S.DEPLOYED: "Évaluation concluante : généralisation décidée.",
}
FORUM_REASONS: dict[str, str] = {
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
