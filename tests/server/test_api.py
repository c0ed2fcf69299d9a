"""The playground's JSON API: the same objects as the commands' ``--json``, located 400s for bad
input, and never a stack trace in a response."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from iamsim import limits
from iamsim.cli.main import cli
from iamsim.ingest import load_inputs
from iamsim.server import api
from iamsim.server.app import MAX_BODY_BYTES, create_app

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "src" / "iamsim" / "examples" / "scenarios"
MODEL = ROOT / "src" / "iamsim" / "examples" / "organization" / "model"
HOSTS = ["testserver"]


def _client(world: Any = None, **options: Any) -> TestClient:
    app = create_app(world, allowed_hosts=HOSTS, **options)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def editor() -> Iterator[TestClient]:
    with _client() as client:
        yield client


@pytest.fixture(scope="module")
def world_client() -> Iterator[TestClient]:
    with _client(load_inputs([MODEL])) as client:
        yield client


def _cli_json_lines(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, list(args))
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _cli_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def _no_trace(text: str) -> None:
    assert "Traceback" not in text
    assert 'File "' not in text
    assert ".py" not in text


# -- the page --------------------------------------------------------------------------------


def test_page_holds_the_decision_element_and_runs_under_a_strict_policy(editor: TestClient) -> None:
    page = editor.get("/")
    assert page.status_code == 200
    assert 'data-testid="decision"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    for name in ("app.js", "pictures.js", "style.css"):
        asset = editor.get(f"/static/{name}")
        assert asset.status_code == 200 and asset.text


def test_the_page_sets_input_text_as_text_never_as_markup(editor: TestClient) -> None:
    for name in ("app.js", "pictures.js"):
        source = editor.get(f"/static/{name}").text
        assert "innerHTML" not in source and "outerHTML" not in source
        assert "insertAdjacentHTML" not in source and "document.write" not in source


@pytest.mark.parametrize("name", ["../app.py", "..%2Fapp.py", "index.html", "api.py", "%2e%2e"])
def test_no_file_is_served_but_the_page_s_own(editor: TestClient, name: str) -> None:
    response = editor.get(f"/static/{name}")
    assert response.status_code == 404
    assert "import" not in response.text


def test_only_loopback_host_names_are_answered() -> None:
    with TestClient(create_app(None), raise_server_exceptions=False) as client:
        assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
        assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
        assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200


# -- POST /api/eval --------------------------------------------------------------------------


def _bundled_scenarios() -> list[tuple[Path, int, dict[str, Any]]]:
    out = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        documents = yaml.safe_load(path.read_text())
        for index, scenario in enumerate(documents if isinstance(documents, list) else [documents]):
            out.append((path, index, scenario))
    return out


@pytest.mark.parametrize(
    ("path", "index", "scenario"),
    _bundled_scenarios(),
    ids=lambda value: value.name if isinstance(value, Path) else str(value)[:20],
)
def test_eval_answers_eval_json_s_object(
    editor: TestClient, path: Path, index: int, scenario: dict[str, Any]
) -> None:
    expected = _cli_json_lines("eval", "--json", str(path))[index]
    response = editor.post("/api/eval", json=scenario)
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_eval_takes_yaml_too(editor: TestClient) -> None:
    path, _, scenario = _bundled_scenarios()[0]
    response = editor.post("/api/eval", content=yaml.safe_dump(scenario))
    assert response.status_code == 200
    assert (
        response.json()["decision"] == _cli_json_lines("eval", "--json", str(path))[0]["decision"]
    )


def test_a_bad_scenario_is_a_located_400_with_eval_json_s_error(
    editor: TestClient, tmp_path: Path
) -> None:
    scenario = {
        "name": "typo",
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::bucket/key",
        "policies": {
            "identity": [
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Alow", "Action": "s3:*", "Resource": "*"}],
                }
            ]
        },
    }
    response = editor.post("/api/eval", json=scenario)
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == "typo"
    assert "/policies/identity/0/Statement/0/Effect" in body["error"]
    # The same message as eval --json prints, but for the source name.
    file = tmp_path / "typo.json"
    file.write_text(json.dumps(scenario))
    (line,) = _cli_json_lines("eval", "--json", str(file))
    assert line["error"].replace(str(file), api.EVAL_SOURCE) == body["error"]
    _no_trace(response.text)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{", "invalid"),
        (b"[]", "one scenario"),
        (b'"just text"', "scenario"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nest"),
        (b'{"principal": "alice", "action": "s3:Get*"}', "/action"),
        (
            b'{"principal": "111122223333", "action": "s3:GetObject", "policies": {"scp": []}}',
            "/policies/scp",
        ),
        (b"a: &a [*a, *a]\nb: *a\n", ""),
    ],
)
def test_hostile_bodies_are_400_with_a_message_and_no_trace(
    editor: TestClient, body: bytes, fragment: str
) -> None:
    response = editor.post("/api/eval", content=body)
    assert response.status_code == 400, response.text
    assert fragment in response.text
    assert response.json()["error"]
    _no_trace(response.text)


def test_an_oversized_body_is_refused_before_it_is_read(editor: TestClient) -> None:
    response = editor.post("/api/eval", content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["error"]


def test_the_limits_the_server_started_with_hold_for_each_question() -> None:
    deep = {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"}
    nested: dict[str, Any] = {"aws:x": "y"}
    for _ in range(8):
        nested = {"StringEquals": nested} if len(nested) == 1 else nested
    tight = limits.current().replace(max_nesting=3)
    with _client(run_limits=tight) as client:
        response = client.post("/api/eval", content=yaml.safe_dump(deep | {"context": nested}))
    assert response.status_code == 400
    assert "max_nesting" in response.json()["error"]


def test_an_unexpected_error_is_a_generic_500_logged_on_the_server(
    editor: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> dict[str, Any]:
        raise RuntimeError("secret detail /etc/shadow")

    monkeypatch.setattr(api, "eval_scenario", broken)
    with caplog.at_level("ERROR", logger="iamsim.server"):
        response = editor.post("/api/eval", json={})
    assert response.status_code == 500
    assert response.json() == {"error": "internal error: the server could not answer (see its log)"}
    assert "secret" not in response.text
    assert "secret detail" in caplog.text


def test_a_question_over_the_time_limit_is_answered_503(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck(text: str) -> dict[str, Any]:
        release.wait(30)
        return {}

    monkeypatch.setattr(api, "eval_scenario", stuck)
    try:
        with _client(time_limit=0.2) as client:
            response = client.post("/api/eval", json={})
    finally:
        release.set()
    assert response.status_code == 503
    assert "longer than 0.2 seconds" in response.json()["error"]


# -- the questions about the -i world ----------------------------------------------------------


def test_world_lists_principals_and_resources(world_client: TestClient) -> None:
    world = world_client.get("/api/world").json()
    assert world["loaded"] is True
    assert "arn:aws:iam::111122223333:role/developer" in world["principals"]
    assert world["resources"] and world["accounts"]


def test_world_questions_without_inputs_say_how_to_load_them(editor: TestClient) -> None:
    assert editor.get("/api/world").json()["loaded"] is False
    response = editor.post("/api/check", json={"principal": "a", "action": "s3:GetObject"})
    assert response.status_code == 409
    assert "-i" in response.json()["error"]


@pytest.mark.parametrize("full", [False, True])
def test_check_answers_check_json_s_object(world_client: TestClient, full: bool) -> None:
    args = ["role/developer", "iam:CreateRole", "arn:aws:iam::111122223333:role/first-reports"]
    now = "2025-01-31T12:00:00Z"
    extra = ["--explain"] if full else []
    expected = _cli_json("check", *args, "-i", str(MODEL), "--now", now, "--json", *extra)
    body = dict(zip(("principal", "action", "resource"), args, strict=True))
    response = world_client.post("/api/check", json=body | {"full": full, "now": now})
    assert response.status_code == 200
    assert response.json() == expected
    assert response.json()["decision"] == "ExplicitDeny"


def test_who_can_answers_who_can_json_s_object(world_client: TestClient) -> None:
    args = ["s3:GetObject", "arn:aws:s3:::first-reports/q1.csv"]
    expected = _cli_json("who-can", *args, "-i", str(MODEL), "--json")
    response = world_client.post("/api/who-can", json={"action": args[0], "resource": args[1]})
    assert response.json() == expected


def test_permissions_answers_permissions_json_s_object(world_client: TestClient) -> None:
    expected = _cli_json(
        "permissions", "role/developer", "-i", str(MODEL), "--service", "s3", "--json"
    )
    response = world_client.post(
        "/api/permissions", json={"principal": "role/developer", "service": "s3"}
    )
    assert response.json() == expected


def test_escalation_answers_escalation_json_s_object(world_client: TestClient) -> None:
    expected = _cli_json("escalation", "-i", str(MODEL), "--from", "role/developer", "--json")
    response = world_client.post("/api/escalation", json={"from": "role/developer"})
    assert response.status_code == 200
    assert response.json() == expected
    assert response.json()["summary"]["escalate"] == 1


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/api/check", {"principal": "nobody", "action": "s3:GetObject"}, "nobody"),
        ("/api/check", {"principal": "role/developer", "action": "s3:GetObjekt"}, "GetObjekt"),
        ("/api/check", {"principal": "role/developer"}, "/action"),
        ("/api/check", {"principal": "role/developer", "action": "s3:X", "bogus": 1}, "/bogus"),
        ("/api/check", {"principal": 7, "action": "s3:GetObject"}, "/principal"),
        ("/api/check", {"principal": "alice", "action": "s3:GetObject", "now": "soon"}, "/now"),
        ("/api/check", {"principal": "alice", "action": "s3:GetObject", "context": []}, "/context"),
        ("/api/who-can", {"action": " , ", "resource": "*"}, "names no action"),
        ("/api/permissions", {"principal": "role/developer", "service": "nope"}, "nope"),
        ("/api/escalation", {"from": "nobody"}, "nobody"),
        ("/api/check", [1, 2], "JSON object"),
    ],
)
def test_bad_questions_are_located_400s(
    world_client: TestClient, path: str, body: Any, fragment: str
) -> None:
    response = world_client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]
    _no_trace(response.text)


def test_a_question_body_that_is_not_json_is_a_400(world_client: TestClient) -> None:
    response = world_client.post("/api/check", content=b"{not json")
    assert response.status_code == 400
    _no_trace(response.text)
