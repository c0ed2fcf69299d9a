"""A statement compiled lazily decides and traces exactly as one compiled in full up front.

``CompiledStatement`` compiles its Action/NotAction element at once and the rest (Resource,
Principal, Condition, the derived tests, the statement reference) on first use, so a document
used for one request compiles only what that request reaches. These laws check, over the
random scenarios of test_properties.py, that the order in which parts get compiled changes
nothing: the full traced decision, the fast path's and ``decide()``'s value are the same for a
set compiled lazily and for the same set with every statement completed before the first
request; and that laziness is real (a statement whose action element does not cover the
request is never completed by a traced evaluation).
"""

from __future__ import annotations

from hypothesis import given
from test_properties import laws, scenarios

from iamsim.engine import compiled as compiled_module
from iamsim.engine.compiled import _LAZY, CompiledStatement
from iamsim.engine.decision import CompiledPolicySet, decide, evaluate
from iamsim.engine.policies import PolicySet
from iamsim.vocabulary.request import Request


def _fresh(policies: PolicySet) -> CompiledPolicySet:
    """A compiled set sharing no compiled statement with any earlier one."""
    compiled_module._COMPILED.clear()
    return CompiledPolicySet(policies)


def _statements(compiled: CompiledPolicySet) -> list[CompiledStatement]:
    return [s for _, _, policies in compiled.slots for p in policies for s in p.statements]


def _completed(statement: CompiledStatement) -> bool:
    try:
        object.__getattribute__(statement, "resources")
    except AttributeError:
        return False
    return True


def _eager(policies: PolicySet) -> CompiledPolicySet:
    compiled = _fresh(policies)
    for statement in _statements(compiled):
        statement._complete()
        assert statement.ref is not None
        assert all(_completed(statement) for _ in _LAZY)
    return compiled


@laws(200)
@given(scenarios())
def test_lazy_compilation_decides_as_eager(scenario: tuple[Request, PolicySet]) -> None:
    request, policies = scenario
    eager = _eager(policies)
    assert evaluate(request, _fresh(policies)) == evaluate(request, eager)
    assert evaluate(request, _fresh(policies), explain=False) == evaluate(
        request, eager, explain=False
    )
    assert decide(request, _fresh(policies)) is decide(request, eager)


@laws(200)
@given(scenarios())
def test_a_statement_the_action_misses_is_never_completed(
    scenario: tuple[Request, PolicySet],
) -> None:
    request, policies = scenario
    compiled = _fresh(policies)
    evaluate(request, compiled)
    action = request.action.lower()
    for statement in _statements(compiled):
        if not statement.action_applies(action):
            assert not _completed(statement), statement.source


@laws(200)
@given(scenarios())
def test_shared_elements_decide_as_elements_compiled_afresh(
    scenario: tuple[Request, PolicySet],
) -> None:
    """Statements take their compiled Action and Resource elements from the ones equal
    elements met before (here: earlier examples'); compiled with those caches empty, the
    same set decides and traces the same."""
    request, policies = scenario
    shared = (
        evaluate(request, _fresh(policies)),
        evaluate(request, _fresh(policies), explain=False),
    )
    compiled_module._ACTION_ELEMENTS.clear()
    compiled_module._RESOURCE_ELEMENTS.clear()
    afresh = (
        evaluate(request, _fresh(policies)),
        evaluate(request, _fresh(policies), explain=False),
    )
    assert shared == afresh
