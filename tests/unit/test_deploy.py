"""Deployment files: the systemd unit verifies, the autostart entry validates, the watchdog
notifier sends the sd_notify datagrams to a real unix socket, and the Qt stub generator
makes a library that loads in place of the real one."""
from __future__ import annotations

import configparser
import ctypes
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from deploy import qt_stubs
from kiosk.watchdog import Notifier, Watchdog, attach_watchdog, watchdog_interval

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "cccd-kiosk.service"
AUTOSTART = ROOT / "deploy" / "autostart" / "cccd-kiosk.desktop"


def test_unit_file_verifies_with_systemd(tmp_path: Path) -> None:
    # systemd-analyze checks that ExecStart exists: point it at a stand-in executable.
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/cccd-kiosk/kiosk", "/bin/true"))
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    out = subprocess.run(["systemd-analyze", "verify", "--user", str(unit)], capture_output=True,
                         text=True, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)
    assert out.returncode == 0, out.stderr
    assert str(unit) not in out.stderr, out.stderr  # no warning about any line of the unit


def test_unit_restarts_on_crash_and_has_a_watchdog() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read_string(UNIT.read_text())
    service = unit["Service"]
    assert service["Type"] == "notify" and service["Restart"] == "on-failure"
    assert 10 <= int(service["WatchdogSec"]) <= 120
    assert service["ExecStart"].split()[-1] == "run"
    assert service["RestartPreventExitStatus"] == "2"  # a refused configuration does not loop


def test_autostart_entry_validates_and_starts_the_unit() -> None:
    out = subprocess.run(["desktop-file-validate", str(AUTOSTART)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read_string(AUTOSTART.read_text())
    assert f"systemctl --user start {UNIT.name}" in entry["Desktop Entry"]["Exec"]


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "notify")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(2)
    yield path, server
    server.close()


class FakeClockEvent:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def test_watchdog_sends_ready_then_pings_until_stopped(notify_socket: tuple[str, socket.socket]) -> None:
    path, server = notify_socket
    scheduled: list[tuple[Callable[[float], Any], float]] = []
    event = FakeClockEvent()

    def schedule_interval(fn: Callable[[float], Any], interval: float) -> FakeClockEvent:
        scheduled.append((fn, interval))
        return event

    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}
    watchdog = attach_watchdog(schedule_interval, env)
    assert watchdog is not None
    assert server.recv(256) == b"READY=1\nSTATUS=kiosk window up"
    assert server.recv(256) == b"WATCHDOG=1"  # at once, then from the clock
    assert [interval for _fn, interval in scheduled] == [15.0]  # half of WatchdogSec
    scheduled[0][0](15.0)  # the Kivy clock firing
    scheduled[0][0](15.0)
    assert [server.recv(256), server.recv(256)] == [b"WATCHDOG=1", b"WATCHDOG=1"]
    watchdog.stop()
    assert event.cancelled
    server.settimeout(0.2)
    with pytest.raises(TimeoutError):  # nothing on stop: a re-exec stays the running service
        server.recv(256)


def test_watchdog_speaks_to_abstract_sockets() -> None:
    name = f"kiosk-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind("\0" + name)
    server.settimeout(2)
    try:
        notifier = Notifier("@" + name)
        Watchdog(notifier, None).ping()
        assert server.recv(64) == b"WATCHDOG=1"
        notifier.close()
    finally:
        server.close()


def test_no_systemd_no_notifications_and_gone_socket_is_not_fatal(tmp_path: Path) -> None:
    assert attach_watchdog(lambda fn, i: None, {}) is None
    notifier = Notifier(str(tmp_path / "nobody-listens"))
    assert notifier.send("WATCHDOG=1") is False  # logged, the kiosk keeps running
    notifier.close()


@pytest.mark.parametrize(("env", "expected"), [
    ({"WATCHDOG_USEC": "20000000"}, 20.0),
    ({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}, None),  # another process's
    ({"WATCHDOG_USEC": "0"}, None),
    ({"WATCHDOG_USEC": "soon"}, None),
    ({}, None),
])
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    assert watchdog_interval(env, pid=4242) == expected


REAL_LIB = r"""
int qt_value = 7;
int real_static_init(void) { return 1; }
int real_gui_call(int x) { return x + 1; }
"""
CONSUMER = r"""
extern int qt_value;
int real_static_init(void);
int real_gui_call(int x);
int loaded = 0;
__attribute__((constructor)) static void init(void) { loaded = real_static_init() + 1; }
int use_data(void) { return qt_value; }
int use_gui(void) { return real_gui_call(1); }
"""


def _cc(tmp: Path, name: str, source: str, *flags: str) -> Path:
    src = tmp / f"{name}.c"
    src.write_text(source)
    out = tmp / name
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(src), *flags], check=True)
    return out


def test_qt_stub_loads_in_place_of_the_library_and_aborts_on_a_gui_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "v.map").write_text("Qt_5 { global: *; };\n")
    real_dir, stub_dir = tmp_path / "real", tmp_path / "stub"
    real_dir.mkdir()
    real = _cc(real_dir, "libQt5Fake-0123abcd.so.5", REAL_LIB, "-Wl,-soname,libQt5Fake-0123abcd.so.5",
               f"-Wl,--version-script={tmp_path / 'v.map'}")
    consumer = _cc(tmp_path, "cv2.fake.so", CONSUMER, str(real), "-Wl,-rpath,$ORIGIN/lib")
    wanted = qt_stubs.imported_symbols(consumer)
    assert {"qt_value", "real_static_init", "real_gui_call"} <= set(wanted)
    monkeypatch.setattr(qt_stubs, "HARMLESS", ("real_static_init",))
    stub = qt_stubs.build_stub(real, wanted, stub_dir / real.name)
    assert set(qt_stubs.defined_symbols(stub)) == {"qt_value", "real_static_init", "real_gui_call"}
    (tmp_path / "lib").mkdir()
    shutil.copy(stub, tmp_path / "lib" / real.name)
    # Load the consumer with the stub in a child: its constructor runs the harmless
    # function, data resolves (zero-filled), and the GUI call aborts with its name.
    probe = ("import ctypes, sys; lib = ctypes.CDLL(sys.argv[1]);"
             " print(ctypes.c_int.in_dll(lib, 'loaded').value, lib.use_data());"
             " sys.stdout.flush(); lib.use_gui()")
    out = subprocess.run([sys.executable, "-c", probe, str(consumer)], capture_output=True, text=True)
    assert out.stdout.split() == ["1", "0"]  # stub returned 0 to the constructor; data is 0
    assert out.returncode == -6  # SIGABRT
    assert "OpenCV called the Qt function real_gui_call" in out.stderr
    assert ctypes.CDLL(str(real)).real_gui_call(1) == 2  # the real one differs: stubs were used


def test_qt_replacement_keeps_other_libraries_and_drops_qt_only_ones(tmp_path: Path) -> None:
    # A miniature OpenCV: cv2 needs Qt and avcodec, Qt needs pcre2-16, the Qt platform
    # plugin needs Qt, and one library is only ever dlopen()ed (nothing lists it).
    (tmp_path / "v.map").write_text("Qt_5 { global: *; };\n")
    libs = tmp_path / "libs"
    libs.mkdir()
    pcre = _cc(libs, "libpcre2-16-2.so.0", "int pcre_x(void) { return 1; }", "-Wl,-soname,libpcre2-16-2.so.0")
    qt = _cc(libs, "libQt5Core-1.so.5", "int pcre_x(void); int qt_f(void) { return pcre_x(); }",
             str(pcre), "-Wl,-soname,libQt5Core-1.so.5", f"-Wl,--version-script={tmp_path / 'v.map'}")
    avcodec = _cc(libs, "libavcodec-3.so", "int av_f(void) { return 2; }", "-Wl,-soname,libavcodec-3.so")
    dlopened = _cc(libs, "libdlopened.so", "int d_f(void) { return 3; }")
    plugin = _cc(tmp_path, "libqxcb.so", "int qt_f(void); int p_f(void) { return qt_f(); }", str(qt))
    cv2 = _cc(tmp_path, "cv2.abi3.so",
              "int qt_f(void); int av_f(void); int g(void) { return qt_f() + av_f(); }",
              str(qt), str(avcodec))
    toc = [("cv2/cv2.abi3.so", str(cv2), "EXTENSION"),
           ("libs/libQt5Core-1.so.5", str(qt), "BINARY"),
           ("libs/libpcre2-16-2.so.0", str(pcre), "BINARY"),
           ("libs/libavcodec-3.so", str(avcodec), "BINARY"),
           ("libs/libdlopened.so", str(dlopened), "BINARY"),
           ("cv2/qt/plugins/platforms/libqxcb.so", str(plugin), "BINARY")]
    result = qt_stubs.replace_qt(toc, tmp_path / "stubs")
    kept = {dest: src for dest, src, _t in result}
    assert set(kept) == {"cv2/cv2.abi3.so", "libs/libQt5Core-1.so.5", "libs/libavcodec-3.so",
                         "libs/libdlopened.so"}
    stub = Path(kept["libs/libQt5Core-1.so.5"])
    assert stub.parent == tmp_path / "stubs" and set(qt_stubs.defined_symbols(stub)) == {"qt_f"}
    assert qt_stubs.needed(stub) == ["libc.so.6"]  # no pcre2-16, no Qt
    datas = [("libQt5Core-1.so.5", "libs/libQt5Core-1.so.5", "SYMLINK"),
             ("libpcre2-16-2.so.0", "libs/libpcre2-16-2.so.0", "SYMLINK")]
    assert qt_stubs.prune_symlinks(datas, result) == datas[:1]


def test_kiosk_code_never_calls_an_opencv_gui_function() -> None:
    """The frozen build replaces OpenCV's Qt with aborting stubs (deploy/qt_stubs.py): no
    kiosk code may open an OpenCV window."""
    import re

    gui = re.compile(r"\bcv2\.(imshow|namedWindow|waitKey|pollKey|destroy\w*Window\w*|createTrackbar|"
                     r"setMouseCallback|selectROIs?|moveWindow|resizeWindow|startWindowThread|"
                     r"setWindow\w+|getWindow\w+|displayOverlay|displayStatusBar|createButton)\b")
    folders = ("kiosk", "hardware", "screens", "offline_cache")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for folder in folders
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if gui.search(line)]
    assert offenders == []
    assert gui.search("cv2.imshow('x', img)") and not gui.search("cv2.imread(path)")
