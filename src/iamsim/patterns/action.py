"""``Action``/``NotAction`` entries: validation and case-insensitive glob matching.

This module owns how one ``Action`` or ``NotAction`` value is compared with the request's
action (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):

* The value is ``"*"`` (every action of every service) or ``service:ActionName``.
* Prefix and action name are case-insensitive: ``iam:ListAccessKeys`` equals
  ``IAM:listaccesskeys``.
* ``*`` and ``?`` may appear anywhere in the action name (``iam:*AccessKey*``, ``s3:Get*``);
  the comparison is one glob over the whole ``service:action`` string.

Validation follows the errors IAM returns for malformed actions (``MalformedPolicyDocument``:
"Actions/Conditions must be prefaced by a vendor", "Actions/Condition can contain only one
colon", "Action vendors ... must not contain wildcards"). Whether an action exists is the
catalog's business, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from iamsim.patterns.glob import Glob


@dataclass(frozen=True, slots=True)
class ActionPattern:
    """One compiled ``Action``/``NotAction`` value.

    ``service`` is the lower-case service prefix when it contains no wildcard, so statements
    can be indexed by service; it is None for ``"*"`` or a wildcard prefix.
    """

    text: str
    service: str | None
    matches_all: bool
    _glob: Glob

    def matches(self, action: str) -> bool:
        """True if the request action (``service:Action``) is covered by this entry."""
        if self.matches_all:
            return True
        return self._glob.matches(action)


# Memoised by text: the documents of a batch differ (a Sid, one resource) far more often than
# their patterns do, and a compiled pattern is immutable, so policies can share it.
@lru_cache(maxsize=8192)
def compile_action(text: str) -> ActionPattern:
    """Compile one ``Action``/``NotAction`` value (never raises; see :func:`action_problem`)."""
    glob = Glob(text, ignore_case=True)
    # "*" alone and any all-star pattern cover every action, even one without a colon.
    matches_all = glob.matches_everything
    service: str | None = None
    if not matches_all and ":" in text:
        prefix = text.split(":", 1)[0]
        if prefix and "*" not in prefix and "?" not in prefix:
            service = prefix.lower()
    return ActionPattern(text=text, service=service, matches_all=matches_all, _glob=glob)


@lru_cache(maxsize=8192)  # a pure function of the text, asked once per Action of every policy
def action_problem(text: str) -> str | None:
    """Why ``text`` is not a valid ``Action``/``NotAction`` value, or None if it is valid."""
    if text == "*":
        return None
    if not text:
        return "an action must not be empty"
    if any(c.isspace() for c in text):
        return f"action {text!r} contains whitespace"
    if ":" not in text:
        return f"action {text!r} must be '*' or 'service:ActionName' (missing service prefix)"
    if text.count(":") > 1:
        return f"action {text!r} can contain only one colon"
    prefix, name = text.split(":", 1)
    if not prefix:
        return f"action {text!r} has an empty service prefix"
    if "*" in prefix or "?" in prefix:
        return f"action {text!r}: the service prefix must not contain wildcards"
    if not all(c.isascii() and (c.isalnum() or c == "-") for c in prefix):
        return f"action {text!r}: the service prefix may contain only letters, digits and '-'"
    if not name:
        return f"action {text!r} has an empty action name"
    return None
