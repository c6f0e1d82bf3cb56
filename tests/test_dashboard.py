"""The dashboard in a real browser: Playwright drives Debian's Chromium against `trainer serve`.

Each site is a project copied to a temporary folder, built with `trainer build --as-of
2025-10-21` and served on a free port of 127.0.0.1. The tests compare what the page shows
with the numbers in that build's signals/funnel_progress.json.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package (.ci/run does)", allow_module_level=True)

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PROJECT = REPO_ROOT / "tests" / "fixtures" / "dashboard"
# Real learning logs beside the checkout, used when present; the tests that need them skip otherwise.
REAL_PROJECT = REPO_ROOT.parent / "shared" / "real" / "trainer-model"
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
TRAINER = [sys.executable, "-c", "import cli; cli.main()"]
AS_OF = "2025-10-21"
XSS_TITLE = "<img src=x onerror=alert(1)>"
PAGE_SIZE = 25


def has_project(folder: Path) -> bool:
    return (folder / "seeds" / "funnel_spec.yml").is_file() and any((folder / "data" / "internal").glob("*.csv"))


def copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(source / "seeds", target / "seeds")
    shutil.copytree(source / "data" / "internal", target / "data" / "internal")
    return target


def build(project: Path) -> dict:
    result = subprocess.run([*TRAINER, "build", "--as-of", AS_OF], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads((project / "signals" / "funnel_progress.json").read_text())


@dataclass
class Site:
    """A running `trainer serve`: its URL, project folder and the signals it serves."""

    url: str
    project: Path
    process: subprocess.Popen
    progress: dict | None = None

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port

    def drilldown(self, file: str) -> dict:
        return json.loads((self.project / "signals" / "funnel_logs" / f"{Path(file).stem}.json").read_text())


def start_site(project: Path, progress: dict | None) -> Site:
    process = subprocess.Popen([*TRAINER, "serve", "--port", "0", "--quiet"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_line = process.stdout.readline()
    if not first_line.startswith("Dashboard: http://127.0.0.1:"):
        process.kill()
        pytest.fail(f"trainer serve did not start: {first_line!r} {process.stderr.read()}")
    return Site(url=first_line.split()[-1], project=project, process=process, progress=progress)


def stop_site(site: Site) -> None:
    site.process.send_signal(signal.SIGINT)
    site.process.communicate(timeout=30)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """The fixture project: an orphan, a finding, a training without steps and an HTML title."""
    project = copy_project(FIXTURE_PROJECT, tmp_path_factory.mktemp("fixture"))
    site = start_site(project, build(project))
    yield site
    stop_site(site)


def sample_sources():
    """Projects to check the cards against: the fixture, the repository's sample and real logs."""
    return [
        pytest.param(("fixture", FIXTURE_PROJECT), id="fixture"),
        pytest.param(("sample", REPO_ROOT), id="sample",
                     marks=pytest.mark.skipif(not has_project(REPO_ROOT), reason="no sample in seeds/ and data/internal/")),
        pytest.param(("real", REAL_PROJECT), id="real",
                     marks=pytest.mark.skipif(not has_project(REAL_PROJECT), reason=f"no real logs at {REAL_PROJECT}")),
    ]


@pytest.fixture(scope="module", params=sample_sources())
def any_site(request, tmp_path_factory):
    name, source = request.param
    project = copy_project(source, tmp_path_factory.mktemp(name, numbered=False))
    site = start_site(project, build(project))
    yield site
    stop_site(site)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page plus what it did: every request URL, dialogs opened and uncaught script errors."""

    page: object
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def visit(browser, site: Site, query: str = "", width: int = 1280, ready: str = "body.loaded") -> Visit:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    record = Visit(page)
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("pageerror", lambda error: record.errors.append(str(error)))

    def dismiss(dialog):
        record.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(site.url + query)
    page.wait_for_selector(ready, state="attached")
    return record


@pytest.fixture
def open_page(browser):
    """Open the dashboard; after the test, check the page stayed on 127.0.0.1 and raised no error."""
    visits = []

    def opener(site, query="", width=1280, ready="body.loaded"):
        record = visit(browser, site, query, width, ready)
        visits.append((site, record))
        return record

    yield opener
    for site, record in visits:
        record.page.context.close()
        outside = [url for url in record.requests if not is_local(url, site.port)]
        assert outside == []
        assert record.errors == []


def is_local(url: str, port: int) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "data" or (parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port == port)


def card(page, training_id):
    return page.locator(f'li.card[data-training-id="{training_id}"]')


def visible_card_ids(page) -> list[str]:
    return page.eval_on_selector_all("li.card:not([hidden])", "cards => cards.map(card => card.dataset.trainingId)")


def days_ago_text(days: int) -> str:
    if days == 0:
        return "(on the as-of date)"
    return f"({days} day{'' if days == 1 else 's'} ago)"


STATUS_LABELS = {"completed": "Completed", "in_progress": "In progress", "cooled": "Cooled", "not_started": "Not started"}


def test_cards_match_funnel_progress(any_site, open_page):
    page = open_page(any_site).page
    trainings = any_site.progress["trainings"]

    assert page.locator("li.card").count() == len(trainings)
    for training_id, training in trainings.items():
        item = card(page, training_id)
        assert item.locator(".card-title").inner_text() == training["title"]
        assert item.locator(".chip").get_attribute("data-status") == training["status"]
        assert item.locator(".chip").inner_text().endswith(STATUS_LABELS[training["status"]])
        assert item.locator(".provider").inner_text() == (training["provider"] or "No provider")
        labels = [any_site.progress["skills"][skill] for skill in training["skills"]]
        assert item.locator(".skills li").all_inner_texts() == labels
        assert item.locator(".percent").inner_text() == f"{training['percent_complete']:g}%"
        assert item.locator('[role="progressbar"]').get_attribute("aria-valuenow") == f"{training['percent_complete']:g}"
        step_word = "step" if training["steps_total"] == 1 else "steps"
        assert item.locator(".step-count").inner_text() == f"{training['steps_completed']} of {training['steps_total']} {step_word}"
        if training["last_activity"]:
            assert item.locator(".last-activity time").inner_text() == training["last_activity"]
            assert item.locator(".last-activity .age").inner_text() == days_ago_text(training["days_since_activity"])
        else:
            assert item.locator(".last-activity").inner_text() == "No activity logged yet."


def test_header_shows_summary_numbers(any_site, open_page):
    page = open_page(any_site).page
    summary = any_site.progress["summary"]

    def stat(key):
        return page.locator(f'[data-stat="{key}"] .stat-value').inner_text()

    assert page.locator(".as-of").inner_text() == any_site.progress["as_of"]
    assert page.locator(".generated-at").get_attribute("datetime") == any_site.progress["generated_at"]
    assert stat("steps") == f"{summary['steps_completed']} of {summary['steps_total']}"
    assert page.locator('[data-stat="steps"] .stat-detail').inner_text() == f"{summary['percent_complete']:g}%"
    assert stat("trainings") == str(summary["trainings"])
    for status, count in summary["trainings_by_status"].items():
        assert stat(f"status-{status}") == str(count)
    assert stat("orphans") == str(summary["orphans"])
    assert stat("findings") == str(summary["findings"])


def test_steps_list_opens_in_place(fixture_site, open_page):
    page = open_page(fixture_site).page
    training = fixture_site.progress["trainings"]["sql_basics"]
    item = card(page, "sql_basics")
    steps = item.locator(".step-list > li")

    assert not steps.first.is_visible()
    item.locator("summary").focus()
    page.keyboard.press("Enter")

    assert item.locator("details").get_attribute("open") == ""
    assert steps.count() == len(training["steps"])
    for index, step in enumerate(sorted(training["steps"], key=lambda step: step["position"])):
        row = steps.nth(index)
        assert row.is_visible()
        assert row.get_attribute("data-step-id") == step["id"]
        assert row.locator(".step-title").inner_text() == step["title"]
        assert row.locator(".step-state").inner_text() == ("✓ Done" if step["completed"] else "○ Not done")
        meta = row.locator(".step-meta").inner_text()
        assert f"{step['chapters_completed']} of {step['chapters_logged']} logged chapters done" in meta
        assert (f"last activity {step['last_activity']}" in meta) if step["last_activity"] else ("no activity" in meta)


def test_training_without_steps_says_so(fixture_site, open_page):
    page = open_page(fixture_site).page
    item = card(page, "web_book")

    assert fixture_site.progress["trainings"]["web_book"]["steps"] == []
    assert item.locator("details").count() == 0
    assert "No steps in the funnel spec" in item.locator(".no-steps").inner_text()


def test_status_filter_changes_cards(fixture_site, open_page):
    page = open_page(fixture_site).page
    trainings = fixture_site.progress["trainings"]
    cooled = sorted(training_id for training_id, training in trainings.items() if training["status"] == "cooled")

    page.select_option("#filter-status", "cooled")

    assert sorted(visible_card_ids(page)) == cooled
    assert "status=cooled" in page.url
    assert page.locator("#training-count").inner_text() == f"Showing {len(cooled)} of {len(trainings)} trainings."


def test_skill_filter_changes_cards(fixture_site, open_page):
    page = open_page(fixture_site).page
    with_web = sorted(training_id for training_id, training in fixture_site.progress["trainings"].items()
                      if "SK-WEB" in training["skills"])

    page.select_option("#filter-skill", "SK-WEB")

    assert sorted(visible_card_ids(page)) == with_web
    assert "skill=SK-WEB" in page.url


@pytest.mark.parametrize("text, expected", [
    ("html_intro", ["html_intro"]),
    ("basics", ["sql_basics"]),
    ("joining tables", ["sql_basics"]),
    ("HTML-2", ["html_intro"]),
    ("no such training", []),
])
def test_search_matches_titles_and_ids(fixture_site, open_page, text, expected):
    page = open_page(fixture_site).page

    page.fill("#search", text)

    assert visible_card_ids(page) == expected
    assert page.locator("#no-match").is_visible() == (expected == [])


def test_sort_orders_cards(fixture_site, open_page):
    page = open_page(fixture_site).page
    trainings = list(fixture_site.progress["trainings"].values())

    page.select_option("#sort", "percent")
    by_percent = [training["id"] for training in sorted(trainings, key=lambda training: (-training["percent_complete"], training["title"].lower()))]
    assert visible_card_ids(page) == by_percent

    page.select_option("#sort", "title")
    by_title = [training["id"] for training in sorted(trainings, key=lambda training: training["title"].lower())]
    assert visible_card_ids(page) == by_title

    page.select_option("#sort", "last_activity")
    by_activity = [training["id"] for training in sorted(trainings, key=lambda training: training["last_activity"] or "", reverse=True)]
    assert visible_card_ids(page) == by_activity


def test_view_in_url_is_restored(fixture_site, open_page):
    page = open_page(fixture_site, "?status=in_progress&q=sql&sort=title").page

    assert page.locator("#filter-status").input_value() == "in_progress"
    assert page.locator("#search").input_value() == "sql"
    assert page.locator("#sort").input_value() == "title"
    assert visible_card_ids(page) == ["sql_basics"]


def test_xss_title_shows_as_text(fixture_site, open_page):
    record = open_page(fixture_site)
    page = record.page
    item = card(page, "html_intro")
    item.locator("summary").click()

    assert fixture_site.progress["trainings"]["html_intro"]["title"] == XSS_TITLE
    assert item.locator(".card-title").inner_text() == XSS_TITLE
    assert item.locator(".step-title").first.inner_text() == "Tags and <b>elements</b>"
    assert page.locator("img").count() == 0
    assert item.locator("b").count() == 0
    assert record.dialogs == []
    assert not [url for url in record.requests if urllib.parse.urlsplit(url).path == "/x"]


def test_attention_lists_every_orphan_and_finding(fixture_site, open_page):
    page = open_page(fixture_site).page
    orphans = fixture_site.progress["orphans"]
    findings = fixture_site.progress["findings"]
    orphan_rows = page.locator("table.issues-orphans tbody tr")
    finding_rows = page.locator("table.issues-findings tbody tr")

    assert len(orphans) >= 1
    assert page.locator("table.issues-orphans thead th").all_inner_texts() == ["File", "Line", "Id", "Reason"]
    assert orphan_rows.count() == len(orphans)
    for index, orphan in enumerate(orphans):
        cells = orphan_rows.nth(index).locator("td").all_inner_texts()
        assert orphan["line"] != orphan["row"]
        assert cells[:3] == [orphan["source_file"], str(orphan["line"]), orphan["id"]]
        assert cells[3].startswith(orphan["reason"].replace("_", " "))
    assert page.locator("table.issues-findings thead th").all_inner_texts() == ["File", "Line", "Kind", "Detail"]
    assert finding_rows.count() == len(findings)
    for index, finding in enumerate(findings):
        cells = finding_rows.nth(index).locator("td").all_inner_texts()
        assert cells == [finding["source_file"], str(finding["line"]), finding["kind"].replace("_", " "), finding["detail"]]


def test_attention_link_opens_log_row(fixture_site, open_page):
    page = open_page(fixture_site).page
    orphan = fixture_site.progress["orphans"][0]

    link = page.locator("table.issues-orphans a.row-link").first
    assert link.get_attribute("aria-label") == f"Line {orphan['line']} of {orphan['source_file']}"
    link.click()

    target = page.locator(f"#log-row-{orphan['row']}")
    assert page.locator("#log-heading").inner_text() == orphan["source_file"]
    assert target.get_attribute("class").split() == ["orphan", "target"]
    assert target.locator("td").nth(1).inner_text() == str(orphan["line"])
    assert page.evaluate("document.activeElement.id") == f"log-row-{orphan['row']}"
    assert f"log={orphan['source_file']}" in page.url
    assert f"row={orphan['row']}" in page.url


def test_view_logs_lists_logs_from_index(fixture_site, open_page):
    page = open_page(fixture_site).page
    index = json.loads((fixture_site.project / "signals" / "funnel_logs" / "index.json").read_text())
    rows = page.locator("table.log-index tbody tr")

    assert rows.count() == len(index["logs"])
    for position, log in enumerate(index["logs"]):
        cells = rows.nth(position).locator("th, td").all_inner_texts()
        assert cells[:5] == [log["file"], log["kind"], str(log["rows"]), str(log["orphans"]), str(log["findings"])]


def test_view_logs_shows_log_with_orphan_rows(fixture_site, open_page):
    page = open_page(fixture_site).page
    drilldown = fixture_site.drilldown("steps_df.csv")
    orphan_numbers = [str(row["row"]) for row in drilldown["rows"] if row["orphan_reason"]]

    page.click('table.log-index button[data-file="steps_df.csv"]')

    table_rows = page.locator("table.log-rows tbody tr")
    assert table_rows.count() == len(drilldown["rows"])
    assert page.eval_on_selector_all("table.log-rows tbody tr.orphan", "rows => rows.map(row => row.dataset.row)") == orphan_numbers
    for number in orphan_numbers:
        assert "Orphan" in page.locator(f"#log-row-{number} .orphan-mark").inner_text()
    headers = page.locator("table.log-rows thead th").all_inner_texts()
    assert headers[1] == "Line"
    assert headers[2:2 + len(drilldown["columns"])] == drilldown["columns"]
    shown_lines = page.locator("table.log-rows tbody tr td:nth-child(2)").all_inner_texts()
    assert shown_lines == [str(row["line"]) for row in drilldown["rows"]]


def test_log_table_sorts_by_column(fixture_site, open_page):
    page = open_page(fixture_site, "?log=steps_df.csv").page
    drilldown = fixture_site.drilldown("steps_df.csv")

    page.click('button.sort-button[data-column="field:step_id"]')
    ascending = page.locator("table.log-rows tbody tr td:nth-child(4)").all_inner_texts()
    page.click('button.sort-button[data-column="field:step_id"]')
    descending = page.locator("table.log-rows tbody tr td:nth-child(4)").all_inner_texts()

    step_ids = [row["fields"]["step_id"] for row in drilldown["rows"]]
    assert sorted(ascending) == sorted(step_ids)
    assert ascending == sorted(step_ids, key=natural_key)
    assert descending == list(reversed(ascending))
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("step_id")


def natural_key(text):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def test_log_table_filters_by_text(fixture_site, open_page):
    page = open_page(fixture_site, "?log=steps_df.csv").page
    drilldown = fixture_site.drilldown("steps_df.csv")
    matching = [str(row["row"]) for row in drilldown["rows"] if "html" in json.dumps(row["fields"]).lower()]

    page.fill("#log-filter", "HTML")

    assert page.eval_on_selector_all("table.log-rows tbody tr", "rows => rows.map(row => row.dataset.row)") == matching
    assert "lq=HTML" in page.url


def test_log_table_pages(fixture_site, open_page):
    page = open_page(fixture_site, "?log=chapters_df.csv").page
    total = len(fixture_site.drilldown("chapters_df.csv")["rows"])

    assert total > PAGE_SIZE
    assert page.locator("table.log-rows tbody tr").count() == PAGE_SIZE
    assert page.locator(".page-status").inner_text() == f"Rows 1–{PAGE_SIZE} of {total}, page 1 of 2"
    page.click("text=Next page")
    assert page.locator("table.log-rows tbody tr").count() == total - PAGE_SIZE
    assert page.locator("table.log-rows tbody tr").first.get_attribute("data-row") == str(PAGE_SIZE + 1)
    assert page.locator("text=Next page").is_disabled()


def test_chart_has_one_bar_per_active_week(any_site, open_page):
    page = open_page(any_site).page
    weeks = any_site.progress["weekly_activity"]
    bars = page.locator("svg.activity-chart g.week")

    assert bars.count() == len(weeks)
    for index, week in enumerate(weeks):
        bar = bars.nth(index)
        assert bar.get_attribute("data-week") == week["week_start"]
        assert bar.get_attribute("data-steps") == str(week["steps_completed"])
        assert bar.get_attribute("data-chapters") == str(week["chapters_completed"])


def test_chart_shows_numbers_on_hover_and_focus(fixture_site, open_page):
    page = open_page(fixture_site).page
    first, last = fixture_site.progress["weekly_activity"][0], fixture_site.progress["weekly_activity"][-1]
    tooltip = page.locator(".chart-tooltip")

    page.locator("g.week").first.hover()
    assert tooltip.is_visible()
    assert tooltip.inner_text() == (
        f"Week of {first['week_start']}: {first['steps_completed']} steps and {first['chapters_completed']} chapters "
        f"completed; {first['steps_completed_to_date']} steps completed to date")

    page.locator("g.week").last.focus()
    assert tooltip.inner_text().startswith(f"Week of {last['week_start']}: {last['steps_completed']} step")


def read_load_status(open_page, project: Path) -> tuple[str, str | None]:
    """Serve `project`, whose signals cannot be shown, and return the status text and its role."""
    site = start_site(project, None)
    try:
        status = open_page(site, ready="body.no-signals").page.locator("#load-status")
        return status.inner_text(), status.get_attribute("role")
    finally:
        stop_site(site)


def test_missing_signals_names_build_command(tmp_path, open_page):
    message, role = read_load_status(open_page, tmp_path)

    assert message.startswith("No signals yet.")
    assert "signals/funnel_progress.json was not found" in message
    assert "run trainer build" in message
    assert role == "alert"


def test_invalid_signals_names_file(tmp_path, open_page):
    (tmp_path / "signals").mkdir()
    (tmp_path / "signals" / "funnel_progress.json").write_text('{"as_of": "2025-10-21", ')

    message, role = read_load_status(open_page, tmp_path)

    assert "signals/funnel_progress.json could not be parsed as JSON" in message
    assert role == "alert"


def test_missing_drilldown_names_file(tmp_path, open_page):
    project = copy_project(FIXTURE_PROJECT, tmp_path / "project")
    build(project)
    (project / "signals" / "funnel_logs" / "steps_df.json").unlink()
    site = start_site(project, None)
    try:
        page = open_page(site, "?log=steps_df.csv").page
        message = page.locator("#log-panel .error").inner_text()
    finally:
        stop_site(site)

    assert message == 'signals/funnel_logs/steps_df.json was not found. Run "trainer build" to write it.'


def relative_luminance(rgb):
    def channel(value):
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground, background):
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Returns [selector, text colour (fill for SVG text), first opaque background up the tree] for
# the first three elements each selector matches.
COLOURS_SCRIPT = """selectors => selectors.flatMap(selector => [...document.querySelectorAll(selector)].slice(0, 3).map(node => {
  const rgb = text => text.match(/\\d+(\\.\\d+)?/g).slice(0, 4).map(Number);
  let background = node;
  while (background && rgb(getComputedStyle(background).backgroundColor)[3] === 0) background = background.parentElement;
  const style = getComputedStyle(node);
  return [selector, rgb(node instanceof SVGElement ? style.fill : style.color), background ? rgb(getComputedStyle(background).backgroundColor) : [255, 255, 255]];
}))"""


def test_text_contrast_meets_wcag_aa(fixture_site, open_page):
    page = open_page(fixture_site, "?log=steps_df.csv").page
    selectors = [
        ".chip", ".card-meta", ".step-count", ".last-activity", ".logged-status", ".no-steps", ".stat dt",
        ".stat-detail", ".training-count", ".filters label", "a", ".link-button", ".steps summary",
        ".log-rows tr.orphan td", ".orphan-mark", ".activity-chart .tick", ".activity-chart .axis-title",
        ".activity-chart .tick-total", ".chart-legend li", ".log-facts",
    ]
    page.wait_for_selector("table.log-rows")

    samples = page.evaluate(COLOURS_SCRIPT, selectors)
    assert {selector for selector, _, _ in samples} == set(selectors)
    low = [(selector, round(contrast_ratio(colour[:3], background[:3]), 2))
           for selector, colour, background in samples if contrast_ratio(colour[:3], background[:3]) < 4.5]
    assert low == []


def test_keyboard_focus_is_visible(fixture_site, open_page):
    page = open_page(fixture_site).page

    page.locator("#search").focus()
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]")

    assert outline == ["filter-skill", "solid"]


@pytest.mark.parametrize("width, name", [(1280, "desktop"), (375, "375px")])
def test_screenshot_fits_width(any_site, open_page, width, name):
    page = open_page(any_site, width=width).page
    page.locator("li.card details").first.evaluate("details => { details.open = true; }")
    SCREENSHOTS.mkdir(exist_ok=True)

    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{any_site.project.name}-{name}.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
