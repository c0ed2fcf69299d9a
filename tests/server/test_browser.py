"""The playground in a real headless browser: load the page, read the decision, edit a policy,
see the decision change; with -i, ask the world.

Skipped only outside CI when Chromium or Playwright is missing; in CI (.ci/run installs
Chromium) a missing browser fails the run instead of hiding the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playground_live import browser_missing, chromium, serving
from playwright.sync_api import expect

from iamsim.ingest import load_inputs

_MISSING = browser_missing()
if _MISSING is not None:
    if os.environ.get("CI"):
        # .ci/run installs Chromium: a missing browser there is a broken setup, not a skip.
        raise RuntimeError(f"the browser tests must run in CI: {_MISSING}")
    pytest.skip(_MISSING, allow_module_level=True)

MODEL = (
    Path(__file__).resolve().parents[2] / "src" / "iamsim" / "examples" / "organization" / "model"
)
DENY_PUT = {"Sid": "NoPuts", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    with serving() as url:
        yield url


def test_editing_a_policy_changes_the_decision(browser: Any, page_url: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_url)
    decision = page.get_by_test_id("decision")
    expect(page.get_by_test_id("decision")).to_have_text("Allow")
    assert decision.text_content() == "Allow"
    # The flowchart's path: no explicit deny, every gate passed.
    assert page.locator("#flowchart g[data-step=deny]").get_attribute("data-answer") == "no"
    assert page.locator("#flowchart g[data-end=Allow]").count() == 1
    assert page.locator("#overlap g[data-region=boundary]").get_attribute("data-answer") == "yes"
    identity = json.loads(page.locator("textarea[name=identity]").input_value())
    identity["Statement"].append(DENY_PUT)
    page.locator("textarea[name=identity]").fill(json.dumps(identity, indent=2))
    expect(page.get_by_test_id("decision")).to_have_text("ExplicitDeny")
    assert page.locator("#flowchart g[data-step=deny]").get_attribute("data-answer") == "yes"
    assert page.locator("#flowchart g[data-end=ExplicitDeny]").count() == 1
    assert "NoPuts" in page.locator("#statements").text_content()
    # Hostile input is shown as text: a tag in a Sid stays a Sid.
    identity["Statement"][-1]["Sid"] = "X"
    page.locator("textarea[name=identity]").fill(
        json.dumps(identity).replace('"Effect": "Deny"', '"Effect": "<b>Deny"')
    )
    expect(page.get_by_test_id("decision")).to_have_text("Error")
    assert "<b>Deny" in page.locator("#scenario-error").text_content()
    assert page.locator("#scenario-error b").count() == 0
    assert errors == []
    page.close()


def test_the_world_views_answer_from_the_loaded_inputs(browser: Any) -> None:
    with serving(load_inputs([MODEL])) as url:
        page = browser.new_page()
        page.goto(url)
        page.locator("#tabs button[data-view=check]").click()
        page.locator("#check-form select[name=principal]").select_option(
            "arn:aws:iam::111122223333:role/developer"
        )
        page.locator("#check-form input[name=action]").fill("iam:CreateRole")
        page.locator("#check-form input[name=resource]").fill(
            "arn:aws:iam::111122223333:role/first-reports"
        )
        page.locator("#check-form button").click()
        expect(page.get_by_test_id("check-decision")).to_have_text("ExplicitDeny")
        page.locator("#tabs button[data-view=escalation]").click()
        page.locator("#escalation-form button").click()
        page.wait_for_selector("#escalation-graph svg g[data-technique]", timeout=120_000)
        assert page.locator("#escalation-graph g[data-node]").count() >= 2
        page.close()
