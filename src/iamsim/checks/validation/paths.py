"""The entry point of ``iamsim validate``: :func:`validate_paths` reads files and directories
the way the command line does, as a policy document (type given or inferred), a scenario file
of ``iamsim eval``, or any input :func:`iamsim.ingest.load_input` recognises, and validates each.

What a loader reported while reading an input (placeholder account IDs, resources it does not
model) becomes an ``input-note`` suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from iamsim.checks.inputs import parse_document, read_file_text
from iamsim.checks.validation.catalog_checks import resolve_catalog
from iamsim.checks.validation.coverage import count_unresolved, unresolved_findings
from iamsim.checks.validation.documents import check_document
from iamsim.checks.validation.results import (
    ValidationFinding,
    ValidationReport,
    ValidationTarget,
    locate,
    sorted_findings,
)
from iamsim.checks.validation.scenarios import validate_scenarios
from iamsim.checks.validation.world import (
    boundary_conflicts,
    count_policies,
    describe_world,
    validate_world,
)
from iamsim.errors import InputError, PolicyError
from iamsim.ingest import IacOptions, InputFile, ReadScope, formats, load_input
from iamsim.model import World, merge_worlds
from iamsim.policy.model import PolicyType
from iamsim.policy.quotas import QuotaKind


def _looks_like_policy(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and "Statement" in doc
        and set(doc) <= {"Version", "Id", "Statement"}
    )


def _looks_like_scenario(doc: Any) -> bool:
    def one(item: Any) -> bool:
        return isinstance(item, Mapping) and "principal" in item and "action" in item

    if isinstance(doc, list):
        return bool(doc) and all(one(item) for item in doc)
    return one(doc)


def validate_paths(
    paths: Sequence[Path | str],
    *,
    policy_type: PolicyType | str | None = None,
    quota_kind: QuotaKind | str | None = None,
    catalog: Any = None,
    allow_read: Iterable[Path | str] = (),
    options: IacOptions | None = None,
) -> ValidationReport:
    """Validate each path: a policy document (``policy_type`` or inferred), a scenario file,
    or an input of :func:`iamsim.ingest.load_input` (every policy with its known type), which
    reads inside its own folder and ``allow_read`` only.

    A folder that no format reads as a whole, and whose JSON and YAML files are not all
    inputs, stands for those files, each validated as if named. Raises InputError for a path that is none of those (or
    unreadable); a policy that stops an input from loading becomes an ``invalid-policy``
    error finding instead. ``options`` go to Terraform and CloudFormation inputs.
    """
    cat = resolve_catalog(catalog)
    targets: list[ValidationTarget] = []
    findings: list[ValidationFinding] = []
    worlds: list[tuple[str, World]] = []
    for path, file in _expand(paths, tuple(allow_read)):
        if not path.exists():
            raise InputError("no such file or directory", source=file)
        document: Any = None
        text: str | None = None
        if path.is_file():
            text = read_file_text(path, file)
            try:
                document = parse_document(text, file)
            except InputError:
                document = None
        unparsable_json = (
            document is None and text is not None and text.lstrip("\ufeff \t\r\n")[:1] == "{"
        )
        if _looks_like_policy(document) or (
            path.is_file()
            and (policy_type is not None or unparsable_json)
            and not _looks_like_scenario(document)
            and not _is_known_input(path)
        ):
            assert text is not None
            ptype, found = check_document(
                text, policy_type, source=file, quota_kind=quota_kind, catalog=cat
            )
            inferred = "" if policy_type is not None else ", type inferred"
            targets.append(ValidationTarget(file, "policy", f"{ptype.value} policy{inferred}", 1))
            findings += locate(found, file=file, policy_type=ptype)
            continue
        if _looks_like_scenario(document):
            count, located = validate_scenarios(document, file, cat)
            targets.append(ValidationTarget(file, "scenario", "iamsim eval scenarios", count))
            findings += located
            continue
        try:
            world = load_input(path, allow_read=tuple(allow_read), options=options)
        except PolicyError as exc:
            findings.append(
                ValidationFinding(
                    "error",
                    "invalid-policy",
                    f"{exc.reason} (the input cannot be loaded until this is fixed)",
                    exc.source or file,
                    exc.path,
                )
            )
            targets.append(ValidationTarget(file, "input", "input with an invalid policy", 0))
            continue
        worlds.append((file, world))
        # What the loader could not read or had to assume (placeholders, ignored resources).
        findings += [
            ValidationFinding("suggestion", "input-note", note, file) for note in world.notes
        ]
        # What it defines but could not load: named, so that "ok" never covers them.
        findings += unresolved_findings(world, file)
        targets.append(
            ValidationTarget(
                file,
                "input",
                describe_world(world),
                count_policies(world),
                count_unresolved(world),
            )
        )
    if worlds:
        conflicts = boundary_conflicts(worlds)
        findings += conflicts
        try:
            merged = merge_worlds(w for _, w in worlds)
        except InputError as exc:
            # A boundary conflict already explains a principal defined differently.
            if not any(c.policy and c.policy in exc.reason for c in conflicts):
                findings.append(
                    ValidationFinding(
                        "error", "conflicting-inputs", exc.reason, exc.source, exc.path
                    )
                )
            for _, world in worlds:
                findings += validate_world(world, catalog=cat)
        else:
            findings += validate_world(merged, catalog=cat)
    return ValidationReport(tuple(targets), tuple(sorted_findings(findings)))


# The files a folder contributes, as iamsim.ingest.load_input reads a folder of inputs.
_MEMBER_SUFFIXES = (".json", ".yaml", ".yml")


# How deep a folder of folders is followed (an SCP library sorted by category and service).
_MAX_FOLDER_DEPTH = 4


def _expand(
    paths: Sequence[Path | str], allow_read: Sequence[Path | str], depth: int = 0
) -> list[tuple[Path, str]]:
    """Each path with its label, a folder that no format reads as a whole (a Terraform
    configuration is one) and that is not all inputs standing for its JSON and YAML files, so
    that a folder of bare policy documents is checked file by file; a folder holding only
    folders stands for them (``depth`` levels down at most). A member leaving the folder (a symlink out of
    it) is refused, as when the folder is loaded as an input."""
    expanded: list[tuple[Path, str]] = []
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir() and not _is_known_input(path):
            scope = ReadScope.for_input(path, allow_read)
            members = [
                p
                for p in scope.files(path, "*")
                if p.suffix.lower() in _MEMBER_SUFFIXES and not p.name.startswith(".")
            ]
            for member in members:
                scope.resolve(member, "this member of the folder", str(member))
            # A folder of inputs stays one input (its findings are the folder's); one that
            # holds anything else (policy documents, scenarios) is checked file by file.
            if members and not all(_is_known_input(m) for m in members):
                expanded += [(member, str(member)) for member in members]
                continue
            # A folder of folders only (policies sorted by category, one Terraform
            # configuration per folder) stands for its subfolders, each read as if named.
            subfolders = sorted(
                p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")
            )
            if not members and subfolders and depth < _MAX_FOLDER_DEPTH:
                for sub in subfolders:
                    scope.resolve(sub, "this folder of the folder", str(sub))
                expanded += _expand(subfolders, allow_read, depth + 1)
                continue
        expanded.append((path, str(raw_path)))
    return expanded


def _is_known_input(path: Path) -> bool:
    file = InputFile(path)
    try:
        return any(fmt.detect(file) for fmt in formats())
    except InputError:
        return False
