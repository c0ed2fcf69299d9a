"""ARNs as requests and inputs carry them: the one ARN type every layer shares.

Matching ARN *patterns* from policies belongs to :mod:`iamsim.patterns.arn`; this module only
splits concrete ARNs (``arn:partition:service:region:account:resource``).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Arn:
    """The six fields of an ARN split at its first five colons; ``resource`` keeps the rest."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def segments(self) -> tuple[str, str, str, str, str, str]:
        """The six colon-delimited parts, ``"arn"`` first."""
        return ("arn", self.partition, self.service, self.region, self.account, self.resource)

    @property
    def resource_type(self) -> str:
        """The resource part's type prefix: ``role`` for ``role/x``, ``function`` for
        ``function:f``; empty when the resource part is a bare name (S3 buckets, SQS queues)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""

    def __str__(self) -> str:
        return ":".join(self.segments)


@lru_cache(maxsize=4096)
def parse_arn(text: str) -> Arn | None:
    """Split ``text`` into an :class:`Arn`; None unless it is ``arn:`` plus five more parts."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def parse_entity_arn(text: object) -> Arn | None:
    """An ARN an input names for an entity: like :func:`parse_arn`, but a partition and a
    service are required (and anything but a string is no ARN)."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    arn = parse_arn(text)
    if arn is None or not arn.partition or not arn.service:
        return None
    return arn


def is_account_id(text: str) -> bool:
    """True for a 12-digit AWS account ID."""
    return len(text) == 12 and text.isdigit()
