"""The report in a real browser (Playwright driving Debian's Chromium): the demo, the group
demo and an eight-session history at a tablet's 820 px and a laptop's 1280 px. Screenshots
go to out/report/ (the docs/ pictures are chosen from them); the page must fit the width,
show every picture, put the summary first and print on A4 with no heading left alone at
the foot of a page; axe-core finds no serious or critical violation."""

import re

import pytest
from browser_fixtures import browser  # noqa: F401  (fixture)
from conftest import CONFIGS, ROOT
from history_fixtures import make_history

from station.journal.reader import open_journal
from station.report.build import write_report
from station.sim.runner import simulate
from station.sim.scenario import load_scenario

OUT = ROOT / "out" / "report"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    out = {}
    for name in ("demo", "group"):
        simulate(load_scenario(CONFIGS / "scenarios" / f"{name}.yaml"), tmp / name)
        out[name] = write_report(open_journal(tmp / name / "station.db"),
                                 tmp / f"{name}.html")
    db, _ = make_history(tmp / "history.db")
    out["history"] = write_report(open_journal(db), tmp / "history.html")
    return out


@pytest.mark.parametrize("width", [820, 1280])
@pytest.mark.parametrize("name", ["demo", "group", "history"])
def test_the_report_reads_on_a_tablet_and_a_laptop(browser, reports, name, width):
    page = browser.new_page(viewport={"width": width, "height": 1100})
    # waits for a state, not a speed: a loaded machine's report child (nice 19) can take
    # more than Playwright's default 30 s to make a file
    page.context.set_default_timeout(180_000)
    page.set_default_timeout(180_000)
    try:
        page.goto(reports[name].as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= width, \
            "nothing wider than the screen"
        broken = page.evaluate("[...document.images].filter(i => !i.complete || "
                               "i.naturalWidth === 0).length")
        assert broken == 0 and page.evaluate("document.images.length") >= 1
        summary = page.locator(".summary").first.bounding_box()
        assert summary is not None and summary["y"] < 1100, "the summary is on the first screen"
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
        page.locator("section.session").first.screenshot(
            path=str(OUT / f"{name}-{width}-session.png"))
        if width == 820:
            pdf = page.pdf(format="A4", print_background=True)
            pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
            sessions = page.evaluate("document.querySelectorAll('section.session').length")
            assert pdf.startswith(b"%PDF") and pages > sessions, "each session on its pages"
            (OUT / f"{name}.pdf").write_bytes(pdf)
            assert stranded_headings(page, pdf) == []
    finally:
        page.close()


def stranded_headings(page, pdf: bytes) -> list[tuple[int, str]]:
    """Printed pages (but the last) whose last line of text is a heading of the report."""
    import io

    from pypdf import PdfReader
    heads = set(page.evaluate("[...document.querySelectorAll('h1, h2, h3')]"
                              ".map(h => h.innerText.trim())"))
    pages = PdfReader(io.BytesIO(pdf)).pages
    out = []
    for number, printed in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in printed.extract_text().splitlines() if line.strip()]
        if lines and lines[-1] in heads:
            out.append((number, lines[-1]))
    return out


@pytest.mark.parametrize("name", ["demo", "group", "history"])
def test_the_report_passes_axe_core(browser, reports, name):
    """axe-core (axe-playwright-python) finds no serious or critical violation: contrast,
    a main landmark, every block inside a landmark."""
    from axe_playwright_python.sync_playwright import Axe
    page = browser.new_page(viewport={"width": 820, "height": 1100})
    try:
        page.goto(reports[name].as_uri())
        found = Axe().run(page).response["violations"]
        for v in found:
            print(f"axe, report {name}: {v['impact']} {v['id']} ({len(v['nodes'])} elements)")
        bad = [(v["id"], v["impact"], len(v["nodes"]), [n["target"] for n in v["nodes"]][:4])
               for v in found if v["impact"] in ("serious", "critical")]
        assert bad == []
    finally:
        page.close()
