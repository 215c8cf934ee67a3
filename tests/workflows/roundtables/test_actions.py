"""The round-table action workflow — a second workflow on the engine, with its own definition
file and registry: what becomes of an action (done, postponed, dropped, reopened), judged by
its table, written with a history entry, refused in words staff understand with nothing
written; a postponed or reopened action's owner is reminded again (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import RoundTable, RoundTableItem, RoundTableItemEvent
from tests.workflows.roundtables.conftest import held_earlier, plan
from workflows.definitions.loading import DefinitionInvalid, read_lifecycle
from workflows.engine.errors import InvalidInput
from workflows.roundtables import actions, items
from workflows.roundtables.items import ItemIn

TODAY = berlin(utc_now()).date()


def _action(world, contact_id, due: int = -2) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    meeting_id = plan(world)
    held_earlier(meeting_id, 30)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        data = ItemIn(kind="action", text="Gespräch mit dem Jugendamt",
                      owner_contact_id=contact_id, due_on=TODAY + timedelta(days=due))  # fmt: skip
        return meeting_id, int(items.add(session, meeting, data).id)  # type: ignore[arg-type]


def _act(meeting_id: int, item_id: int, trigger: str, world, **inputs):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        return actions.act(
            session, [meeting_id], item_id, trigger, actor_id=world.supervisor_id, **inputs
        )


def _state(item_id: int) -> tuple[RoundTableItem, list[tuple[str, str, str, str | None]]]:
    with unit_of_work() as session:
        item = session.get(RoundTableItem, item_id)
        query = select(RoundTableItemEvent).where(RoundTableItemEvent.item_id == item_id)
        events = [
            (e.trigger, e.from_state, e.to_state, e.note)
            for e in session.exec(query.order_by(col(RoundTableItemEvent.id)))
        ]
        session.expunge_all()
        return item, events  # type: ignore[return-value]


# The table, row by row: from which state each change leads where (None: not offered).
TABLE = [
    ("open", "complete", {}, "done"),
    ("open", "postpone", {"on": TODAY + timedelta(days=14)}, "open"),
    ("open", "drop", {"note": "Das Jugendamt kommt selbst"}, "dropped"),
    ("open", "reopen", {"note": "noch einmal"}, None),
    ("done", "reopen", {"note": "Doch nicht geklärt"}, "open"),
    ("done", "complete", {}, None),
    ("done", "drop", {"note": "egal"}, None),
    ("dropped", "reopen", {"note": "Das Jugendamt kam nicht"}, "open"),
    ("dropped", "postpone", {"on": TODAY + timedelta(days=3)}, None),
]


@pytest.mark.parametrize(("start", "trigger", "inputs", "end"), TABLE)
def test_each_change_follows_the_definitions_table(world, contact_id, start, trigger, inputs, end):
    meeting_id, item_id = _action(world, contact_id)
    if start == "done":
        _act(meeting_id, item_id, "complete", world)
    elif start == "dropped":
        _act(meeting_id, item_id, "drop", world, note="vorerst nicht")
    before = _state(item_id)[1]
    if end is None:
        with pytest.raises(InvalidInput, match="Diese Aufgabe ist schon"):
            _act(meeting_id, item_id, trigger, world, **inputs)
        assert _state(item_id)[1] == before  # nothing written
        return
    _act(meeting_id, item_id, trigger, world, **inputs)
    item, events = _state(item_id)
    assert item.state == end
    assert events[-1][:3] == (trigger, start, end)


def test_done_postponed_and_reopened_actions_keep_their_history_and_remind_again(world, contact_id):
    """Given an overdue action whose owner was reminded, when it is postponed two weeks, then
    it is no longer overdue and will be reminded again once the new date passes; done, it
    leaves the open list; reopened with a reason, it is back, with every change recorded."""
    meeting_id, item_id = _action(world, contact_id)
    now = utc_now()
    with unit_of_work() as session:
        assert items.overdue(session, TODAY, now) == [item_id]
        assert items.claim(session, item_id, now)
        items.settle(session, item_id, now, sent=True)
        assert items.overdue(session, TODAY, now) == []  # reminded once

    later = TODAY + timedelta(days=14)
    _act(meeting_id, item_id, "postpone", world, on=later, note="Termin erst im Dezember")
    with unit_of_work() as session:
        item = session.get(RoundTableItem, item_id)
        assert (item.due_on, item.reminded_at) == (later, None)  # type: ignore[union-attr]
        assert items.overdue(session, later + timedelta(days=1), now) == [item_id]  # again

    _act(meeting_id, item_id, "complete", world)
    following = plan(world, starts_at=(utc_now() + timedelta(days=20)).replace(microsecond=0))
    with unit_of_work() as session:
        assert items.still_open(session, session.get(RoundTable, following)) == []  # type: ignore[arg-type]
        assert items.overdue(session, later + timedelta(days=1), now) == []
    _act(meeting_id, item_id, "reopen", world, note="Der Termin ist ausgefallen")
    item, events = _state(item_id)
    assert item.state == "open" and item.done_at is None
    assert events == [
        ("postpone", "open", "open", "Termin erst im Dezember"),
        ("complete", "open", "done", None),
        ("reopen", "done", "open", "Der Termin ist ausgefallen"),
    ]


@pytest.mark.parametrize(
    ("trigger", "inputs", "field", "reason"),
    [
        ("drop", {}, "note", "Bitte einen Grund angeben"),
        ("drop", {"note": "  "}, "note", "Bitte einen Grund angeben"),
        ("postpone", {}, "on", "Bitte das neue Datum angeben."),
        ("postpone", {"on": TODAY}, "on", "Das neue Datum muss nach heute liegen."),
        ("postpone", {"on": TODAY - timedelta(days=5)}, "on", "nach heute"),
        ("fly_away", {}, "trigger", "gibt es für Aufgaben nicht"),
        ("drop", {"note": "x" * 501}, "note", "Höchstens 500 Zeichen."),
        ("drop", {"note": "Grund\x00"}, "note", "Steuerzeichen"),
    ],
)
def test_a_change_its_guards_refuse_says_why_and_writes_nothing(
    world, contact_id, trigger, inputs, field, reason
):
    meeting_id, item_id = _action(world, contact_id)
    with pytest.raises(InvalidInput) as refused:
        _act(meeting_id, item_id, trigger, world, **inputs)
    assert reason in refused.value.errors[field]
    item, events = _state(item_id)
    assert (item.state, events) == ("open", [])


def test_a_decision_has_no_lifecycle_and_another_offices_action_is_not_found(world, contact_id):
    meeting_id, item_id = _action(world, contact_id)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        decision = items.add(session, meeting, ItemIn(kind="decision", text="Kita-Sprechstunde"))  # type: ignore[arg-type]
        assert actions.options(decision, meeting) == []  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="Ein Beschluss"):
        _act(meeting_id, int(decision.id), "complete", world)  # type: ignore[arg-type]
    with unit_of_work() as session, pytest.raises(items.ItemNotFound):
        actions.act(session, [], item_id, "complete", actor_id=world.supervisor_id)


def test_the_buttons_come_from_the_definition(world, contact_id):
    """Given an open action, then its buttons are the definition's labels for the changes
    offered in its state; reopening a dropped action of a cancelled meeting is refused."""
    meeting_id, item_id = _action(world, contact_id)
    with unit_of_work() as session:
        item, meeting = session.get(RoundTableItem, item_id), session.get(RoundTable, meeting_id)
        offered = [(o.label, o.needs_input) for o in actions.options(item, meeting)]  # type: ignore[arg-type]
    assert offered == [
        ("erledigt", ()),
        ("verschieben (neues Datum)", ("on",)),
        ("verwerfen (mit Grund)", ("note",)),
    ]
    _act(meeting_id, item_id, "drop", world, note="Kein Bedarf mehr")
    with unit_of_work() as session:
        session.get(RoundTable, meeting_id).status = "cancelled"  # type: ignore[union-attr]
    with unit_of_work() as session:
        item, meeting = session.get(RoundTableItem, item_id), session.get(RoundTable, meeting_id)
        (reopen,) = actions.options(item, meeting)  # type: ignore[arg-type]
    assert (reopen.allowed, reopen.reason) == (False, "Der Runde Tisch wurde abgesagt.")


def test_a_broken_action_definition_is_refused_with_every_problem():
    text = (actions.DEFINITIONS / "round_table_action.v1.toml").read_text("utf-8")
    broken = text.replace('dest = "dropped"', 'dest = "vanished"').replace(
        'conditions = ["has_reason"]', 'conditions = ["is_friday"]'
    )
    with pytest.raises(DefinitionInvalid) as refused:
        read_lifecycle(broken, actions.REGISTRY, "broken.toml")
    assert [str(p) for p in refused.value.problems] == [
        "lifecycle.transitions[2].dest: unbekannter Zustand „vanished“",
        "lifecycle.transitions[2].conditions[0]: unbekannte Bedingung „is_friday“",
    ]


def test_an_action_keeps_the_version_of_its_workflow_it_was_agreed_under(world, contact_id):
    """Given an action agreed under version 1, when a version 2 (dropping needs no reason any
    more) is installed, then a new action is agreed under version 2 and is dropped without a
    reason, while the older one still follows version 1."""
    from workflows.engine import records

    text = (actions.DEFINITIONS / "round_table_action.v1.toml").read_text("utf-8")
    v2_text = text.replace("version = 1", "version = 2", 1).replace(
        'dest = "dropped"\nconditions = ["has_reason"]\nlabel = "verwerfen (mit Grund)"',
        'dest = "dropped"\nlabel = "verwerfen"',
    )
    meeting_id, older = _action(world, contact_id)
    v2 = records.register_record(read_lifecycle(v2_text, actions.REGISTRY, "v2.toml"))
    try:
        with unit_of_work() as session:
            meeting = session.get(RoundTable, meeting_id)
            due = TODAY + timedelta(days=7)
            data = ItemIn(kind="action", text="Flyer", owner_contact_id=contact_id, due_on=due)
            newer = int(items.add(session, meeting, data).id)  # type: ignore[arg-type]
        _act(meeting_id, newer, "drop", world)
        with pytest.raises(InvalidInput, match="Bitte einen Grund angeben"):
            _act(meeting_id, older, "drop", world)
        assert (_state(newer)[0].workflow_version, _state(newer)[0].state) == (2, "dropped")
        assert _state(older)[0].workflow_version == 1
    finally:
        records._RECORDS.pop((v2.name, v2.version), None)
