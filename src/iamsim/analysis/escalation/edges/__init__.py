"""The kinds of escalation edge, one module per family of techniques, and the tables that map
a catalogue technique's ``kind`` to the function producing its edges.

* :mod:`.roles` — role assumption and trust-policy rewriting (become);
* :mod:`.credentials` — credentials of another user (become);
* :mod:`.compute` — pass-role to a service that runs code, code injection into a resource that
  runs as a role (become);
* :mod:`.policies` — identity-policy changes: attach, write, group membership, versions (change);
* :mod:`.boundaries` — permissions boundary removed or replaced (change);
* :mod:`.principals` — a new user or role the actor creates and uses (create).

Every function is a generator over a :class:`~iamsim.analysis.escalation.runner.StepRunner`:
each edge it yields is one the engine allowed step by step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from iamsim.analysis.escalation.edges import (
    boundaries,
    compute,
    credentials,
    policies,
    principals,
    roles,
)
from iamsim.analysis.escalation.results import Edge
from iamsim.analysis.escalation.runner import StepRunner
from iamsim.analysis.techniques import Actor, Technique

# (runner, actor, technique) -> edges by which the actor becomes or creates a principal.
ActorEdges = Callable[[StepRunner, Actor, Technique], Iterator[Edge]]
# (runner, actor, technique, subject) -> edges by which the actor changes the subject.
ChangeEdges = Callable[[StepRunner, Actor, Technique, Actor], Iterator[Edge]]

BECOME_EDGES: dict[str, ActorEdges] = {
    "assume-role": roles.assume_role,
    "update-trust": roles.update_trust,
    "user-credentials": credentials.user_credentials,
    "pass-role": compute.pass_role,
    "run-as-existing": compute.run_as_existing,
}
CHANGE_EDGES: dict[str, ChangeEdges] = {
    "attach-policy": policies.attach_policy,
    "put-policy": policies.put_policy,
    "add-to-group": policies.add_to_group,
    "edit-policy-version": policies.edit_policy_version,
    "set-default-version": policies.set_default_version,
    "delete-boundary": boundaries.delete_boundary,
    "put-boundary": boundaries.put_boundary,
}
CREATE_EDGES: dict[str, ActorEdges] = {
    "create-principal": principals.create_principal,
}
