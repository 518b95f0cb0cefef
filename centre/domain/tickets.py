"""Ticket states and the transitions between them; ticket numbers.

A ticket is created and waits; a counter calls it (again on recall), serves it and
finishes it. Side states: held (parked by the counter), transferred (passed to another
service or counter; it waits there again), no-show (not come after N calls), cancelled.
Every change is kept with its time in the ticket's history.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from centre.domain.errors import InvalidTransition


class State(str, Enum):
    CREATED = "created"
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    TRANSFERRED = "transferred"
    NO_SHOW = "no_show"
    DONE = "done"
    CANCELLED = "cancelled"


class Action(str, Enum):
    """What a counter (or the system) does to a ticket; each leads to one state."""

    QUEUE = "queue"          # created/transferred -> waiting
    CALL = "call"            # waiting -> called
    RECALL = "recall"        # called -> called (announced again)
    START = "start"          # called -> serving
    HOLD = "hold"            # called/serving -> held
    RESUME = "resume"        # held -> called (back at the counter that held it)
    TRANSFER = "transfer"    # waiting/called/serving/held -> transferred (then queue)
    NO_SHOW = "no_show"      # called -> no_show
    REQUEUE = "requeue"      # no_show -> waiting (the citizen came after all)
    FINISH = "finish"        # serving -> done
    CANCEL = "cancel"        # any open state -> cancelled


FINAL_STATES = frozenset({State.DONE, State.CANCELLED, State.NO_SHOW})
OPEN_STATES = frozenset(set(State) - {State.DONE, State.CANCELLED})

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.QUEUE: (frozenset({State.CREATED, State.TRANSFERRED}), State.WAITING),
    Action.CALL: (frozenset({State.WAITING}), State.CALLED),
    Action.RECALL: (frozenset({State.CALLED}), State.CALLED),
    Action.START: (frozenset({State.CALLED}), State.SERVING),
    Action.HOLD: (frozenset({State.CALLED, State.SERVING}), State.HELD),
    Action.RESUME: (frozenset({State.HELD}), State.CALLED),
    Action.TRANSFER: (frozenset({State.WAITING, State.CALLED, State.SERVING, State.HELD}),
                      State.TRANSFERRED),
    Action.NO_SHOW: (frozenset({State.CALLED}), State.NO_SHOW),
    Action.REQUEUE: (frozenset({State.NO_SHOW}), State.WAITING),
    Action.FINISH: (frozenset({State.SERVING}), State.DONE),
    Action.CANCEL: (frozenset({State.CREATED, State.WAITING, State.CALLED, State.SERVING,
                               State.HELD, State.TRANSFERRED}), State.CANCELLED),
}

# Actions a counter may only take on a ticket it is handling itself.
COUNTER_BOUND = frozenset({Action.RECALL, Action.START, Action.HOLD, Action.RESUME,
                           Action.NO_SHOW, Action.FINISH})


def apply(state: State, action: Action) -> State:
    """The state ``action`` leads to from ``state``; :class:`InvalidTransition` if not allowed."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        allowed = ", ".join(sorted(s.value for s in sources))
        raise InvalidTransition(
            f"cannot {action.value.replace('_', ' ')} a ticket that is {state.value.replace('_', ' ')}"
            f" (only from: {allowed})")
    return target


def check_no_show(calls: int, min_calls: int) -> None:
    """A no-show needs the ticket to have been called ``min_calls`` times (recalls count)."""
    if calls < min_calls:
        raise InvalidTransition(
            f"a ticket can be marked no-show after {min_calls} calls; it has been called {calls} time(s)"
            " — recall it first", code="too_few_calls")


def format_number(prefix: str, seq: int) -> str:
    """``A`` + 12 -> ``A012``; four digits and more when a day runs past 999."""
    return f"{prefix}{seq:03d}"


@dataclass(frozen=True)
class StateChange:
    """One entry of a ticket's history."""

    state: State
    at: float          # epoch seconds
    action: Action | None = None
    counter: int | None = None
    detail: str = ""
