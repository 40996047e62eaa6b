"""Moving a plan through its state machine: typed errors for illegal moves, a log row for legal ones."""

from django.utils.translation import gettext
from django_fsm import TransitionNotAllowed, can_proceed

from expenses.models import ActivityPlan, PlanTransition
from mall.errors import DomainError


def locked_plan(plan_id) -> ActivityPlan:
    """The plan row, locked until the end of the caller's transaction, or PLAN_NOT_FOUND."""
    plan = ActivityPlan.objects.select_for_update().filter(pk=plan_id).select_related("fund").first()
    if plan is None:
        raise DomainError.single("plan", "PLAN_NOT_FOUND", gettext("No such activity plan."))
    return plan


def require(plan: ActivityPlan, name: str) -> None:
    """Raise INVALID_TRANSITION unless transition `name` is allowed from the plan's state."""
    if not can_proceed(getattr(plan, name)):
        raise _illegal(plan, name)


def _illegal(plan: ActivityPlan, name: str) -> DomainError:
    return DomainError.single(
        "plan",
        "INVALID_TRANSITION",
        gettext("This plan is %(plan)s: it cannot be %(name)s now.") % {"plan": plan.get_state_display().lower(), "name": _verb(name)},
    )


def move(plan: ActivityPlan, name: str, *, by, note: str = "", update_fields=()) -> PlanTransition:
    """Run transition `name` on a locked plan, save it and log who did it.

    An illegal transition (e.g. paying a plan that was never approved) is a DomainError with
    code INVALID_TRANSITION naming the current state; nothing is written."""
    before = plan.state
    try:
        getattr(plan, name)()
    except TransitionNotAllowed:
        raise _illegal(plan, name) from None
    plan.save(update_fields=["state", "updated_at", *update_fields])
    return PlanTransition.objects.create(plan=plan, name=name, from_state=before, to_state=plan.state, by=by, note=note[:500])


def log_step(plan: ActivityPlan, name: str, *, by, note: str = "") -> PlanTransition:
    """Log an action that keeps the state (an approval step before the last)."""
    return PlanTransition.objects.create(plan=plan, name=name, from_state=plan.state, to_state=plan.state, by=by, note=note[:500])


_VERBS = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "cancel": "cancelled",
    "claim": "claimed",
    "return_claim": "returned for more proof",
    "pass_audit": "audited",
    "reject_claim": "rejected as a claim",
    "write_off": "written off",
}


def _verb(name: str) -> str:
    return _VERBS.get(name, name.replace("_", " "))
