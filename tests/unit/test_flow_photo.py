"""The PHOTO step of the citizen flow: when it is entered, how it is left (accept, skip,
back, idle, cancel, fault), the camera start/stop effects and the photo's lifetime."""
from __future__ import annotations

from datetime import date

import pytest

from hardware.shared_types import AccessKey, CardReadResult, Citizen
from kiosk import flow as f
from kiosk.config import ConfigError, load_config
from kiosk.flow import Flow, State, Timeouts
from kiosk.photo.session import AcceptedPhoto
from kiosk.ticketing import ServiceCatalog

AN = Citizen(id_number="001090012345", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12), sex="M")
KEY = AccessKey.from_id(AN.id_number)
T = Timeouts(idle=60, idle_warning=15, card_removal_grace=20, identify=90, read=30,
             ticket_screen=30, done_screen=8, out_of_service=20)
PHOTO_SERVICES = frozenset({"cccd_new", "cccd_renew"})


def make(now: float = 1000.0) -> Flow:
    return Flow(timeouts=T, now=now, photo_services=PHOTO_SERVICES)


def photo(data: bytes = b"\xff\xd8portrait") -> AcceptedPhoto:
    return AcceptedPhoto(jpeg=bytearray(data), width=533, height=800, format="4x6", tries=1,
                         crop_head_share=0.75, crop_eye_line=0.56)


def to_photo(fl: Flow, service: str = "cccd_new") -> Flow:
    fl.handle(f.StartIdentify())
    fl.handle(f.KeyProvided(KEY, "keypad"))
    fl.handle(f.CardPresent())
    fl.handle(f.CardReadOk(CardReadResult(citizen=AN, access_method="BAC")))
    fl.handle(f.Confirmed())
    assert fl.handle(f.ServiceChosen(service, "elderly")) == [f.StartPhoto()]
    assert fl.state == State.PHOTO
    return fl


def test_photo_services_go_to_photo_others_straight_to_ticket() -> None:
    fl = to_photo(make())
    assert fl.session.service_code == "cccd_new" and fl.session.priority_group == "elderly"
    other = make()
    other.handle(f.StartWalkIn())
    assert other.handle(f.ServiceChosen("vneid")) == [f.IssueTicket("vneid", "")]
    assert other.state == State.TICKET


def test_without_photo_services_the_flow_is_unchanged() -> None:
    fl = Flow(timeouts=T, now=0)
    fl.handle(f.StartWalkIn())
    assert fl.handle(f.ServiceChosen("cccd_new")) == [f.IssueTicket("cccd_new", "")]


def test_accepted_photo_is_kept_and_the_ticket_issued() -> None:
    fl = to_photo(make())
    p = photo()
    assert fl.handle(f.PhotoAccepted(p)) == [f.StopPhoto(), f.IssueTicket("cccd_new", "elderly")]
    assert fl.state == State.TICKET
    assert fl.session.photo is p and fl.session.photo_skipped == ""
    fl.handle(f.TicketIssued("A001"))
    fl.handle(f.PrintFinished(""))
    fl.handle(f.Finish())
    assert fl.handle(f.Finish()) == [f.SessionWiped()]
    assert fl.session.photo is None
    assert p.jpeg == bytearray()  # overwritten and emptied, not only dropped


@pytest.mark.parametrize("reason", ["citizen", "counter", "camera_unavailable"])
def test_skipping_issues_the_ticket_without_a_photo(reason: str) -> None:
    fl = to_photo(make())
    assert fl.handle(f.PhotoSkipped(reason)) == [f.StopPhoto(), f.IssueTicket("cccd_new", "elderly")]
    assert fl.state == State.TICKET
    assert fl.session.photo is None and fl.session.photo_skipped == reason


def test_back_returns_to_the_service_choice_and_stops_the_camera() -> None:
    fl = to_photo(make())
    assert fl.handle(f.Back()) == [f.StopPhoto()]
    assert fl.state == State.SERVICE
    assert fl.handle(f.ServiceChosen("cccd_renew")) == [f.StartPhoto()]


def test_events_of_other_states_are_ignored_in_photo() -> None:
    fl = to_photo(make())
    for event in (f.Confirmed(), f.Finish(), f.TicketIssued("A001"), f.ServiceChosen("vneid")):
        assert fl.handle(event) == []
        assert fl.state == State.PHOTO


def test_photo_events_outside_photo_change_nothing() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    p = photo()
    assert fl.handle(f.PhotoAccepted(p)) == []
    assert fl.handle(f.PhotoSkipped("citizen")) == []
    assert fl.state == State.SERVICE and fl.session.photo is None


def test_holds_personal_data_counts_the_photo() -> None:
    fl = make()
    fl.handle(f.StartWalkIn())
    fl.handle(f.ServiceChosen("cccd_new"))
    assert not fl.session.holds_personal_data()  # a walk-in has nothing personal yet
    fl.handle(f.PhotoAccepted(photo()))
    assert fl.session.holds_personal_data()


def test_idle_warning_then_wipe_in_photo_stops_the_camera() -> None:
    fl = to_photo(make(0))
    assert fl.tick(59.9) == [] and fl.idle_warning_until is None
    assert fl.tick(60.0) == []
    assert fl.idle_warning_remaining == 15.0
    fl.handle(f.UserActivity())
    assert fl.idle_warning_until is None and fl.state == State.PHOTO
    fl.tick(130.0)
    assert fl.tick(145.0) == [f.StopPhoto(), f.SessionWiped()]
    assert fl.state == State.ATTRACT and not fl.session.holds_personal_data()


def test_cancel_and_fault_stop_the_camera_and_wipe_the_photo() -> None:
    fl = to_photo(make())
    assert fl.handle(f.Cancel()) == [f.StopPhoto(), f.SessionWiped()]
    fl = to_photo(make())
    assert fl.handle(f.Fault("camera")) == [f.StopPhoto(), f.SessionWiped()]
    assert fl.state == State.OUT_OF_SERVICE


def test_a_bug_in_photo_ends_out_of_service_with_the_camera_stopped() -> None:
    fl = to_photo(make())
    fl.session.photo = "not a photo"  # type: ignore[assignment]  # wiping it raises
    assert fl.handle(f.PhotoSkipped("citizen")) == [f.StopPhoto(), f.SessionWiped()]
    assert fl.state == State.OUT_OF_SERVICE and fl.fault_reason == "AttributeError"
    assert fl.session.photo is None


def test_card_removal_in_photo_does_not_end_the_session() -> None:
    fl = to_photo(make(0))
    fl.handle(f.CardGone(), now=1)
    fl.tick(50)  # well past the card removal grace (20 s)
    assert fl.state == State.PHOTO


def test_a_second_photo_overwrites_the_first() -> None:
    fl = make()
    first, second = photo(b"first"), photo(b"second")
    fl.session.store_photo(first)
    fl.session.store_photo(second)
    assert fl.session.photo is second and first.jpeg == bytearray()
    fl.session.wipe_photo()
    fl.session.wipe_photo()  # twice is harmless
    assert second.jpeg == bytearray() and fl.session.photo is None


# -- configuration of the photo services --------------------------------------------
def test_default_services_mark_new_card_and_exchange_for_a_photo() -> None:
    cfg = load_config(environ={})
    catalog = ServiceCatalog(cfg["services.list"], cfg["services.priority_groups"])
    assert {s.code for s in catalog.services if s.photo} == {"cccd_new", "cccd_renew"}
    assert cfg["photo.enabled"] is True


def test_services_photo_key_must_be_a_boolean(tmp_path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[services]\nlist = [{ code = "x", prefix = "X", vi = "x", en = "x", photo = "yes" }]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="photo must be true or false"):
        load_config(path, environ={})
    path.write_text('[services]\nlist = [{ code = "x", prefix = "X", vi = "x", en = "x", photo = true },'
                    ' { code = "y", prefix = "Y", vi = "y", en = "y" }]\n', encoding="utf-8")
    cfg = load_config(path, environ={})
    catalog = ServiceCatalog(cfg["services.list"], [])
    assert [(s.code, s.photo) for s in catalog.services] == [("x", True), ("y", False)]


def test_bootstrap_wires_photo_services_only_when_enabled(tmp_path) -> None:
    from kiosk.bootstrap import build
    from kiosk.dispatch import QueueDispatcher

    base = load_config(environ={}).with_overrides(kiosk__data_dir=str(tmp_path))
    off = build(base.with_overrides(photo__enabled=False), QueueDispatcher())
    on = build(base, QueueDispatcher())
    try:
        assert off.flow.photo_services == frozenset()
        assert on.flow.photo_services == {"cccd_new", "cccd_renew"}
        assert on.controller.photo is not None and on.controller.photo.camera is on.devices.camera
    finally:
        off.close()
        on.close()
