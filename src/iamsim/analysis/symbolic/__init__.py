"""The symbolic layer: questions over every request and context, decided exactly.

* :mod:`.automata` -- the string classes a set of globs induces, with witnesses;
* :mod:`.domains` -- representatives of every class of each request dimension;
* :mod:`.space` -- the finite abstraction of a question and its exact search;
* :mod:`.questions` -- spaces for policy documents; replaying answers through the engine;
* :mod:`.checks` -- ``compare`` / ``not_granted`` / ``no_public_access``;
* :mod:`.discover` -- one request with unknown context keys: Allow / Conditional / Deny;
* :mod:`.residual` -- the allowing contexts as Condition blocks;
* :mod:`.results` -- result records.

docs/semantics.md ("Symbolic layer") gives the design choice and the correctness argument.
"""

from iamsim.analysis.symbolic.automata import SymbolicLimitError
from iamsim.analysis.symbolic.checks import RESOURCE_TYPES, compare, no_public_access, not_granted
from iamsim.analysis.symbolic.discover import CONDITIONAL, DiscoverResult, discover
from iamsim.analysis.symbolic.results import CheckResult, Witness

__all__ = [
    "CONDITIONAL",
    "RESOURCE_TYPES",
    "CheckResult",
    "DiscoverResult",
    "SymbolicLimitError",
    "Witness",
    "compare",
    "discover",
    "no_public_access",
    "not_granted",
]
