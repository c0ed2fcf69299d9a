"""ARN splitting for the world model: just enough to learn an entity's account and kind.

Pattern matching of ARNs against policies belongs to ``patterns/``; this module only splits
concrete ARNs that appear in inputs (``arn:partition:service:region:account:resource``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Arn:
    """The six fields of a concrete ARN. ``resource`` keeps everything after the 5th colon."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """The resource part's type prefix: ``role`` for ``role/x``, ``function`` for
        ``function:f``; empty when the resource part is a bare name (S3 buckets, SQS queues)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split ``text`` into its ARN fields, or None when it is not shaped like an ARN."""
    if not isinstance(text, str) or not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6 or not parts[1] or not parts[2]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def is_account_id(text: str) -> bool:
    """True for a 12-digit AWS account ID."""
    return len(text) == 12 and text.isdigit()
