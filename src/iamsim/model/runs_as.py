"""Runs-as links: which role a compute resource runs as (a Lambda function's execution role,
an EC2 instance's instance profile role, an ECS task definition's task role...), and where the
inputs say so.

A link is a fact of the inputs, not a decision: the escalation analysis uses the links whose
role runs the resource's code (``runs_code``) to make code-injection paths unconditional. Roles
a service uses for itself only (an ECS task's execution role, an App Runner access role, a
Bedrock agent's service role) are kept with ``runs_code`` false: code the actor injects does
not run with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamsim.model.resources import resource_kind

# What the role is to the resource, per use: a role the resource's own code runs with, or one
# the service uses on the resource's behalf (pulling images, reading secrets).
CODE_USES = frozenset(
    {
        "execution role",  # Lambda, Step Functions, Glue, SageMaker, Data Pipeline, AgentCore
        "service role",  # CodeBuild, CloudFormation stack
        "administration role",  # CloudFormation stack set (it assumes the execution roles)
        "task role",  # ECS task definition
        "instance profile",  # EC2 instance, launch template
        "instance role",  # App Runner service
    }
)
SERVICE_USES = frozenset(
    {
        "task execution role",  # ECS: pulls images and secrets for the agent
        "access role",  # App Runner: pulls the image from ECR
        "agent role",  # Bedrock agent: invokes models and knowledge bases
    }
)


@dataclass(frozen=True, slots=True)
class RunsAs:
    """``resource`` (an ARN, possibly with a stand-in for a part known only after apply) runs
    as the role ``role`` (an ARN). ``compute`` names the kind of resource in words (``lambda
    function``, ``ECS task definition``...), ``use`` what the role is to it (see
    :data:`CODE_USES`), ``source`` where the link was read (file and line or JSON pointer)."""

    resource: str
    role: str
    compute: str
    use: str = "execution role"
    source: str = ""

    @property
    def kind(self) -> str:
        """The resource kind of ``resource`` (:func:`~iamsim.model.resources.resource_kind`),
        which the catalogue's code-injection techniques name."""
        return resource_kind(self.resource)

    @property
    def runs_code(self) -> bool:
        """Whether code running in the resource gets the role's credentials."""
        return self.use in CODE_USES
