"""Privilege escalation: a graph between principals whose edges are techniques, and the paths
from a starting principal to an administrator or to a target resource.

Edges come in three sorts, each the application of one catalogue technique
(:mod:`iamsim.analysis.techniques`) whose every step the engine allowed:

* **become** — the actor obtains another principal's credentials or runs code as it
  (``sts:AssumeRole``, access keys and passwords of users, rewriting a trust policy, passing a
  role to a service that runs code, injecting code into something already running as a role);
* **change** — the actor changes a principal's policies (attach or write a policy, a new
  default policy version, an older version, group membership, removing or replacing a
  boundary); the changed principal is an :class:`~iamsim.analysis.techniques.Actor` with that
  change applied, so what it can do afterwards is again decided by the engine;
* **create** — the actor creates a user or role, gives it a policy and uses it.

A path from a start A is: become edges to some X, then either reaching a principal that meets
the goal, or a change/create edge from X whose result meets the goal; a changed principal Y is
then used by becoming Y (from A, whose credentials the attacker still holds). Goals are
decided by the engine too (the administrator probes of :mod:`iamsim.analysis.admin`, or the
actions on a target resource).

A resource the inputs link to the role it runs as (:class:`~iamsim.model.RunsAs`, from
Terraform, CloudFormation or a resources file, or ``--runs-as``) gives code-injection edges
into that role with no condition (in another account: conditional on the service honouring
the resource policy's grant), each saying where the link was read. Resources the model does
not hold (a Lambda function that runs as a role, an EC2 instance with an instance profile) are
tried as ``*``-style candidate ARNs; an edge found that way says what must exist for it to
work (``conditions``). Names the actor chooses (a new function, a new role) are tried as
``iamsim-escalation`` and as names fitting the actor's own ``Resource`` patterns.

Package layout: :mod:`.results` (steps, edges, paths, reports), :mod:`.goals` (administrator or
a target resource), :mod:`.runner` (running a technique's steps through the engine),
:mod:`.choices` (policies an actor may pick), :mod:`.edges` (one module per kind of edge),
:mod:`.trust` (which trust policies could name a caller), :mod:`.graph` (edges per actor,
cached) and :mod:`.search` (the paths). The names below are the package's public API.
"""

from iamsim.analysis.escalation.goals import AdminGoal, Goal, ResourceGoal, default_actions
from iamsim.analysis.escalation.graph import EscalationGraph
from iamsim.analysis.escalation.results import (
    Edge,
    EscalationPath,
    EscalationReport,
    PathStep,
    StartResult,
    StepRecord,
)
from iamsim.analysis.escalation.search import MAX_CHANGES, EscalationAnalysis, analyze_escalation

__all__ = [
    "MAX_CHANGES",
    "AdminGoal",
    "Edge",
    "EscalationAnalysis",
    "EscalationGraph",
    "EscalationPath",
    "EscalationReport",
    "Goal",
    "PathStep",
    "ResourceGoal",
    "StartResult",
    "StepRecord",
    "analyze_escalation",
    "default_actions",
]
