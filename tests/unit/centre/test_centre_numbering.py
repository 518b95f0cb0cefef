"""Daily numbering and offline blocks: never overlapping, restarting at the centre's midnight."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from centre.domain.numbering import (Block, Cursors, allocate_block, allocate_online, local_day,
                                     may_hit_block)

ICT = ZoneInfo("Asia/Ho_Chi_Minh")


def test_online_numbers_jump_over_leased_blocks() -> None:
    c = Cursors(next_online=4, next_offline=500)
    n, c = allocate_online(c, [Block(4, 6), Block(7, 9)])
    assert n == 10 and c.next_online == 11


def test_a_block_starts_above_everything_handed_out() -> None:
    c = Cursors(next_online=600, next_offline=500)   # a busy day ran into the offline zone
    block, c = allocate_block(c, 20)
    assert block == Block(600, 619) and c.next_offline == 620


@given(st.lists(st.one_of(st.just("online"), st.integers(1, 30)), max_size=60),
       st.integers(2, 50))
def test_online_numbers_and_blocks_never_overlap(ops: list, base: int) -> None:
    c = Cursors(1, base)
    blocks: list[Block] = []
    online: list[int] = []
    for op in ops:
        if op == "online":
            n, c = allocate_online(c, blocks)
            online.append(n)
        else:
            b, c = allocate_block(c, op)
            blocks.append(b)
    used = online + [n for b in blocks for n in range(b.lo, b.hi + 1)]
    assert len(used) == len(set(used))
    assert online == sorted(online)


@given(st.lists(st.one_of(st.just("online"), st.integers(1, 30)), max_size=60),
       st.integers(2, 50))
def test_blocks_are_read_only_where_the_online_cursor_can_meet_one(ops: list, base: int) -> None:
    """The store skips reading the leases when ``may_hit_block`` says no: then the next
    online number must be the cursor itself, whatever blocks exist."""
    c = Cursors(1, base)
    blocks: list[Block] = []
    for op in ops:
        if op == "online":
            if not may_hit_block(c, base):
                assert allocate_online(c, blocks)[0] == c.next_online
            n, c = allocate_online(c, blocks)
        else:
            b, c = allocate_block(c, op)
            blocks.append(b)


def test_the_leases_matter_only_between_the_base_and_the_offline_cursor() -> None:
    assert not may_hit_block(Cursors(7, 500), 500)          # below the base, no block yet
    assert not may_hit_block(Cursors(510, 500), 500)        # no block leased yet
    assert may_hit_block(Cursors(505, 520), 500)            # inside the leased stretch
    assert not may_hit_block(Cursors(520, 520), 500)        # above every block


def test_numbering_day_is_the_centres_local_day_across_midnight() -> None:
    before = datetime(2026, 12, 5, 23, 59, 59, tzinfo=ICT).timestamp()
    after = datetime(2026, 12, 6, 0, 0, 0, tzinfo=ICT).timestamp()
    assert local_day(before, ICT).isoformat() == "2026-12-05"
    assert local_day(after, ICT).isoformat() == "2026-12-06"
    # 17:00 UTC is already the next day in Vietnam (UTC+7)
    assert local_day(datetime(2026, 12, 5, 17, 0, tzinfo=ZoneInfo("UTC")).timestamp(), ICT).day == 6
