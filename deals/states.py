"""The deal state machine as one table: (action, from state) -> to state, and who may act.

    draft --submit--> submitted --approve--> approved --win--> won
                                 --reject--> rejected   --lose--> lost
                                                        --expire--> expired (beat task)
    approved --extend--> approved, submitted|approved --transfer--> same state (staff)

Anything not in the table is an INVALID_TRANSITION error; services/deals.py applies the table
to a locked row and logs every step in DealTransition.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from deals.models import Deal
from mall.errors import DomainError

S = Deal.State

DEALER, STAFF, SYSTEM = "dealer", "staff", "system"


@dataclass(frozen=True)
class Step:
    to_state: str
    actors: frozenset[str]


TRANSITIONS: dict[tuple[str, str], Step] = {
    ("submit", S.DRAFT): Step(S.SUBMITTED, frozenset({DEALER})),
    ("approve", S.SUBMITTED): Step(S.APPROVED, frozenset({STAFF})),
    ("reject", S.SUBMITTED): Step(S.REJECTED, frozenset({STAFF})),
    ("win", S.APPROVED): Step(S.WON, frozenset({DEALER, STAFF})),
    ("lose", S.APPROVED): Step(S.LOST, frozenset({DEALER, STAFF})),
    ("expire", S.APPROVED): Step(S.EXPIRED, frozenset({SYSTEM})),
    ("extend", S.APPROVED): Step(S.APPROVED, frozenset({STAFF})),
    ("transfer", S.SUBMITTED): Step(S.SUBMITTED, frozenset({STAFF})),
    ("transfer", S.APPROVED): Step(S.APPROVED, frozenset({STAFF})),
}

# States in which a deal claims its prospect: the duplicate check compares against these.
CLAIMING_STATES = (S.SUBMITTED, S.APPROVED)
# States in which the dealer may still edit what it registered.
EDITABLE_STATES = (S.DRAFT,)


def next_state(action: str, current: str, actor: str) -> str:
    """The state `action` leads to from `current`, or a typed INVALID_TRANSITION error."""
    step = TRANSITIONS.get((action, current))
    if step is None or actor not in step.actors:
        label = dict(Deal.State.choices).get(current, current)
        raise DomainError.single("state", "INVALID_TRANSITION", gettext("A deal that is %(label)s cannot be %(action)s.") % {"label": label.lower(), "action": _past(action)})
    return step.to_state


def allowed_actions(current: str, actor: str) -> list[str]:
    return [action for (action, state), step in TRANSITIONS.items() if state == current and actor in step.actors]


def _past(action: str) -> str:
    return {
        "submit": "submitted",
        "approve": "approved",
        "reject": "rejected",
        "win": "marked won",
        "lose": "marked lost",
        "expire": "expired",
        "extend": "extended",
        "transfer": "transferred",
    }.get(action, action)
