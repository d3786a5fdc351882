"""The panel in a real browser (Playwright driving Debian's Chromium) against a real
``station run --hardware sim``: the demo session run from a tablet alone (the issue's
"done when"), touch-to-screen measured on the way; profile edits, a reload and the metrics
download; screenshots of every screen to out/panel/."""

import csv
import io
import statistics
import time

import pytest
from browser_fixtures import browser  # noqa: F401  (the fixture)
from conftest import ROOT
from panel_fixtures import running_station

SHOTS = ROOT / "out" / "panel"
SCREENS = ("now", "clients", "session", "play", "reports", "station")
TABLET = 820
PHASES = ("welcome", "warm_up", "main", "reflection", "goodbye")


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    with running_station(tmp_path_factory, "panel-browser") as running:
        yield running


def sign_in(browser, station, width):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    # waits for a state, not a speed: a loaded machine's report child (nice 19) can take
    # more than Playwright's default 30 s to make a file
    page.context.set_default_timeout(180_000)
    page.set_default_timeout(180_000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{station.port}/")
    page.fill("#pin", station.pin)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#now:not([hidden])")
    page.wait_for_selector(".player h2:has-text('Alex')")
    return page, errors


def wait_js(page, expression, seconds=30.0):
    """Poll a page expression from here: the panel's CSP forbids the page-side eval that
    Playwright's wait_for_function polls with."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(10)


def tab(page, screen):
    page.click(f"#tabs button[data-screen={screen}]")
    page.wait_for_selector(f"#{screen}:not([hidden])")


def toast(page, words):
    page.wait_for_selector(f"#toast:has-text({words!r})")


def press_switch(station, times):
    for _ in range(times):
        station.command("sim", action="press", name="p1_switch")
        time.sleep(0.1)
        station.command("sim", action="unpress", name="p1_switch")
        time.sleep(0.2)


def phrase(station, pads):
    for k in pads:
        station.touch(k)
        time.sleep(0.1)
        station.release(k)
        time.sleep(0.2)


def shoot(page, name):
    """A full-page screenshot, as a small palette PNG (the docs' pictures are copies)."""
    from PIL import Image
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0); document.getElementById('toast').hidden = true")
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=48, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def test_the_demo_session_run_from_a_tablet_alone(browser, station):
    """The demo's shape with the shipped demo plan, every action a tap on the panel at
    820 px, the clients' touches from the simulator; the report opened from the panel
    shows the phases, the note and the rating."""
    (station.plans / "mine.yaml").write_text("phases:\n  - {name: hello, backing: {style: "
                                             "pulze}}\n")
    page, errors = sign_in(browser, station, TABLET)
    page.wait_for_selector("#strip:has-text('No session is running')")

    # Choose and start the plan on the Session screen.
    page.click("#strip-go")
    page.wait_for_selector("#session:not([hidden])")
    page.select_option("#plan-name", label="Demo session")
    page.wait_for_selector("#plan-about:has-text('Welcome → Warm-up → Main activity')")
    page.wait_for_selector("#plan-broken:has-text(\"Plan mine is not offered, its file has a "
                           "mistake\"):has-text(\"did you mean 'pulse'\")")
    page.click("#plan-start")
    toast(page, "Demo session started: Welcome (phase 1 of 5)")
    page.wait_for_selector("#plan-phases li.now:has-text('Welcome')")
    page.wait_for_selector("#phase-box", state="hidden")      # the plan marks the phases

    # Welcome: the hello song on alex's switch; the Now screen shows the phase and timer.
    tab(page, "now")
    page.wait_for_selector("#strip-step:has-text('Phase 1 of 5')")
    page.wait_for_selector("#strip-name:has-text('Welcome')")
    page.wait_for_selector("#strip-of:has-text('of about 0:12')")
    press_switch(station, 3)
    wait_js(page, "window.__panel.lit['1:12'] > 0")      # the round pad lit
    page.click("#strip-next:has-text('Next: Warm-up')")
    toast(page, "Now: Warm-up (phase 2 of 5)")
    page.wait_for_selector("#strip-music:has-text('Drone in A')")
    page.wait_for_selector("#session-line:has-text('Session 1 · Warm-up')")

    # Warm-up: alex plays; each touch lights its pad (touch to screen printed).
    latencies = []
    for k in range(6):
        pad = f".pad[data-player='1'][data-pad='{k}']"
        t0 = time.time() * 1000
        station.touch(k)
        page.wait_for_selector(f"{pad}.sounding", timeout=30000)
        wait_js(page, f"window.__panel.lit['1:{k}'] > {t0}")   # painted
        latencies.append(page.evaluate(f"window.__panel.lit['1:{k}']") - t0)
        station.release(k)
        page.wait_for_selector(f"{pad}:not(.sounding):not(.touched)", timeout=30000)
    median = statistics.median(latencies)
    print(f"\npanel touch-to-screen: median {median:.1f} ms, max {max(latencies):.1f} ms "
          f"(6 touches)")
    # printed, not asserted: on a loaded machine Chromium's paint waits for the CPU

    # A broken profile for player 2 is refused (sam keeps playing); then jo is seated.
    page.click(".player[data-player='2'] button.seat-here")
    page.wait_for_selector("#seat-players button.on:has-text('Player 2')")
    page.click("#client-list li[data-client=broken] button.seat")
    refused = page.wait_for_selector("#seat-result.refused").inner_text()
    assert "did you mean 'marimba'" in refused and "sound.volume" in refused
    assert "sam keeps playing at player 2" in refused
    page.click("#client-list li[data-client=jo] button.seat")
    page.wait_for_selector("#seat-result:has-text('Jo now plays at player 2')")

    # Main: a pulse at alex's tempo; reflection: the echo of alex's phrase.
    tab(page, "now")
    page.wait_for_selector(".player[data-player='2'] h2:has-text('Jo')")
    page.click("#strip-next:has-text('Next: Main activity')")
    page.wait_for_selector("#strip-music:has-text('Pulse in A at')")
    page.click("#strip-next:has-text('Next: Reflection')")
    page.wait_for_selector("#strip-name:has-text('Reflection')")
    phrase(station, (0, 2, 4))
    wait_js(page, "/Echo of Alex's phrases \\(vibraphone\\): [1-9][0-9]* so far/"
                  ".test(document.querySelector('#strip-music').textContent)", seconds=10)
    shoot(page, f"now-plan-{TABLET}")

    # A note, then all quiet: a touch is held back until Play again.
    tab(page, "session")
    page.fill("#note-text", "reached for the drum unprompted")
    page.click("#note-form button")
    toast(page, "Note saved")
    assert page.input_value("#note-text") == ""
    page.click("#quiet:has-text('All quiet')")
    page.wait_for_selector("#paused-banner:not([hidden])")
    tab(page, "now")
    station.touch(5)
    page.wait_for_selector(".pad[data-player='1'][data-pad='5'].held")
    assert "sounding" not in page.get_attribute(".pad[data-player='1'][data-pad='5']", "class")
    station.release(5)
    page.click("#quiet:has-text('Play again')")
    page.wait_for_selector("#paused-banner", state="hidden")

    # Goodbye; rate alex's goal; the last Next ends the plan and the session.
    page.click("#strip-next:has-text('Next: Goodbye')")
    tab(page, "session")
    page.wait_for_selector("#plan-phases li.now:has-text('Goodbye')")
    page.wait_for_selector("#goals-title:has-text('Rate the goals of session 1')")
    steady = ".goal[data-player='1'][data-goal='steady']"
    page.click(f"{steady} button[data-level='1']")
    toast(page, 'Alex: "Keeps a steady beat within a phrase" rated +1')
    page.wait_for_selector(f"{steady} .level-words:has-text('Rated +1: steady for most phrases')")
    shoot(page, f"session-plan-{TABLET}")
    page.click("#plan-next:has-text('Finish: end the session')")
    toast(page, "The plan is done and the session has ended")
    page.wait_for_selector("#session-status:has-text('No session is running')")
    page.wait_for_selector("#plan-choose:not([hidden])")

    # The report, opened from the Reports screen.
    tab(page, "reports")
    link = page.wait_for_selector("#session-list li[data-session='1'] a.report")
    listed = page.wait_for_selector("#session-list li[data-session='1']:has-text('5 phases')")
    assert "alex, jo, sam · " in listed.inner_text()      # not the refused file's client
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    report.wait_for_load_state()
    text = report.inner_text("body")
    report.close()
    for phase in PHASES:
        assert f"phase: {phase}" in text, phase
    assert "note: reached for the drum unprompted" in text
    assert "'steady' +1 (steady for most phrases)" in text.replace("‘", "'").replace("’", "'")
    assert not errors, errors
    page.close()


def test_settings_a_reload_and_the_metrics_download(browser, station):
    page, errors = sign_in(browser, station, 1280)
    page.goto(f"http://127.0.0.1:{station.port}/")
    page.wait_for_selector(".player h2:has-text('Alex')")      # still signed in on reload
    # Change a setting through the form: saved, comments kept.
    tab(page, "clients")
    page.click("#client-list li[data-client=kim] button:has-text('Settings')")
    page.wait_for_selector("#client-detail:not([hidden])")
    page.fill("#settings-form input[name=dwell_ms]", "150")
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector("#save-result:has-text('Saved')")
    assert "dwell_ms: 150" in (station.clients / "kim.yaml").read_text()
    # The metrics export of a session downloads from the Reports screen.
    if not station.command("session", op="status")["last_session"]:
        station.command("session", op="start")
        station.touch(0)
        station.release(0)
        station.command("session", op="stop")
    tab(page, "reports")
    with page.expect_download() as got:
        page.click("#session-list li:first-child a:has-text('Metrics')")
    download = got.value
    assert download.suggested_filename.endswith("metrics.csv")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows and {"session", "player", "client", "phase", "valid_touches",
                     "vector_strength"} <= set(rows[0])
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("width", [1280, 820, 360])
def test_every_screen_fits_and_is_photographed(browser, station, width):
    if not station.command("plan", op="status")["plan"]:
        station.command("plan", op="start", name="demo")
        station.command("plan", op="next")
        for k in range(4):                   # alex at 100 BPM: the pulse starts there
            station.touch(k)
            time.sleep(0.3)
            station.release(k)
            time.sleep(0.3)
        station.command("plan", op="next")                  # main: a pulse
    page, errors = sign_in(browser, station, width)
    for pad in (2, 7):                       # a hand on two pads while the pictures are taken
        station.touch(pad)
    page.wait_for_selector(".pad[data-player='1'][data-pad='7'].sounding")
    for screen in SCREENS:
        tab(page, screen)
        page.wait_for_timeout(300)        # the screen's data arrives
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{screen} at {width} px is {overflow} px wide"
        assert page.is_visible("#quiet"), f"All quiet hidden on {screen} at {width} px"
        if width != 360:
            shoot(page, f"{screen}-{width}")
    for pad in (2, 7):
        station.release(pad)
    assert not errors, errors
    page.close()
