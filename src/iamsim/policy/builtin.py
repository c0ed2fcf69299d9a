"""The AWS managed organization policies that exist without any input naming them.

``FullAWSAccess`` (an SCP) is attached by default to every node of an organization, and
``RCPFullAWSAccess`` (an RCP) is attached to every node and cannot be detached. Loaders attach
them where the organization says so, and the engine adds ``RCPFullAWSAccess`` to every RCP level.
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
"""

from __future__ import annotations

from iamsim.policy.model import Effect, Policy, PolicyType, PrincipalSpec, Statement

FULL_AWS_ACCESS = "FullAWSAccess"
RCP_FULL_AWS_ACCESS = "RCPFullAWSAccess"
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess"


def full_aws_access_scp(source: str | None = None) -> Policy:
    """The AWS managed SCP ``FullAWSAccess`` (Allow * on *), attached by default everywhere."""
    stmt = Statement(
        index=0,
        effect=Effect.ALLOW,
        actions=("*",),
        resources=("*",),
        scalar_elements=frozenset({"Action", "Resource"}),
        path="/Statement/0",
    )
    return Policy(
        policy_type=PolicyType.SCP,
        statements=(stmt,),
        version="2012-10-17",
        name=FULL_AWS_ACCESS,
        source=source,
    )


def rcp_full_aws_access(source: str | None = None) -> Policy:
    """The AWS managed RCP ``RCPFullAWSAccess``, attached to every node and never detachable."""
    stmt = Statement(
        index=0,
        effect=Effect.ALLOW,
        actions=("*",),
        resources=("*",),
        principal=PrincipalSpec(wildcard=True),
        scalar_elements=frozenset({"Action", "Resource", "Principal"}),
        path="/Statement/0",
    )
    return Policy(
        policy_type=PolicyType.RCP,
        statements=(stmt,),
        version="2012-10-17",
        name=RCP_FULL_AWS_ACCESS,
        source=source,
    )


# The one RCPFullAWSAccess instance the engine adds to every RCP level.
RCP_FULL_AWS_ACCESS_POLICY = rcp_full_aws_access()
