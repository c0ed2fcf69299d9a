"""Save a PNG of each view of the web playground under docs/screenshots/ (``make screenshots``).

Runs the playground on a free loopback port over the bundled example organization and drives
Debian's headless Chromium through Playwright (the helpers the browser tests use).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "server"))

from playground_live import browser_missing, chromium, serving  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from iamsim.ingest import load_inputs  # noqa: E402

MODEL = ROOT / "src" / "iamsim" / "examples" / "organization" / "model"
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    missing = browser_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with serving(load_inputs([MODEL])) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        expect(page.get_by_test_id("decision")).to_have_text("Allow")
        shot(page, "scenario-allow")
        identity = json.loads(page.locator("textarea[name=identity]").input_value())
        identity["Statement"].append(
            {"Sid": "NoPuts", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}
        )
        page.locator("textarea[name=identity]").fill(json.dumps(identity, indent=2))
        expect(page.get_by_test_id("decision")).to_have_text("ExplicitDeny")
        shot(page, "scenario-explicit-deny")

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
        shot(page, "check")

        page.locator("#tabs button[data-view=who-can]").click()
        page.locator("#who-can-form input[name=resource]").fill("arn:aws:s3:::first-reports/q1.csv")
        page.locator("#who-can-form button").click()
        page.wait_for_selector("#who-can-result table")
        shot(page, "who-can")

        page.locator("#tabs button[data-view=permissions]").click()
        page.locator("#permissions-form select[name=principal]").select_option(
            "arn:aws:iam::111122223333:role/developer"
        )
        page.locator("#permissions-form input[name=service]").fill("iam")
        page.locator("#permissions-form button").click()
        page.wait_for_selector("#permissions-result table")
        shot(page, "permissions")

        page.locator("#tabs button[data-view=escalation]").click()
        page.locator("#escalation-form button").click()
        page.wait_for_selector("#escalation-graph svg", timeout=120_000)
        shot(page, "escalation")
    return 0


def shot(page: object, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    print(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
