"""Property tests: random and mutated input to every parser raises only typed errors."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hardware.emrtd import ChipError
from hardware.emrtd.dg2 import parse_dg2
from hardware.emrtd.dg13 import parse_dg13
from hardware.emrtd.lds import parse_com
from hardware.emrtd.mrz import parse_dg1
from hardware.emrtd.passive_auth import verify_passive
from hardware.emrtd.security_infos import parse_card_access, parse_dg14, parse_dg15
from hardware.emrtd.sod import parse_sod
from hardware.emrtd.tlv import encode, parse, parse_all

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _sod_and_verify(data: bytes) -> object:
    return verify_passive(parse_sod(data), {1: b"x"})


PARSERS: dict[int, Callable[[bytes], object]] = {
    0x011E: parse_com, 0x0101: parse_dg1, 0x0102: parse_dg2, 0x010D: parse_dg13,
    0x010E: parse_dg14, 0x010F: parse_dg15, 0x011D: _sod_and_verify, 0x011C: parse_card_access,
}


def _only_typed(parser: Callable[[bytes], object], data: bytes) -> None:
    try:
        parser(data)
    except ChipError:
        pass


@SETTINGS
@given(st.binary(max_size=300))
def test_tlv_random_bytes(data: bytes) -> None:
    _only_typed(parse_all, data)
    _only_typed(parse, data)


@SETTINGS
@given(st.recursive(st.binary(max_size=20).map(lambda v: encode(0x04, v)),
                    lambda inner: st.lists(inner, max_size=4).map(lambda xs: encode(0x30, b"".join(xs))),
                    max_leaves=30))
def test_tlv_valid_trees_roundtrip(data: bytes) -> None:
    assert parse(data).raw == data


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("length"), st.integers(0, 10**6), st.sampled_from([0x80, 0x84, 0x85, 0xFF, 0x00, 0x7F])),
)


def _mutate(data: bytes, steps: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, value in steps:
        if not buf:
            break
        pos %= len(buf)
        if kind == "flip":
            buf[pos] ^= value
        elif kind == "cut":
            del buf[pos:]
        elif kind == "insert":
            buf.insert(pos, value)
        else:
            buf[pos] = value
    return bytes(buf)


@pytest.mark.parametrize("fid", sorted(PARSERS))
def test_parsers_accept_their_own_files(small_profile, fid: int) -> None:
    PARSERS[fid](small_profile.files[fid])  # the unmutated file parses


@pytest.mark.parametrize("fid", sorted(PARSERS))
@SETTINGS
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_files_raise_only_typed_errors(small_profile, fid: int, steps) -> None:
    _only_typed(PARSERS[fid], _mutate(small_profile.files[fid], steps))


@pytest.mark.parametrize("fid", sorted(PARSERS))
@SETTINGS
@given(data=st.binary(max_size=200))
def test_random_files_raise_only_typed_errors(fid: int, data: bytes) -> None:
    _only_typed(PARSERS[fid], data)


@SETTINGS
@given(apdus=st.lists(st.binary(min_size=0, max_size=40), max_size=6))
def test_virtual_chip_answers_any_bytes_with_a_status_word(small_profile, apdus) -> None:
    from hardware.emrtd.virtual import VirtualChip

    chip = VirtualChip(small_profile)
    for apdu in apdus:
        response = chip.process(apdu)
        assert len(response) >= 2


class _CorruptingTransport:
    """Flips one byte of the n-th response: a noisy link or a misbehaving card."""

    def __init__(self, chip, index: int, position: int, xor: int) -> None:
        self.chip, self.index, self.position, self.xor, self.count = chip, index, position, xor, 0

    def transmit(self, apdu: bytes) -> bytes:
        response = bytearray(self.chip.process(apdu))
        if self.count == self.index:
            response[self.position % len(response)] ^= self.xor
        self.count += 1
        return bytes(response)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 45), position=st.integers(0, 300), xor=st.integers(1, 255))
def test_read_with_a_corrupted_response_raises_only_typed_errors(small_profile, index, position, xor) -> None:
    from hardware.emrtd import AccessKey, read_document
    from hardware.emrtd.virtual import VirtualChip

    transport = _CorruptingTransport(VirtualChip(small_profile), index, position, xor)
    try:
        doc = read_document(transport, AccessKey.from_can("047064"))
    except ChipError:
        return
    # A flipped bit that did not stop the read must not have gone unnoticed in the data.
    assert doc.passive_auth is not None and not doc.passive_auth.failed


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
                max_size=30).filter(lambda s: s.strip() == s and s)


@SETTINGS
@given(values=st.dictionaries(st.sampled_from([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16]), _text, max_size=12),
       father=st.none() | _text, mother=st.none() | _text, nesting=st.sampled_from(["flat", "nested"]))
def test_dg13_roundtrip_of_generated_records(values, father, mother, nesting) -> None:
    import unicodedata

    from hardware.emrtd.dg13 import encode_dg13, parse_dg13

    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731
    dg13 = parse_dg13(encode_dg13(values, father=father, mother=mother, parents_nesting=nesting))
    assert {n: dg13.get(n) for n in values} == {n: nfc(v).strip() or None for n, v in values.items()}
    has_parents = father is not None or mother is not None
    assert dg13.father_name == (nfc(father).strip() or None if father and has_parents else None)
    assert dg13.mother_name == (nfc(mother).strip() or None if mother and has_parents else None)
