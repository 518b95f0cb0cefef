"""Ticket state machine: every (state, action) pair is either the documented transition
or rejected with InvalidTransition."""
from __future__ import annotations

import pytest

from centre.domain.errors import InvalidTransition
from centre.domain.tickets import Action, State, apply, check_no_show, format_number

EXPECTED = {
    (State.CREATED, Action.QUEUE): State.WAITING,
    (State.TRANSFERRED, Action.QUEUE): State.WAITING,
    (State.WAITING, Action.CALL): State.CALLED,
    (State.CALLED, Action.RECALL): State.CALLED,
    (State.CALLED, Action.START): State.SERVING,
    (State.CALLED, Action.HOLD): State.HELD,
    (State.SERVING, Action.HOLD): State.HELD,
    (State.HELD, Action.RESUME): State.CALLED,
    (State.WAITING, Action.TRANSFER): State.TRANSFERRED,
    (State.CALLED, Action.TRANSFER): State.TRANSFERRED,
    (State.SERVING, Action.TRANSFER): State.TRANSFERRED,
    (State.HELD, Action.TRANSFER): State.TRANSFERRED,
    (State.CALLED, Action.NO_SHOW): State.NO_SHOW,
    (State.NO_SHOW, Action.REQUEUE): State.WAITING,
    (State.SERVING, Action.FINISH): State.DONE,
    **{(s, Action.CANCEL): State.CANCELLED for s in (State.CREATED, State.WAITING, State.CALLED,
                                                     State.SERVING, State.HELD, State.TRANSFERRED)},
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_transition_is_allowed_or_rejected(state: State, action: Action) -> None:
    if (state, action) in EXPECTED:
        assert apply(state, action) is EXPECTED[(state, action)]
    else:
        with pytest.raises(InvalidTransition) as err:
            apply(state, action)
        assert state.value.replace("_", " ") in str(err.value)


def test_final_states_allow_nothing_but_requeue_of_a_no_show() -> None:
    for final in (State.DONE, State.CANCELLED):
        for action in Action:
            with pytest.raises(InvalidTransition):
                apply(final, action)


def test_no_show_needs_the_configured_number_of_calls() -> None:
    with pytest.raises(InvalidTransition) as err:
        check_no_show(1, 2)
    assert err.value.code == "too_few_calls"
    check_no_show(2, 2)
    check_no_show(3, 2)


def test_number_format() -> None:
    assert format_number("A", 12) == "A012"
    assert format_number("B", 1) == "B001"
    assert format_number("AB", 1234) == "AB1234"
