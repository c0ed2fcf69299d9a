"""CloudFormation's YAML short-form intrinsic tags, and reading template text.

Owns :func:`template_loader` (the inputs' strict YAML plus ``!Ref``, ``!Sub``, ``!GetAtt``...,
each read as its ``Fn::`` mapping; the class is made on first use) and :func:`parse_template` (JSON or YAML text to the
template document, errors located by line or JSON pointer).
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from iamsim.errors import InputError
from iamsim.ingest.documents import load_json

if TYPE_CHECKING:
    import yaml

    from iamsim.ingest.yaml_documents import YamlLoader


_SHORT_FORMS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
            # rule functions, valid in a template's Rules section (which is not evaluated:
            # it only checks parameter values when a stack is created)
            "Contains",
            "EachMemberEquals",
            "EachMemberIn",
            "RefAll",
            "ValueOf",
            "ValueOfAll",
        )
    },
}


def _construct(full_name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        import yaml  # loaded already: this runs inside the YAML loader

        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if full_name == "Fn::GetAtt" and isinstance(value, str):
                # !GetAtt Logical.Attr.Sub -> ["Logical", "Attr.Sub"]
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {full_name: value}

    return construct


@functools.cache
def template_loader() -> type[YamlLoader]:
    """The template loader class, made on first use: JSON templates never import PyYAML."""
    from iamsim.ingest.yaml_documents import YamlLoader

    class TemplateLoader(YamlLoader):
        """The inputs' strict YAML plus CloudFormation's short-form intrinsic tags.

        As for every YAML input, integers are only plain decimal numbers without a leading
        zero (YAML 1.1 would read ``012345678901`` as octal and change an account ID) and
        unquoted dates stay text (``Version: 2012-10-17`` is the string CloudFormation's
        conversion to JSON gives).
        """

    for short, full in _SHORT_FORMS.items():
        TemplateLoader.add_constructor(f"!{short}", _construct(full))
    return TemplateLoader


def parse_template(text: str, source: str) -> Any:
    """Parse template text (JSON when it starts like JSON, else YAML with short forms).

    A key given twice in one mapping (CloudFormation rejects it too) and absurdly deep nesting
    are errors located by JSON pointer.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            return load_json(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}",
                path=f"line {exc.lineno}, column {exc.colno}",
                source=source,
            ) from None
        except InputError as exc:
            raise exc.located(source=source) from None
    import yaml  # only for YAML templates (start-up time)

    from iamsim.ingest.yaml_documents import load_yaml

    try:
        return load_yaml(text, template_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"invalid YAML: {problem}", path=where, source=source) from None
    except InputError as exc:
        raise exc.located(source=source) from None
