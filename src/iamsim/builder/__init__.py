"""The request builder: turns "can PRINCIPAL do ACTION on RESOURCE" into an engine Request
and the PolicySet AWS would evaluate, with the context keys AWS would supply, from a World.
"""

from iamsim.builder.builder import (
    BuilderWarning,
    BuiltRequest,
    RequestBuilder,
    build_request,
)
from iamsim.builder.context import org_keys, principal_keys, resource_tag_keys

__all__ = [
    "BuilderWarning",
    "BuiltRequest",
    "RequestBuilder",
    "build_request",
    "org_keys",
    "principal_keys",
    "resource_tag_keys",
]
