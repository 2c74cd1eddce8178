"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from innovation.platform.models import User
from tests.factories import DEFAULT_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django would then refuse the
# ORM calls a test makes to arrange its data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    # The hook sees the whole session's items, not only this folder's.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium, not a browser downloaded by `playwright install`.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def login(page: Page, live_server) -> Callable[..., Page]:
    """Sign `user` in through the login form; returns the page, on the page after login."""

    def _login(user: User, password: str = DEFAULT_PASSWORD) -> Page:
        page.goto(live_server.url + "/connexion/")
        page.locator("input[name=username]").fill(user.email)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("form button[type=submit]").click()
        return page

    return _login


def screenshot(page: Page, name: str) -> None:
    """Into SCREENSHOTS_DIR when it is set (to look at the pages), else nowhere."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def follow_menu(page: Page, group: str, link: str) -> None:
    """Open the menu group `group` and follow its link `link`, waiting for the new page (axe
    run while the old page is unloading finds no document)."""
    menu = page.get_by_role("navigation", name="Navigation principale")
    menu.locator("summary", has_text=group).click()
    with page.expect_navigation():
        menu.get_by_role("link", name=link).click()


def axe_check(page: Page) -> None:
    """Fail on any serious or critical accessibility violation axe-core finds on the page."""
    violations = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    report = "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} "
        f"({', '.join(str(node['target']) for node in v['nodes'])})"
        for v in violations
    )
    assert not violations, f"Accessibility violations on {page.url}:\n{report}"


@pytest.fixture(name="axe_check")
def axe_check_fixture() -> Callable[[Page], None]:
    return axe_check
