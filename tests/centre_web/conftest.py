"""The real centre on loopback and Debian's Chromium (through chromium-driver) for the
counter console and hall display tests. Nothing is downloaded: the browser and its
driver are the Debian packages scripts/bootstrap.sh installs."""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.fixtures.centre_server import Api, CentreProcess

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
T = "/api/v1"

# Every play() of a media element is recorded with its source and time, before the page's
# own scripts run (independent of the display's code).
RECORD_PLAYS = """
window.__plays = [];
window.__ended = [];
const __origPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__plays.push({src: this.src, t: performance.timeOrigin + performance.now()});
  this.addEventListener('ended', () => window.__ended.push({src: this.src, t: performance.timeOrigin + performance.now()}), {once: true});
  return __origPlay.call(this);
};
"""


def chromium(width: int = 1600, height: int = 900, autoplay: bool = True) -> WebDriver:
    """A headless Chromium (Debian's) with a fresh profile that plays audio without a click
    (``autoplay``; otherwise the browser's own policy: sound only after a click)."""
    profile = tempfile.mkdtemp(prefix="centre-web-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                f"--user-data-dir={profile}", f"--window-size={width},{height}", "--lang=vi"):
        opts.add_argument(arg)
    opts.add_argument("--autoplay-policy=" + ("no-user-gesture-required" if autoplay
                                               else "document-user-activation-required"))
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_PLAYS})
    driver._profile_dir = profile  # type: ignore[attr-defined]
    return driver


def quit_browser(driver: WebDriver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(getattr(driver, "_profile_dir", ""), ignore_errors=True)


def wait_for(fn: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``fn`` until it returns something truthy; its last value on success."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except Exception as exc:  # a swap in progress (stale element) is retried
            last = exc
        else:
            if last:
                return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def enrol(driver: WebDriver, base: str, token: str, page: str) -> None:
    """Give this browser its device cookie and open ``page`` (as an enrolled browser has it)."""
    driver.get(base + "/web/centre.css")
    driver.add_cookie({"name": "centre_token", "value": token, "path": "/", "httpOnly": True})
    driver.get(base + page)


@pytest.fixture(scope="module")
def centre_proc() -> Iterator[CentreProcess]:
    """The centre with counters 1-6 serving every service, a display, two kiosks' worth of
    tokens and two officers."""
    root = Path(tempfile.mkdtemp(prefix="centre-web-"))
    # a faster voice keeps the clips (and the wait for a recall) short
    proc = CentreProcess(data_dir=root / "data", env={"KIOSK_CENTRE_SERVICE_ANNOUNCE_RATE": "220"})
    proc.data_dir.mkdir()
    for role, name in (("kiosk", "kiosk-01"), ("counter", "counter-3"), ("counter", "counter-4"),
                       ("display", "hall"), ("admin", "admin")):
        proc.add_token(role, name)
    proc.add_officer("lan", "2468")
    proc.add_officer("minh", "1357")
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def console(centre_proc: CentreProcess) -> Iterator[WebDriver]:
    d = chromium(1400, 1000)
    try:
        yield d
    finally:
        quit_browser(d)


@pytest.fixture(scope="module")
def display(centre_proc: CentreProcess) -> Iterator[WebDriver]:
    d = chromium(1920, 1080)
    try:
        yield d
    finally:
        quit_browser(d)


def kiosk_api(proc: CentreProcess) -> Api:
    return Api(proc.url, proc.tokens["kiosk-01"])


def admin_api(proc: CentreProcess) -> Api:
    return Api(proc.url, proc.tokens["admin"])


def text_of(driver: WebDriver, selector: str) -> str | None:
    """The text of the first element matching ``selector`` now (None when absent); read in
    the page, so a panel swapped in meanwhile never gives a stale element."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", selector)


def key(driver: WebDriver, keys: str) -> None:
    """Type ``keys`` into the page (not into a field): the console's shortcuts."""
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(driver).send_keys(keys).perform()


def attr_of(driver: WebDriver, selector: str, name: str) -> Any:
    """An attribute or property (``disabled``, ``hidden``, ``className``…) of the first
    element matching ``selector`` now, read in the page (None when absent)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); if (!e) return null;"
        "const v = e[arguments[1]]; return v !== undefined ? v : e.getAttribute(arguments[1]);",
        selector, name)
