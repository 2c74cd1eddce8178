"""Every page clean, for everyone who may open it: a crawl over every named HTML page of the
shared world (tests/crawl.py), opened in chromium by each person of the world's organisation
who gets in, then checked by axe-core (no serious or critical violation) and, all pages at
once at the end, by the W3C Nu HTML checker (no error). On each page every focusable element
is also focused in turn: its focus ring must stand out 3:1 from the background behind it.

axe and the focus check run once per page and per shape of its markup (two people who get
the same markup but for words and numbers get the same findings); the Nu checker reads them
all, as the server sent them.

The Nu checker is a Java program (`vnu.jar`, npm package vnu-jar, installed by .ci/run into
.run/vnu/). Without Java or the jar the crawl still runs axe and skips only the Nu part,
saying so; with TREMPLIN_REQUIRE_VNU=1 (as in CI) a missing checker fails the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser
from playwright.sync_api import Page as BrowserPage

from tests import crawl
from tests.e2e.conftest import BLOCKING_IMPACTS
from tests.factories import DEFAULT_PASSWORD, CommentFactory
from tests.world import World, build_world

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / ".run/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
REQUIRE_VNU = os.environ.get("TREMPLIN_REQUIRE_VNU") == "1"


@dataclass(frozen=True)
class Known:
    """A violation known and being fixed elsewhere: `rule` (axe rule id, or a piece of the Nu
    checker's message) on the pages `where` (URL names, empty for every page), on an element
    whose axe target or Nu extract contains `element`."""

    file: str
    rule: str
    element: str
    reason: str
    where: frozenset[str] = frozenset()

    def covers(self, name: str, rule: str, element: str) -> bool:
        return (
            (not self.where or name in self.where) and self.rule in rule and self.element in element
        )


# Each entry names the template that holds the element; the lead removes an entry once the
# work that owns that template has landed.
# Findings accepted for now, each with the file and the reason (none today: add one only with
# a reason a reader can check).
KNOWN: tuple[Known, ...] = ()


@dataclass(frozen=True)
class Finding:
    tool: str  # "axe", "focus" or "vnu"
    role: str
    name: str  # URL name
    url: str
    rule: str
    element: str


def summary(findings: list[Finding]) -> str:
    """One line per rule and element, with the pages (and who saw them) where it was found."""
    pages: dict[tuple[str, str, str], set[str]] = {}
    for f in findings:
        pages.setdefault((f.tool, f.rule, f.element), set()).add(f"{f.url} ({f.name}, {f.role})")
    lines = []
    for (tool, rule, element), where in sorted(pages.items()):
        shown = sorted(where)
        more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
        lines.append(f"- {tool} {rule}: {element}\n    on {', '.join(shown[:4])}{more}")
    return "\n".join(lines)


def hide_a_comment(world: World) -> None:
    """The world's idea also gets a comment hidden by moderation, shown greyed to everyone."""
    CommentFactory(
        idea=world.idea,
        author=world.agent,
        hidden_at=timezone.now(),
        hidden_by=world.delegate,
        hidden_reason="Propos hors sujet",
    )


def sign_in(page: BrowserPage, base: str, email: str) -> None:
    page.goto(base + "/connexion/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()


# What differs between two people on the same page without changing what axe would find:
# the words, the tokens, the numbers in links.
NOISE = re.compile(r">[^<]*<|\bvalue=\"[^\"]*\"|\d+")


def shape(html: str) -> str:
    """The page's markup without its words and numbers: two people who get the same shape
    on a page get the same axe findings, so axe runs once for them."""
    return hashlib.sha256(NOISE.sub("", html).encode()).hexdigest()


def axe_findings(page: BrowserPage, role: str, name: str, url: str) -> list[Finding]:
    violations = Axe().run(page).response["violations"]
    return [
        Finding("axe", role, name, url, v["id"], ", ".join(str(n["target"]) for n in v["nodes"]))
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


# Focuses every visible focusable element the way the keyboard would (no pointer has touched
# the page, so :focus-visible applies) and returns those whose focus ring is missing or does
# not stand out 3:1 from the background behind it (WCAG 2.4.11, 1.4.11): the ring is the
# outline, else the box-shadow, blended over that background.
FOCUS_RINGS = """() => {
  const rgba = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined ? 1 : a];
  };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const behind = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] === 1) break; }
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255]);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].map((c) => "." + c).join("");
  const still = document.createElement("style");  // the ring as it ends, not as it fades in
  still.textContent = "*, *::before, *::after { transition: none !important; }";
  document.head.append(still);
  getComputedStyle(document.body).color;  // applied before the first focus
  const weak = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary,"
    + " [tabindex]";
  for (const element of document.querySelectorAll(selector)) {
    if (element.disabled || element.tabIndex < 0 || !element.checkVisibility()) continue;
    element.focus({ preventScroll: true });
    if (document.activeElement !== element) continue;
    const style = getComputedStyle(element);
    const background = behind(element.parentElement || element);
    let ring = null;
    if (style.outlineStyle === "auto") {
      ring = "auto";  // the browser's own two-tone ring, visible on any background
    } else if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1) {
      ring = rgba(style.outlineColor);
    } else if (style.boxShadow !== "none") {
      ring = rgba(style.boxShadow);
    }
    const ratio = ring === "auto" ? 21 : ring ? contrast(over(ring, background), background) : 0;
    if (ratio < 3) weak.push(describe(element) + (ring ? " " + ratio.toFixed(2) + ":1" : " none"));
    element.blur();
  }
  still.remove();
  return weak;
}"""


def focus_findings(page: BrowserPage, role: str, name: str, url: str) -> list[Finding]:
    return [
        Finding("focus", role, name, url, "focus-ring", element)
        for element in sorted(set(page.evaluate(FOCUS_RINGS)))
    ]


def vnu_findings(files: dict[Path, tuple[str, str, str]]) -> list[Finding]:
    """One run of the Nu checker over every saved page; `files` maps a file to its page."""
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    done = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=300)
    # The Nu checker writes its JSON report on standard error.
    messages = json.loads(done.stderr or "{}").get("messages", [])
    assert done.returncode in (0, 1), done.stderr[-2000:]
    found = []
    by_name = {path.name: page for path, page in files.items()}
    for message in messages:
        if message.get("type") != "error":
            continue
        file = message.get("url", "")
        role, name, url = by_name.get(file.rsplit("/", 1)[-1], ("?", "?", file))
        extract = " ".join(message.get("extract", "").split())
        where = f"line {message.get('lastLine', '?')}: {extract}"
        found.append(Finding("vnu", role, name, url, message.get("message", ""), where))
    return found


def vnu_missing() -> str:
    if shutil.which("java") is None:
        return "Java is not installed (Debian package default-jre-headless)"
    if not VNU_JAR.exists():
        return (
            f"{VNU_JAR.relative_to(ROOT)} is missing (ensure_vnu in .ci/run installs it:"
            " npm install --prefix .run/vnu --ignore-scripts vnu-jar@<its VNU_VERSION>)"
        )
    return ""


@pytest.mark.django_db(transaction=True)
def test_every_page_is_clean_for_everyone_who_opens_it(browser: Browser, live_server, tmp_path):
    world = build_world()
    hide_a_comment(world)
    pages = crawl.pages(world)
    findings: list[Finding] = []
    refused: list[str] = []
    saved: dict[Path, tuple[str, str, str]] = {}
    shapes: set[tuple[str, str]] = set()

    for role in ("", *crawl.ROLES):  # "" is nobody signed in
        context = browser.new_context()
        page = context.new_page()
        if role:
            sign_in(page, live_server.url, world.people[role].email)
        for target in pages:
            if bool(role) != bool(target.must_open):
                continue  # the anonymous pages only without a session, the others only with
            response = page.goto(live_server.url + target.url)
            opened = (
                response is not None
                and response.status == 200
                and page.url == live_server.url + target.url
            )
            if not opened:
                if role in target.must_open:
                    status = response.status if response else "no response"
                    refused.append(f"- {role} could not open {target.url}: {status} {page.url}")
                continue
            assert response is not None
            html = response.text()
            path = tmp_path / f"{len(saved):03d}-{role or 'anonymous'}.html"
            path.write_text(html)
            saved[path] = (role or "anonymous", target.name, target.url)
            if (target.name, shape(html)) not in shapes:
                shapes.add((target.name, shape(html)))
                # What a click on a summary shows (a hidden comment's text, the menu) too.
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                findings += axe_findings(page, role or "anonymous", target.name, target.url)
                findings += focus_findings(page, role or "anonymous", target.name, target.url)
        context.close()

    missing = vnu_missing()
    if not missing:
        findings += vnu_findings(saved)

    unknown = [f for f in findings if not any(k.covers(f.name, f.rule, f.element) for k in KNOWN)]
    report = summary(unknown)
    assert not refused, "People who must get in were refused:\n" + "\n".join(refused)
    assert not unknown, f"{len(unknown)} violations on {len(saved)} pages:\n{report}"
    if missing:
        assert not REQUIRE_VNU, f"The Nu HTML checker is required here: {missing}"
        pytest.skip(f"axe and the focus check passed; the Nu HTML checker did not run: {missing}")
