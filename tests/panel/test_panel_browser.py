"""The panel in a real browser (Playwright driving Debian's Chromium) against a real
``station run --hardware sim``: sign in with the PIN, seat a client, see a simulated touch
light its pad (touch-to-screen measured), run a session, quiet the room, see a refused
profile's problems, open the report; screenshots of every screen to out/panel/."""

import statistics
import time

import pytest
from browser_fixtures import browser  # noqa: F401  (the fixture)
from conftest import ROOT
from panel_fixtures import running_station

SHOTS = ROOT / "out" / "panel"
SCREENS = ("now", "clients", "session", "reports", "station")
TOUCH_TO_SCREEN_MS = 100


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    with running_station(tmp_path_factory, "panel-browser") as running:
        yield running


def sign_in(browser, station, width):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{station.port}/")
    page.fill("#pin", station.pin)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#now:not([hidden])")
    page.wait_for_selector(".player h2:has-text('Alex')")
    return page, errors


def test_a_whole_session_from_the_panel(browser, station):  # noqa: F811
    page, errors = sign_in(browser, station, 1280)
    page.goto(f"http://127.0.0.1:{station.port}/")
    page.wait_for_selector(".player h2:has-text('Alex')")      # still signed in on reload

    # Seat Kim at player 3 from the Clients screen.
    page.click("#tabs button[data-screen=clients]")
    page.click("#seat-players button:has-text('Player 3')")
    page.click("#client-list li[data-client=kim] button.seat")
    page.wait_for_selector("#seat-result:has-text('Kim now plays at player 3')")
    # Start the session (before any touch: the first touch would start one) and mark a phase.
    page.click("#tabs button[data-screen=session]")
    page.click("#session-toggle:has-text('Start session')")
    page.wait_for_selector("#session-status:has-text('is running')")
    page.click("#phase-buttons button:has-text('Warm-up')")
    page.wait_for_selector("#session-line:has-text('Warm-up')")
    page.click("#tabs button[data-screen=now]")
    page.wait_for_selector(".player[data-player='3'] h2:has-text('Kim')")

    # A simulated touch lights its pad; measure touch to screen.
    latencies = []
    for k in range(6):
        pad = f".pad[data-player='3'][data-pad='{k}']"
        t0 = time.time() * 1000
        station.touch(k, board=0x5C)
        page.wait_for_selector(f"{pad}.sounding", timeout=5000)
        page.wait_for_function(f"window.__panel.lit['3:{k}'] > {t0}")   # painted
        lit = page.evaluate(f"window.__panel.lit['3:{k}']")
        latencies.append(lit - t0)
        station.release(k, board=0x5C)
        page.wait_for_selector(f"{pad}:not(.sounding):not(.touched)", timeout=5000)
    median = statistics.median(latencies)
    print(f"\npanel touch-to-screen: median {median:.1f} ms, max {max(latencies):.1f} ms "
          f"(6 touches)")
    assert median <= TOUCH_TO_SCREEN_MS, latencies

    # Add a note.
    page.click("#tabs button[data-screen=session]")
    page.fill("#note-text", "reached for the drum unprompted")
    page.click("#note-form button")
    page.wait_for_selector("#toast:has-text('Note saved')")
    assert page.input_value("#note-text") == ""

    # All quiet: always in the bar; the pads pause (a touch is held back), then play again.
    page.click("#quiet:has-text('All quiet')")
    page.wait_for_selector("#paused-banner:not([hidden])")
    page.wait_for_selector("#quiet:has-text('Play again')")
    page.click("#tabs button[data-screen=now]")
    station.touch(0, board=0x5C)
    page.wait_for_selector(".pad[data-player='3'][data-pad='0'].held")
    assert "sounding" not in page.get_attribute(".pad[data-player='3'][data-pad='0']", "class")
    station.release(0, board=0x5C)
    page.click("#quiet:has-text('Play again')")
    page.wait_for_selector("#paused-banner", state="hidden")

    # A refused profile: its problems in plain words; the previous client keeps playing.
    page.click("#tabs button[data-screen=clients]")
    page.click("#seat-players button:has-text('Player 2')")
    page.click("#client-list li[data-client=broken] button.seat")
    refused = page.wait_for_selector("#seat-result.refused")
    text = refused.inner_text()
    assert "did you mean 'marimba'" in text and "sound.volume" in text
    assert "sam keeps playing at player 2" in text

    # Change a setting through the form: saved, comments kept.
    page.click("#client-list li[data-client=kim] button:has-text('Settings')")
    page.wait_for_selector("#client-detail:not([hidden])")
    page.fill("#settings-form input[name=dwell_ms]", "150")
    page.click("#settings-form button[type=submit]")
    page.wait_for_selector("#save-result:has-text('Saved')")
    assert "dwell_ms: 150" in (station.clients / "kim.yaml").read_text()

    # End the session and open its report.
    page.click("#tabs button[data-screen=session]")
    page.click("#session-toggle:has-text('End session')")
    page.wait_for_selector("#session-status:has-text('No session')")
    page.click("#tabs button[data-screen=reports]")
    link = page.wait_for_selector("#session-list li a.report")
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    report.wait_for_load_state()
    assert "Session report" in report.content()
    report.close()
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("width", [1280, 820, 360])
def test_every_screen_fits_and_is_photographed(browser, station, width):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    if not station.command("session", op="status")["active"]:
        station.command("session", op="start")
        station.command("session", op="phase", name="main")
    page, errors = sign_in(browser, station, width)
    for pad in (2, 7):                       # a hand on two pads while the pictures are taken
        station.touch(pad)
    page.wait_for_selector(".pad[data-player='1'][data-pad='7'].sounding")
    for screen in SCREENS:
        page.click(f"#tabs button[data-screen={screen}]")
        page.wait_for_selector(f"#{screen}:not([hidden])")
        page.wait_for_timeout(300)        # the screen's data arrives
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{screen} at {width} px is {overflow} px wide"
        assert page.is_visible("#quiet"), f"All quiet hidden on {screen} at {width} px"
        if width != 360:
            page.screenshot(path=str(SHOTS / f"{screen}-{width}.png"), full_page=True)
    for pad in (2, 7):
        station.release(pad)
    assert not errors, errors
    page.close()
