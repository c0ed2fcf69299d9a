"""The names and paths AWS lets an IAM user, group, role, instance profile or policy have.

Every loader that creates one of these entities asks here (GAAD exports through
:mod:`iamsim.ingest.gaad`; Terraform and CloudFormation through the world builder of
:mod:`iamsim.ingest.iac.world`), so a name AWS would refuse (a space, a control or
bidirectional-override character, a slash, a NUL, too long) is refused at load with a located
error rather than carried into ARNs, matching and reports.

The rules are those of the IAM API reference; a name is ``[\\w+=,.@-]+`` (``\\w`` being ASCII
letters, digits and ``_``) and a path ``/`` or ``/[\\u0021-\\u007E]+/``, at most 512 characters:

- https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html (UserName, 1-64)
- https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName, 1-64)
- https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html (GroupName, 1-128)
- https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyName, 1-128)
- https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html
  (InstanceProfileName, 1-128)

The checks are character-class tests (no regular expression), linear in the name.
"""

from __future__ import annotations

import string

__all__ = ["MAX_NAME_LENGTH", "MAX_PATH_LENGTH", "name_problem", "path_problem"]

# Longest name AWS accepts for each kind of entity.
MAX_NAME_LENGTH = {
    "user": 64,
    "role": 64,
    "group": 128,
    "policy": 128,
    "instance-profile": 128,
}
MAX_PATH_LENGTH = 512

_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_+=,.@-")
# ``!`` (U+0021) through ``~`` (U+007E): printable ASCII without the space.
_PATH_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))


def _shown(text: str) -> str:
    # Input text is shown inertly: repr escapes control and invisible characters, and a long
    # name is cut.
    return repr(text if len(text) <= 80 else text[:80] + "...")


def name_problem(kind: str, name: str) -> str | None:
    """Why AWS would refuse ``name`` for an entity of ``kind`` (None when it is valid).

    ``kind`` is ``user``, ``role``, ``group``, ``policy`` or ``instance-profile``.
    """
    limit = MAX_NAME_LENGTH[kind]
    if not name:
        return f"the {kind} name is empty"
    if len(name) > limit:
        return f"the {kind} name {_shown(name)} is longer than AWS allows ({limit} characters)"
    bad = next((c for c in name if c not in _NAME_CHARS), None)
    if bad is not None:
        return (
            f"the {kind} name {_shown(name)} contains {_shown(bad)}, which AWS does not allow "
            "(only letters, digits and _+=,.@-)"
        )
    return None


def path_problem(kind: str, path: str) -> str | None:
    """Why AWS would refuse ``path`` as the path of an entity of ``kind`` (None when valid)."""
    if len(path) > MAX_PATH_LENGTH:
        return f"the {kind} path is longer than AWS allows ({MAX_PATH_LENGTH} characters)"
    if path == "/":
        return None
    if len(path) < 3 or not path.startswith("/") or not path.endswith("/"):
        return f"the {kind} path {_shown(path)} must be '/' or begin and end with '/'"
    bad = next((c for c in path if c not in _PATH_CHARS), None)
    if bad is not None:
        return (
            f"the {kind} path {_shown(path)} contains {_shown(bad)}, which AWS does not allow "
            "(printable ASCII other than the space)"
        )
    return None
