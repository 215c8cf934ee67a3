"""The round-table action workflow: what becomes of an action agreed at a round table — done,
postponed to a new date, dropped with a reason, reopened with a reason.

A second workflow on the same engine as the move-in case: its states, transitions and labels
are data (``definitions/round_table_action.v<N>.toml``), its guards and effects the Python
functions named here, judged by ``workflows.engine.records``. Each change is written in the
caller's transaction with a history entry (who, when, from where to where, why); an action
keeps the version it was agreed under. The page's buttons are drawn from the definition.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from transitions import EventData

from core import limits
from core.clock import berlin, utc_now
from models import RoundTable, RoundTableItem, RoundTableItemEvent
from workflows.definitions.loading import Registry, read_lifecycle
from workflows.engine import records
from workflows.engine.definition import Guard, Subject
from workflows.engine.errors import (
    GuardFailed,
    InvalidInput,
    TransitionNotAllowed,
    UnknownTrigger,
)
from workflows.engine.judging import TriggerOption
from workflows.engine.records import RecordWorkflow
from workflows.roundtables.items import ACTION, ACTION_WORKFLOW, ItemNotFound
from workflows.roundtables.meetings import CANCELLED

NAME = ACTION_WORKFLOW
OPEN, DONE, DROPPED = "open", "done", "dropped"
REASON_LENGTH = 500  # as the history keeps it


@dataclass(frozen=True)
class ActionFacts:
    """What the guards may know: the action, its meeting, the office's calendar day."""

    item: RoundTableItem
    meeting: RoundTable
    today: date


def _has_reason(_subject: Subject, params: Mapping[str, Any]) -> str | None:
    note = (params.get("note") or "").strip()
    return None if len(note) >= 3 else "Bitte einen Grund angeben (mindestens drei Zeichen)."


def _new_date_ahead(subject: Subject, params: Mapping[str, Any]) -> str | None:
    on = params.get("on")
    if on is None:
        return "Bitte das neue Datum angeben."
    return None if on > subject.facts.today else "Das neue Datum muss nach heute liegen."


def _meeting_not_cancelled(subject: Subject, _params: Mapping[str, Any]) -> str | None:
    return "Der Runde Tisch wurde abgesagt." if subject.facts.meeting.status == CANCELLED else None


# Effects are the fields a change sets on the action; NOW is the change's moment.
NOW = object()


def _stamp_done(subject: Subject, _event: EventData) -> None:
    subject.effects.append({"done_at": NOW})


def _clear_done(subject: Subject, _event: EventData) -> None:
    # Open again: its owner is reminded again once its date has passed.
    subject.effects.append({"done_at": None, "reminder_claimed_at": None, "reminded_at": None})


def _move_date(subject: Subject, event: EventData) -> None:
    subject.effects.append(
        {"due_on": event.kwargs["on"], "reminder_claimed_at": None, "reminded_at": None}
    )


REGISTRY = Registry(
    guards={
        "has_reason": Guard("has_reason", _has_reason, needs_input="note"),
        "new_date_ahead": Guard("new_date_ahead", _new_date_ahead, needs_input="on"),
        "meeting_not_cancelled": Guard("meeting_not_cancelled", _meeting_not_cancelled),
    },
    builders={"stamp_done": _stamp_done, "clear_done": _clear_done, "move_date": _move_date},
    applies={},
    at_intake={},
)
DEFINITIONS = Path(__file__).parent / "definitions"
FILES = sorted(DEFINITIONS.glob(f"{NAME}.v*.toml"))
if not FILES:  # an install without its data files (package-data in pyproject.toml)
    raise RuntimeError(f"no definition of the round-table action workflow in {DEFINITIONS}")
VERSIONS = {
    w.version: records.register_record(w)
    for w in (read_lifecycle(p.read_text("utf-8"), REGISTRY, p.name) for p in FILES)
}
CURRENT: RecordWorkflow = VERSIONS[max(VERSIONS)]


def workflow_of(item: RoundTableItem) -> RecordWorkflow:
    return records.get_record_workflow(NAME, item.workflow_version)


def options(
    item: RoundTableItem, meeting: RoundTable, now: datetime | None = None
) -> list[TriggerOption]:
    """The action's buttons, from its definition; none for a decision."""
    if item.kind != ACTION:
        return []
    facts = ActionFacts(item, meeting, berlin(now or utc_now()).date())
    return records.options(workflow_of(item), item.state, facts)


def act(
    session: Session, meeting_ids: list[int], item_id: int, trigger: str, *,
    actor_id: int | None, note: str | None = None, on: date | None = None,
    now: datetime | None = None,
) -> RoundTableItem:  # fmt: skip
    """Change an action (of one of these meetings: the office's) as its workflow allows, with
    a history entry; refused in words staff understand, nothing written."""
    if note is not None and len(note) > REASON_LENGTH:
        raise InvalidInput({"note": f"Höchstens {REASON_LENGTH} Zeichen."})
    if note is not None and not limits.single_line(note):
        raise InvalidInput({"note": "Bitte ohne Zeilenumbrüche und Steuerzeichen."})
    item = session.exec(
        select(RoundTableItem).where(col(RoundTableItem.id) == item_id).with_for_update()
        .execution_options(populate_existing=True)
    ).first()  # fmt: skip
    if item is None or item.round_table_id not in meeting_ids:
        raise ItemNotFound
    if item.kind != ACTION:
        raise InvalidInput({"item_id": "Ein Beschluss hat keinen Verlauf; nur Aufgaben."})
    meeting = session.get(RoundTable, item.round_table_id)
    assert meeting is not None  # the foreign key
    now = now or utc_now()
    workflow = workflow_of(item)
    facts = ActionFacts(item, meeting, berlin(now).date())
    try:
        subject = records.judge(workflow, item.state, facts, trigger, {"note": note, "on": on})
    except GuardFailed as exc:
        field = workflow.lifecycle.guards[exc.guard].needs_input or "trigger"
        raise InvalidInput({field: exc.reason}) from None
    except UnknownTrigger:
        raise InvalidInput({"trigger": "Diese Änderung gibt es für Aufgaben nicht."}) from None
    except TransitionNotAllowed:
        possible = [o.label for o in records.options(workflow, item.state, facts) if o.allowed]
        raise InvalidInput({
            "trigger": f"Diese Aufgabe ist schon {workflow.state_label(item.state)}; möglich: "
            + (", ".join(possible) or "nichts") + ".",
        }) from None  # fmt: skip
    for effect in subject.effects:
        for name, value in effect.items():
            setattr(item, name, now if value is NOW else value)
    session.add(
        RoundTableItemEvent(
            item_id=item_id, trigger=trigger, from_state=item.state, to_state=subject.state,
            note=(note or "").strip() or None, due_on=on if trigger == "postpone" else None,
            actor_id=actor_id, at=now,
        )
    )  # fmt: skip
    item.state = subject.state
    session.add(item)
    session.flush()
    return item


def done(
    session: Session, meeting_ids: list[int], item_id: int, *, actor_id: int | None = None,
    now: datetime | None = None,
) -> RoundTableItem:  # fmt: skip
    """Mark an action done."""
    return act(session, meeting_ids, item_id, "complete", actor_id=actor_id, now=now)


def history(session: Session, item_ids: list[int]) -> dict[int, list[RoundTableItemEvent]]:
    """Each action's changes, oldest first."""
    found: dict[int, list[RoundTableItemEvent]] = {i: [] for i in item_ids}
    query = select(RoundTableItemEvent).where(col(RoundTableItemEvent.item_id).in_(item_ids))
    for event in session.exec(query.order_by(col(RoundTableItemEvent.id))):
        found[event.item_id].append(event)
    return found
