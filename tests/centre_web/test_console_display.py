"""The counter console and hall display in a real headless Chromium against the real centre
on loopback: enrolment and sign-in, every console action by its keyboard shortcut, the
handover shown to the calling counter, a call on the display with its announcement clip,
and the display healing itself after the centre restarts.

The tests run in order and share one centre and two browsers (a counter PC and the TV).
"""
from __future__ import annotations

import base64
import io
import os
import time
import wave
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.centre_web.conftest import T, admin_api, attr_of, enrol, key, kiosk_api, text_of, wait_for
from tests.fixtures.centre_server import Api, CentreProcess

pytestmark = pytest.mark.timeout(120)



def _portrait() -> str:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (90, 120), (190, 160, 140)).save(buf, "JPEG")
    return base64.b64encode(buf.getvalue()).decode()


PORTRAIT = _portrait()
HANDOVER = {
    "chip": {"full_name": "Trần Thị Thử", "id_number": "001190012345", "date_of_birth": "1990-02-03",
             "place_of_residence": "Số 3 Hàng Bài, Hoàn Kiếm, Hà Nội"},
    "passive_auth": {"code": "verified", "reason": ""},
    "flagged": ["place_of_residence"],
    "corrections": {"place_of_residence": "Số 5 Hàng Bài, Hoàn Kiếm, Hà Nội"},
    "portrait_jpeg_b64": PORTRAIT, "priority_reason": "", "source": "card",
}
IDS: dict[str, int] = {}


def issue(proc: CentreProcess, service: str, handover: dict | None = None, flags: tuple[str, ...] = ()) -> dict:
    k = kiosk_api(proc)
    status, t = k.post(f"{T}/tickets", {"service": service, "flags": list(flags)})
    assert status == 201, t
    if handover:
        assert k.call("PUT", f"{T}/tickets/{t['id']}/handover", handover)[0] == 200
    IDS[t["number"]] = t["id"]
    return t


def history(proc: CentreProcess, number: str) -> list[str]:
    return [h["state"] for h in admin_api(proc).get(f"{T}/tickets/{IDS[number]}")[1]["history"]]


def current(console: WebDriver) -> tuple[str | None, str | None]:
    return text_of(console, "#current-number"), text_of(console, "#current-state")


def wait_current(console: WebDriver, number: str | None, state: str | None = None) -> None:
    wait_for(lambda: current(console)[0] == number and (state is None or current(console)[1] == state),
             what=f"console showing {number} {state or ''}")


def plays(display: WebDriver) -> list[str]:
    return [p["src"].split("/announce/", 1)[-1] for p in display.execute_script("return window.__plays")]


def test_enrol_and_sign_in(centre_proc: CentreProcess, console: WebDriver, display: WebDriver) -> None:
    console.get(centre_proc.url + "/counter")
    assert console.find_element(By.ID, "device-form").is_displayed()
    # a display token does not open the counter console
    console.find_element(By.ID, "device-token").send_keys(centre_proc.tokens["hall"] + Keys.ENTER)
    assert "không đúng" in wait_for(lambda: text_of(console, ".error"), what="refused token")
    console.find_element(By.ID, "device-token").send_keys(centre_proc.tokens["counter-3"] + Keys.ENTER)
    wait_for(lambda: console.find_element(By.ID, "signin").is_displayed(), what="sign-in form")
    Select(console.find_element(By.ID, "si-counter")).select_by_value("3")
    for box in console.find_elements(By.CSS_SELECTOR, "#si-services input"):
        if (box.get_attribute("value") in ("cccd_new", "cccd_renew")) != box.is_selected():
            box.click()
    console.find_element(By.ID, "si-officer").send_keys("lan")
    console.find_element(By.ID, "si-pin").send_keys("0000" + Keys.ENTER)
    assert wait_for(lambda: text_of(console, "#status"), what="PIN refusal") == "Sai tên cán bộ hoặc mã PIN."
    console.find_element(By.ID, "si-pin").send_keys("2468" + Keys.ENTER)
    who = wait_for(lambda: text_of(console, ".who"), what="signed-in panel")
    assert "Quầy 3" in who and "lan" in who and "Cấp mới" in who and "VNeID" not in who
    enrol(display, centre_proc.url, centre_proc.tokens["hall"], "/display")
    wait_for(lambda: attr_of(display, "#conn", "data-state") == "online", what="display stream online")


def page_shot(driver: WebDriver, name: str, width: int, height: int) -> None:
    """Save the page at ``width`` x ``height`` to ``$KIOSK_UI_SHOTS/<name>.png`` when that is
    set (to look at it); the window's size is restored."""
    folder = os.environ.get("KIOSK_UI_SHOTS")
    if not folder:
        return
    size = driver.get_window_size()
    driver.set_window_size(width, height)
    time.sleep(0.3)
    Path(folder).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(folder) / f"{name}.png"))
    driver.set_window_size(size["width"], size["height"])


def test_call_next_shows_handover_and_the_display_announces(centre_proc: CentreProcess, console: WebDriver,
                                                            display: WebDriver) -> None:
    issue(centre_proc, "cccd_new", HANDOVER, ("corrections", "appointment.identity_unchecked",
                                              "appointment.claim.identity_mismatch"))
    issue(centre_proc, "cccd_new")
    wait_for(lambda: "2 người" in (text_of(display, "tr[data-service=cccd_new] .n") or ""), what="waiting count")
    key(console, "n")
    wait_current(console, "A001", "Đã gọi")
    assert attr_of(console, "#pa-badge", "className") == "pa-badge pa-ok"
    # what the ticket's flags tell the officer, in plain Vietnamese (a card that does not match in bold red)
    notes = console.execute_script(   # read in the page at once: the panel may be swapped meanwhile
        "return [...document.querySelectorAll('#notes li')].map(n => [n.className, n.textContent.trim()])")
    assert [tuple(n) for n in notes] == [
        ("note-warn", "Lịch hẹn xác nhận không kèm thẻ căn cước — kiểm tra giấy tờ tùy thân."),
        ("note-bad", "Thẻ căn cước KHÔNG khớp lịch hẹn được đưa ra — kiểm tra giấy tờ.")]
    row = ".field[data-field=place_of_residence]"
    assert attr_of(console, row, "className") == "field flagged"
    assert text_of(console, row + " .was") == "Số 3 Hàng Bài, Hoàn Kiếm, Hà Nội"
    assert text_of(console, row + " .fixed") == "Số 5 Hàng Bài, Hoàn Kiếm, Hà Nội"
    assert text_of(console, ".field[data-field=full_name] dd") == "Trần Thị Thử"
    assert attr_of(console, ".field[data-field=full_name]", "className") == "field"
    assert text_of(console, ".field[data-field=date_of_birth] dd") == "03/02/1990"   # not 1990-02-03
    assert attr_of(console, "#portrait", "src") == "data:image/jpeg;base64," + PORTRAIT
    page_shot(console, "counter-called-handover", 1366, 768)
    # the hall display: the number at counter 3, highlighted, in the recent calls, announced
    wait_for(lambda: text_of(display, ".counter-cell[data-counter='3'] .counter-number") == "A001",
             what="A001 on the display")
    assert "flash" in attr_of(display, ".counter-cell[data-counter='3']", "className").split()
    assert text_of(display, ".recent li") == "A001 → quầy 3"
    page_shot(display, "display-called", 1920, 1080)
    assert wait_for(lambda: plays(display), what="a clip played") == ["A001/3.wav"]
    clip = requests.get(centre_proc.url + "/announce/A001/3.wav",
                        cookies={"centre_token": centre_proc.tokens["hall"]}, timeout=30)
    assert clip.status_code == 200 and clip.headers["content-type"] == "audio/wav"
    assert unquote(clip.headers["x-announce-text"]) == "Mời công dân có số thứ tự A001 đến quầy số 3"
    with wave.open(io.BytesIO(clip.content)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 2.0 < seconds < 15.0
    # a recall announces again, after the first clip has ended (never overlapping)
    key(console, "r")
    wait_for(lambda: len(plays(display)) == 2, timeout=20, what="the recall announced")
    p, ended = display.execute_script("return [window.__plays, window.__ended]")
    assert p[1]["src"] == p[0]["src"] and ended and p[1]["t"] >= ended[0]["t"]
    assert history(centre_proc, "A001")[-2:] == ["called", "called"]


def test_every_console_action(centre_proc: CentreProcess, console: WebDriver, display: WebDriver) -> None:
    key(console, "s")
    wait_current(console, "A001", "Đang phục vụ")
    key(console, "h")
    wait_for(lambda: "A001" in (text_of(console, ".held") or ""), what="A001 on hold")
    assert current(console)[0] is None
    key(console, "b")
    wait_current(console, "A001", "Đã gọi")
    key(console, "s")
    wait_current(console, "A001", "Đang phục vụ")
    key(console, "f")
    wait_for(lambda: attr_of(console, "#rating", "id"), what="rating prompt")
    assert history(centre_proc, "A001")[-5:] == ["serving", "held", "called", "serving", "done"]
    # the citizen answers 2 stars; a low score asks why
    key(console, "2")
    wait_for(lambda: attr_of(console, "#rating-reasons", "hidden") is False, what="reasons")
    console.find_element(By.CSS_SELECTOR, "#rating-reasons input[value='wait']").click()
    key(console, Keys.ENTER)
    wait_for(lambda: attr_of(console, "#rating", "id") is None, what="rating sent")
    assert wait_for(lambda: text_of(console, "#stat-rating"), what="rating stat") == "2.0 ★ (1)"
    assert text_of(console, "#stat-served") == "1"
    # no-show only after the configured number of calls (2): the first X does nothing
    key(console, "n")
    wait_current(console, "A002", "Đã gọi")
    assert attr_of(console, "[data-action=no-show]", "disabled") is True
    key(console, "x")
    time.sleep(0.3)
    assert history(centre_proc, "A002")[-1] == "called"
    key(console, "r")
    wait_for(lambda: attr_of(console, "[data-action=no-show]", "disabled") is False, what="2 calls")
    key(console, "x")
    wait_for(lambda: text_of(console, "#stat-noshow") == "1", what="no-show counted")
    assert history(centre_proc, "A002")[-1] == "no_show"
    # call a specific ticket from the list (arrows + Enter), not the next one in order
    issue(centre_proc, "cccd_new")
    issue(centre_proc, "cccd_renew")
    wait_for(lambda: console.execute_script(
        "return document.querySelectorAll('table.waiting tr[data-ticket]').length") == 2, what="list")
    key(console, Keys.ARROW_DOWN + Keys.ARROW_DOWN + Keys.ENTER)
    wait_current(console, "B001", "Đã gọi")
    # transfer to another service and counter
    key(console, "t")
    wait_for(lambda: attr_of(console, "#transfer", "hidden") is False, what="transfer form")
    Select(console.find_element(By.ID, "tr-service")).select_by_value("vneid")
    Select(console.find_element(By.ID, "tr-counter")).select_by_value("4")
    console.find_element(By.ID, "tr-counter").send_keys(Keys.ENTER)
    wait_current(console, None)
    moved = admin_api(centre_proc).get(f"{T}/tickets/{IDS['B001']}")[1]
    assert moved["service"] == "vneid" and moved["target_counter"] == 4 and moved["state"] == "waiting"
    # every call of this test reached the display's speaker, in order
    wait_for(lambda: plays(display)[-1] == "B001/3.wav", timeout=30, what="B001 announced")
    assert [p for p in plays(display) if p != "A001/3.wav"] == ["A002/3.wav", "A002/3.wav", "B001/3.wav"]
    # sign out with Shift+Q: the session ends at the centre
    session = console.execute_script("return sessionStorage.getItem('counterSession')")
    ActionChains(console).key_down(Keys.SHIFT).send_keys("q").key_up(Keys.SHIFT).perform()
    wait_for(lambda: console.find_element(By.ID, "signin").is_displayed(), what="signed out")
    api = Api(centre_proc.url, centre_proc.tokens["counter-3"], session)
    assert api.get(f"{T}/counter/me")[1]["error"] == "session_ended"


def test_display_recovers_after_the_centre_restarts(centre_proc: CentreProcess, display: WebDriver) -> None:
    display.execute_script("window.__sameLoad = 42")
    centre_proc.stop()
    wait_for(lambda: attr_of(display, "#conn", "data-state") == "offline",
             what="display notices the outage")
    centre_proc.start()
    c4 = Api(centre_proc.url, centre_proc.tokens["counter-4"])
    status, s = c4.post(f"{T}/counter/signin", {"counter": 4, "services": ["vneid"], "officer": "minh",
                                                "pin": "1357"})
    assert status == 200
    c4.http.headers["X-Counter-Session"] = s["session"]
    assert c4.post(f"{T}/counter/call-next")[1]["number"] == "B001"   # transferred here earlier
    wait_for(lambda: text_of(display, ".counter-cell[data-counter='4'] .counter-number") == "B001",
             timeout=15, what="the call after the restart on the display")
    assert display.execute_script("return window.__sameLoad") == 42      # healed without a reload
    assert attr_of(display, "#conn", "data-state") == "online"
    wait_for(lambda: plays(display)[-1] == "B001/4.wav", timeout=30, what="announced after the restart")


def test_pages_and_clips_need_the_right_device(centre_proc: CentreProcess) -> None:
    url = centre_proc.url
    # no cookie: the enrolment form, never the hall or the console
    for page in ("/display", "/counter"):
        r = requests.get(url + page, timeout=10)
        assert r.status_code == 200 and 'id="device-form"' in r.text and 'id="hall"' not in r.text
    hall = {"centre_token": centre_proc.tokens["hall"]}
    kiosk = {"centre_token": centre_proc.tokens["kiosk-01"]}
    assert 'id="device-form"' in requests.get(url + "/counter", cookies=hall, timeout=10).text
    assert requests.get(url + "/display/panel", cookies=kiosk, timeout=10).status_code == 403
    assert requests.get(url + "/announce/A001/3.wav", timeout=10).status_code == 401
    # the console's panel needs a signed-in counter session, not just the device
    r = requests.get(url + "/counter/panel", cookies={"centre_token": centre_proc.tokens["counter-3"]}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "no_session"
    assert requests.get(url + "/announce/A001/99.wav", cookies=hall, timeout=10).status_code == 404
    assert requests.get(url + "/announce/A-1/3.wav", cookies=hall, timeout=10).status_code == 422
    assert requests.get(url + "/web/../pages.py", cookies=hall, timeout=10).status_code == 404


def test_display_without_autoplay_asks_for_one_click(centre_proc: CentreProcess) -> None:
    from tests.centre_web.conftest import chromium, quit_browser

    tv = chromium(1280, 720, autoplay=False)
    try:
        enrol(tv, centre_proc.url, centre_proc.tokens["hall"], "/display")
        wait_for(lambda: attr_of(tv, "#conn", "data-state") == "online", what="online")
        assert attr_of(tv, "#sound-hint", "hidden") is True
        issue(centre_proc, "residence")
        c5 = Api(centre_proc.url, centre_proc.tokens["counter-4"])
        s = c5.post(f"{T}/counter/signin", {"counter": 5, "services": ["residence"], "officer": "minh",
                                            "pin": "1357"})[1]
        c5.http.headers["X-Counter-Session"] = s["session"]
        assert c5.post(f"{T}/counter/call-next")[1]["number"] == "D001"
        wait_for(lambda: text_of(tv, ".counter-cell[data-counter='5'] .counter-number") == "D001", what="D001")
        wait_for(lambda: attr_of(tv, "#sound-hint", "hidden") is False, what="the hint to click")
        tv.find_element(By.TAG_NAME, "body").click()
        wait_for(lambda: attr_of(tv, "#sound-hint", "hidden") is True, what="hint gone after the click")
    finally:
        quit_browser(tv)
