"""The reviewing journey: blind pairs dealt, votes summed into results with their stopping rule, objective figures
beside them, and the decision they support written to the settings.

Modules here import one another by module path; everything outside imports this surface.
"""

from studio.services.review.arena import Arena, Deal, NothingToCompare
from studio.services.review.decision import PRECEDENCE, apply_decision, proposed_for
from studio.services.review.method_figures import (
    FIGURES_NOTE,
    MethodFigure,
    MethodFigures,
    figures_table,
    variant_figures,
)
from studio.services.review.pairing import (
    PAIR_MODES,
    PairMode,
    ReviewerConsistency,
    choose_fresh,
    choose_repeat,
    deciding,
    order_sides,
    self_consistency,
)
from studio.services.review.reproducibility import RenderingStudio
from studio.services.review.results import STRATUM_COUNT, Results, WinRate, summarize, votes_csv

__all__ = [
    "FIGURES_NOTE",
    "PAIR_MODES",
    "PRECEDENCE",
    "STRATUM_COUNT",
    "Arena",
    "Deal",
    "MethodFigure",
    "MethodFigures",
    "NothingToCompare",
    "PairMode",
    "RenderingStudio",
    "Results",
    "ReviewerConsistency",
    "WinRate",
    "apply_decision",
    "choose_fresh",
    "choose_repeat",
    "deciding",
    "figures_table",
    "order_sides",
    "proposed_for",
    "self_consistency",
    "summarize",
    "variant_figures",
    "votes_csv",
]
