"""Integration obstacles as the services keep them: the office's list, an obstacle noted on a
case or a step and overcome, the refusals with their reasons, and the figures per district —
cases, new, overcome, open, median days — with no names (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, CaseObstacle, Office, Staff
from models.enums import ContactTopic
from workflows.engine.errors import InvalidInput, NotFound
from workflows.obstacles import figures, kinds, tags
from workflows.obstacles.kinds import KindIn
from workflows.obstacles.tags import ObstacleIn, ResolveIn

KITA = KindIn(
    code="kita-kein-platz", label="Kein Kita-Platz im Stadtbezirk", area=ContactTopic.KITA
)


def add_kind(office_id: int, data: KindIn = KITA) -> int:
    with unit_of_work() as session:
        return int(kinds.save_kind(session, office_id, data).id)  # type: ignore[arg-type]


def note(case_id: int, kind_id: int, actor_id: int, **values: object) -> int:
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        data = ObstacleIn(kind_id=kind_id, **values)  # type: ignore[arg-type]
        return int(tags.note(session, case, data, actor_id=actor_id, **{}).id)  # type: ignore[arg-type]


def test_the_list_refuses_a_code_twice_and_suggestions_are_added_once(world):
    kind_id = add_kind(world.office_id)
    with unit_of_work() as session:
        with pytest.raises(InvalidInput) as refused:
            kinds.save_kind(session, world.office_id, KITA)
        assert refused.value.errors == {
            "code": "Das Kürzel „kita-kein-platz“ gibt es in diesem Büro schon."
        }
        renamed = KITA.model_copy(update={"label": "  Kein   Kita-Platz  ", "active": False})
        kind = kinds.save_kind(session, world.office_id, renamed, kind_id)
        assert (kind.label, kind.active) == ("Kein Kita-Platz", False)
        added = kinds.add_suggestions(session, world.office_id)
        assert added == len(kinds.SUGGESTIONS) - 1  # kita-kein-platz was there
        assert kinds.add_suggestions(session, world.office_id) == 0
        assert len(kinds.kinds_of(session, world.office_id, active_only=True)) == added
        supervisor, caseworker = (
            session.get(Staff, world.supervisor_id),
            session.get(Staff, world.caseworker_id),
        )
        assert kinds.may_keep(supervisor, world.office_id) and not kinds.may_keep(
            caseworker, world.office_id
        )  # type: ignore[arg-type]


def test_an_obstacle_is_noted_on_a_step_written_in_the_history_and_overcome_once(world):
    """Given the Kita entry, when Lea notes it on the Haddads' registration step with a note,
    then the case's history says so and its version stays; the same open obstacle again is
    refused; overcoming it is recorded once, a second time refused."""
    kind_id = add_kind(world.office_id)
    case_id = world.open_case()
    with unit_of_work() as session:
        version = session.get(Case, case_id).version  # type: ignore[union-attr]
    obstacle_id = note(
        case_id,
        kind_id,
        world.caseworker_id,
        step_kind="registration",
        note="Kita Sonnenschein voll",
    )
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case.version == version  # type: ignore[union-attr]
        event = session.exec(select(CaseEvent).where(CaseEvent.trigger == tags.NOTED)).one()
        step = "(Schritt Anmeldung beim Bürgeramt)"
        assert event.note == f"Kein Kita-Platz im Stadtbezirk {step}: Kita Sonnenschein voll"
        with pytest.raises(InvalidInput, match="schon offen"):
            tags.note(
                session, case, ObstacleIn(kind_id=kind_id, step_kind="registration"), actor_id=None
            )  # type: ignore[arg-type]
        tags.note(session, case, ObstacleIn(kind_id=kind_id), actor_id=None)  # type: ignore[arg-type]  # the whole case: another
        session.rollback()
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        tags.resolve(
            session,
            case,
            obstacle_id,
            ResolveIn(resolution="Platz in der Kita Regenbogen"),
            actor_id=world.caseworker_id,
        )  # type: ignore[arg-type]
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        with pytest.raises(InvalidInput, match="schon als überwunden"):
            tags.resolve(session, case, obstacle_id, ResolveIn(), actor_id=None)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            tags.resolve(session, case, obstacle_id + 99, ResolveIn(), actor_id=None)  # type: ignore[arg-type]
        (noted,) = tags.of_case(session, case_id)
        assert noted.obstacle.resolution == "Platz in der Kita Regenbogen"
        assert noted.step_label == "Anmeldung beim Bürgeramt"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"step_kind": "birth"}, "step_kind", "Diesen Schritt hat der Fall nicht."),
        ({"kind": "inactive"}, "kind_id", "Dieses Hemmnis wird nicht mehr erfasst."),
        ({"kind": "elsewhere"}, "kind_id", "Dieses Hemmnis steht nicht auf der Liste des Büros."),
        ({"closed": True}, "kind_id", "Der Fall ist abgeschlossen."),
    ],
)
def test_a_wrong_obstacle_is_refused_with_its_reason(world, change, field, reason):
    case_id = world.open_case()
    with unit_of_work() as session:
        other = Office(code="huckarde", name="Huckarde", address="Urbanusstr. 5",
                       partner_organisation="AWO", email="h@lokal-willkommen.example",
                       districts=["Huckarde"])  # fmt: skip
        session.add(other)
        session.flush()
        office_id = other.id if change.get("kind") == "elsewhere" else world.office_id
        data = KITA.model_copy(update={"active": change.get("kind") != "inactive"})
        kind = kinds.save_kind(session, office_id, data)  # type: ignore[arg-type]
        case = session.get(Case, case_id)
        if change.get("closed"):
            case.closed_at = utc_now()  # type: ignore[union-attr]
        with pytest.raises(InvalidInput) as refused:
            tags.note(
                session,
                case,
                ObstacleIn(kind_id=kind.id, step_kind=change.get("step_kind")),
                actor_id=None,
            )  # type: ignore[arg-type]
        assert refused.value.errors == {field: reason}
        session.rollback()
    with unit_of_work() as session:
        assert session.exec(select(CaseObstacle)).all() == []


def test_three_cases_held_up_show_as_three_in_their_district_without_names(world):
    """Given the Kita obstacle on three Eving cases (one overcome after 4 days) and on one
    Scharnhorst case noted 40 days ago and still open, when the last three weeks are counted
    (not "this month": on its first days the overcome one was noted the month before), then Eving
    shows 3 cases, 3 new, 1 overcome after a median 4 days, 2 open; Scharnhorst 1 case,
    none new, 1 open; nothing in the figures names a household."""
    kind_id = add_kind(world.office_id)
    now = utc_now()
    eving = [world.open_case(family_name=name) for name in ("Haddad", "Nouri", "Sadiq")]
    scharnhorst = world.open_case(family_name="Osman", district="Scharnhorst", postal_code="44328")
    ids = [note(case_id, kind_id, world.caseworker_id) for case_id in eving]
    old = note(scharnhorst, kind_id, world.caseworker_id)
    today = berlin(now).date()
    first = today - timedelta(days=21)
    with unit_of_work() as session:
        session.get(CaseObstacle, old).noted_at = now - timedelta(days=40)  # type: ignore[union-attr]
        resolved = session.get(CaseObstacle, ids[0])
        resolved.noted_at = now - timedelta(days=4, hours=1)  # type: ignore[union-attr]
        resolved.resolved_at = now - timedelta(hours=1)  # type: ignore[union-attr]
    with unit_of_work() as session:
        counted = figures.count(session, [world.office_id], first, today)
    rows = {row.district: row for row in counted.rows}
    assert set(rows) == {"Eving", "Scharnhorst"}
    row = rows["Eving"]
    assert (row.affected, row.new, row.resolved, row.open, row.median_waited) == (3, 3, 1, 2, 4.0)
    assert (row.label, row.area) == ("Kein Kita-Platz im Stadtbezirk", "kita")
    old_row = rows["Scharnhorst"]
    assert (old_row.affected, old_row.new, old_row.open) == (1, 0, 1)
    assert old_row.median_waiting is not None and old_row.median_waiting >= 40
    shown = repr(counted)
    assert not any(name in shown for name in ("Haddad", "Nouri", "Sadiq", "Osman"))
    with unit_of_work() as session:
        other = figures.count(session, [world.office_id + 1], first, today)
        earlier = figures.count(
            session, [world.office_id], first - timedelta(days=365), first - timedelta(days=60)
        )
    assert other.rows == [] and earlier.rows == []
