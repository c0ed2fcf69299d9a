"""Administrator detection: every probe allowed by the engine, or the reason it is not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from iamsim.analysis.admin import AdminChecker, admin_report, world_actors
from iamsim.analysis.techniques import Actor, load_catalogue
from iamsim.ingest import load_inputs

DATA = Path(__file__).parent / "escalation_data"
GAAD = Path(__file__).resolve().parents[1] / "real_inputs" / "gaad"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _kit() -> Any:
    name = "escalation_kit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DATA / "kit.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


kit = _kit()


def verdict(spec: dict[str, Any], name: str) -> Any:
    world = kit.build_world(spec)
    checker = AdminChecker(kit.oracle(world))
    kind, _, short = name.partition("/")
    principal = world.users.get(kit.arn(kind, short)) or world.roles[kit.arn(kind, short)]
    actor = Actor(principal)
    result = checker.verdict(actor)
    assert checker.is_admin(actor) is result.admin  # the fast path agrees
    return result


def test_administrator_access_is_admin() -> None:
    result = verdict({"users": [{"name": "boss", "managed": [ADMIN]}]}, "user/boss")
    assert result.admin and not result.failures
    assert result.probes == len(load_catalogue().admin_probes)


def test_admin_through_a_group() -> None:
    spec = {
        "users": [{"name": "op", "groups": ["admins"]}],
        "groups": [{"name": "admins", "managed": [ADMIN]}],
    }
    assert verdict(spec, "user/op").admin


def test_iam_star_alone_is_not_admin() -> None:
    result = verdict(
        {"users": [{"name": "iam", "allow": [{"Action": "iam:*", "Resource": "*"}]}]}, "user/iam"
    )
    assert not result.admin
    assert any(f.action.startswith("s3:") for f in result.failures)
    assert all(not f.action.startswith("iam:") for f in result.failures)


def test_blocked_by_the_boundary() -> None:
    spec = {
        "roles": [
            {
                "name": "dev",
                "trust": [{"AWS": "account"}],
                "managed": [ADMIN],
                "boundary": "dev-boundary",
            }
        ],
        "policies": {"dev-boundary": [{"Action": ["s3:*", "iam:Get*"], "Resource": "*"}]},
    }
    result = verdict(spec, "role/dev")
    assert not result.admin
    assert result.boundary == "dev-boundary"
    assert result.blockers[0] == "permissions boundary 'dev-boundary' does not allow it"


def test_probes_the_organization_denies_do_not_count() -> None:
    # An SCP denying IAM to everyone but a break-glass role: AdministratorAccess holds all the
    # organization lets ops do (the IAM probes are set aside); break-glass holds every probe;
    # a role granted only S3 is no administrator.
    spec = {
        "roles": [
            {"name": "ops", "trust": [{"AWS": "account"}], "managed": [ADMIN]},
            {"name": "breakglass", "trust": [{"AWS": "account"}], "managed": [ADMIN]},
            {
                "name": "data",
                "trust": [{"AWS": "account"}],
                "allow": [{"Action": "s3:*", "Resource": "*"}],
            },
        ],
        "scp": [
            {
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/breakglass"}},
            }
        ],
    }
    ops = verdict(spec, "role/ops")
    assert ops.admin and ops.beyond_organization > 0
    assert ops.to_dict()["probes_beyond_organization"] == ops.beyond_organization
    breakglass = verdict(spec, "role/breakglass")
    assert breakglass.admin and breakglass.beyond_organization == 0
    data = verdict(spec, "role/data")
    assert not data.admin
    assert data.blockers[0] == "no identity policy allows it"
    assert all(not f.action.startswith("iam:") for f in data.failures)  # set aside, not failed


def test_an_scp_allowing_no_probe_leaves_no_administrator() -> None:
    spec = {
        "roles": [{"name": "ops", "trust": [{"AWS": "account"}], "managed": [ADMIN]}],
        "scp": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    result = verdict(spec, "role/ops")
    assert not result.admin
    assert result.blockers == ("the organization's policies allow none of the probes",)


def test_scp_denying_other_services_only() -> None:
    spec = {
        "roles": [{"name": "ops", "trust": [{"AWS": "account"}], "managed": [ADMIN]}],
        "scp": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
    }
    # Guardrails on actions no probe names leave an administrator.
    assert verdict(spec, "role/ops").admin


def test_blocked_by_a_deny_statement() -> None:
    spec = {
        "users": [
            {
                "name": "almost",
                "allow": [
                    {"Action": "*", "Resource": "*"},
                    {
                        "Sid": "NoNewUsers",
                        "Effect": "Deny",
                        "Action": "iam:CreateUser",
                        "Resource": "*",
                    },
                ],
            }
        ]
    }
    result = verdict(spec, "user/almost")
    assert not result.admin
    assert result.blockers == (
        "explicit Deny: identity policy 'inline (user/almost)' statement NoNewUsers",
    )
    assert [f.action for f in result.failures] == ["iam:CreateUser"]


def test_resource_scoped_star_is_not_admin() -> None:
    spec = {
        "users": [{"name": "scoped", "allow": [{"Action": "*", "Resource": "arn:aws:s3:::data/*"}]}]
    }
    result = verdict(spec, "user/scoped")
    assert not result.admin
    assert result.blockers == ("no identity policy allows it",)


def test_report_is_sorted_and_serializable() -> None:
    world = kit.build_world(
        {
            "users": [{"name": "b", "managed": [ADMIN]}, {"name": "a"}],
            "roles": [{"name": "r", "trust": [{"AWS": "account"}]}],
        }
    )
    report = admin_report(world, oracle=kit.oracle(world))
    assert [v.label for v in report] == ["role/r", "user/a", "user/b"]
    assert [v.admin for v in report] == [False, False, True]
    assert report[1].to_dict()["blocked_by"]
    assert [a.arn for a in world_actors(world)] == sorted(a.arn for a in world_actors(world))


def test_known_administrators_of_the_real_export() -> None:
    world = load_inputs([GAAD / "cloudsplaining-example.json"])
    # The export holds two accounts, so labels name the account: ACCOUNT:user/name.
    report = {v.label.split(":", 1)[1]: v for v in admin_report(world, oracle=kit.oracle(world))}
    admins = {label for label, v in report.items() if v.admin}
    for known in (
        "user/obama",
        "user/userwithlotsofpermissions",
        "role/OrganizationAccountAccessRole",
        "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",
        "role/privesc-high-priv-service-role",
        "role/privesc-AssumeRole-ending-role",
    ):
        assert known in admins, known
    # Allow * with a Deny * beside it, iam:* and friends, and read-only roles are not.
    for not_admin in (
        "user/fp2-allow-and-deny-multiple-policies-user",
        "user/privesc-sre-user",
        "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8",
        "user/biden",
    ):
        assert not_admin not in admins, not_admin
    assert (
        report["user/fp2-allow-and-deny-multiple-policies-user"]
        .blockers[0]
        .startswith("explicit Deny")
    )
    assert len(admins) == 8


def test_small_real_export() -> None:
    world = load_inputs([GAAD / "cloudsplaining-test-authz-details.json"])
    report = admin_report(world, oracle=kit.oracle(world))
    assert {v.label for v in report if v.admin} == {"user/obama", "user/userwithlotsofpermissions"}
