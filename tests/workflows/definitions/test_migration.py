"""A version 2 of the move-in workflow moves running cases safely: the dry run lists per case
from which state to which, the new step, the changed reminders and the cases that cannot move
and why, and writes nothing; the run moves each movable case in its own transaction with a
history entry, opens the new step where it applies, plans the changed reminder again, and leaves
a closed case, a case in handover and a case with a step version 2 dropped on version 1, still
working (SQLite and PostgreSQL).

Version 2 here is a test's: it adds an integration-course step, reminds the household of the
energy contract 10 days ahead instead of 7, and drops the transit ticket."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from core.db import unit_of_work
from models import Case, CaseEvent, CaseStep, Office, Reminder
from models.enums import PENDING_REMINDER_STATUSES, ReminderKind
from workflows.definitions import loading, migration
from workflows.engine import advance
from workflows.engine.definition import _REGISTRY, Workflow, register
from workflows.move_in.effects import MoveDue
from workflows.move_in.registry import REGISTRY
from workflows.move_in.versions import FILES

V2 = (
    FILES[0].read_text(encoding="utf-8")
    .replace("version = 1\n", "version = 2\n", 1)
    .replace('reminders = [{ days_before = 7, message = "step_reminder" }]',
             'reminders = [{ days_before = 10, message = "step_reminder" }]', 1)
    .replace('''[[steps]]
kind = "transit_ticket"''', '''[[steps]]
kind = "language_course"
label = "Integrationskurs"
partner_category = "language_course"
applies = "adult_able_to_work"
opened_at_intake = "when_it_applies"
opens_when_it_applies = true
due = { days = 42, counted_from = "opening" }

[[unused]]
kind = "transit_ticket"''', 1)
)  # fmt: skip
# The transit ticket's entry, renamed above, is cut out whole: version 2 has no such step.
V2 = V2[: V2.index("[[unused]]")] + V2[V2.index("[[steps]]", V2.index("[[unused]]")) :]


@pytest.fixture
def version_2() -> Iterator[Workflow]:
    _spec, workflow = loading.read(V2, REGISTRY, "move_in.v2.toml")
    register(workflow)
    yield workflow
    _REGISTRY.pop((workflow.name, workflow.version), None)


def pending(case_id: int, kind: ReminderKind) -> list[Reminder]:
    with unit_of_work() as session:
        query = select(Reminder).where(
            Reminder.case_id == case_id,
            Reminder.kind == kind,
            Reminder.status.in_(PENDING_REMINDER_STATUSES),  # type: ignore[attr-defined]
        )
        return list(session.exec(query))


def cases_in_every_situation(world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    adult = {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02",
             "is_contact": True, "able_to_work": True}  # fmt: skip
    cases = {
        "new": world.open_case(family_name="Nouri", members=[adult]),
        "ticket": world.open_case(family_name="Sadiq", requested_steps=["transit_ticket"]),
        "closed": world.open_case(family_name="Osman"),
        "handover": world.open_case(family_name="Bakr"),
    }
    with unit_of_work() as session:
        other = Office(code="hoerde", name="Hörde/Hombruch", address="Hermannstr. 74",
                       partner_organisation="AWO", email="h@x.example",
                       districts=["Hörde"])  # fmt: skip
        session.add(other)
        session.flush()
        session.get(Case, cases["handover"]).transfer_to_office_id = other.id  # type: ignore[union-attr]
    with unit_of_work() as session:
        advance(session, cases["closed"], "close_case", actor_id=world.caseworker_id,
                note="Familie ist weggezogen")  # fmt: skip
    return cases


def test_the_dry_run_lists_every_case_and_changes_nothing(world, version_2):
    cases = cases_in_every_situation(world)
    with unit_of_work() as session:
        plans = {p.case_id: p for p in migration.dry_run(session, version_2)}
        versions = {c.id: (c.workflow_version, c.version) for c in session.exec(select(Case))}
    new = plans[cases["new"]]
    assert (new.moves, new.from_state, new.to_state) == (True, "intake", "intake")
    assert new.opens == ["language_course"]
    assert new.reminders == ["Strom- und Gasvertrag: Erinnerung 7 → 10 Tage vor der Frist"]
    assert (
        plans[cases["ticket"]].refused
    ) == "der offene Schritt „ÖPNV-Ticket (Sozialticket)“ fehlt in Version 2"
    assert plans[cases["closed"]].refused == "abgeschlossen: bleibt, wie er ist"
    assert "in Übergabe" in plans[cases["handover"]].refused  # type: ignore[operator]
    lines = list(migration.describe(new, version_2))
    assert lines[0].endswith("Version 1 → 2, Zustand intake")
    assert "  neuer Schritt: Integrationskurs (öffnet, wenn er zutrifft)" in lines
    assert all(v == (1, versions[c][1]) for c, v in versions.items())  # nothing written


def test_the_run_moves_each_movable_case_and_leaves_the_others_working(world, version_2):
    cases = cases_in_every_situation(world)
    energy_before = {r.step_id: r.due_at for r in pending(cases["new"], ReminderKind.STEP_REMINDER)}
    done = migration.run(
        version_2, actor_id=world.supervisor_id, reschedule=lambda kind, due: MoveDue(kind, due)
    )
    assert {p.case_id for p in done if p.moves} == {cases["new"]}
    with unit_of_work() as session:
        versions = {c.id: c.workflow_version for c in session.exec(select(Case))}
        steps = {
            s.kind: s
            for s in session.exec(select(CaseStep).where(CaseStep.case_id == cases["new"]))
        }
        entry = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_id == cases["new"], CaseEvent.trigger == migration.MIGRATE
            )
        ).one()
    assert versions == {
        cases["new"]: 2,
        cases["ticket"]: 1,
        cases["closed"]: 1,
        cases["handover"]: 1,
    }
    assert entry.note.startswith("Ablauf von Version 1 auf Version 2 umgestellt")  # type: ignore[union-attr]
    assert entry.actor_id == world.supervisor_id
    assert steps["language_course"].state == "open"  # the adult may work: it applies
    energy_after = {r.step_id: r.due_at for r in pending(cases["new"], ReminderKind.STEP_REMINDER)}
    step_id = steps["energy"].id
    assert energy_before[step_id] - energy_after[step_id] == timedelta(days=3)  # 7 → 10 days

    # The cases left behind keep working on version 1; a second run finds nothing new to move.
    with unit_of_work() as session:
        advance(session, cases["ticket"], "complete_transit_ticket", actor_id=world.caseworker_id)
    again = migration.run(version_2, reschedule=lambda kind, due: MoveDue(kind, due))
    assert {p.case_id for p in again if p.moves} == {cases["ticket"]}  # its ticket is done now
    with unit_of_work() as session:
        assert session.get(Case, cases["ticket"]).workflow_version == 2  # type: ignore[union-attr]
        moved_again = session.exec(
            select(CaseEvent).where(CaseEvent.trigger == migration.MIGRATE)
        ).all()
    assert len(moved_again) == 2  # each case once


def test_a_version_that_renames_names_what_it_renamed(world):
    broken = V2.replace(
        "[variants]", '[migrate_from.1]\nstates = { closed = "archived" }\n\n[variants]'
    )
    with pytest.raises(loading.DefinitionInvalid) as refused:
        loading.read(broken, REGISTRY)
    assert [str(p) for p in refused.value.problems] == [
        "migrate_from.1.states.closed: unbekannter Zustand „archived“"
    ]


def test_the_cli_previews_then_moves(world, version_2):
    cases = cases_in_every_situation(world)
    runner = CliRunner(env={"COLUMNS": "250"})
    preview = runner.invoke(app, ["workflow", "migrate", "--to", "2"])
    assert preview.exit_code == 0, preview.output
    assert "1 von 4 Fällen würden umgestellt; 3 bleiben." in preview.output
    assert "bleibt auf Version 1 – abgeschlossen" in preview.output
    with unit_of_work() as session:
        assert session.get(Case, cases["new"]).workflow_version == 1  # type: ignore[union-attr]
    moved = runner.invoke(app, ["workflow", "migrate", "--to", "2", "--run"])
    assert "1 von 4 Fällen umgestellt; 3 bleiben." in moved.output
    with unit_of_work() as session:
        assert session.get(Case, cases["new"]).workflow_version == 2  # type: ignore[union-attr]
    missing = runner.invoke(app, ["workflow", "migrate", "--to", "9"])
    assert (
        missing.exit_code == 1
        and "Version 9 von „move_in“ ist nicht installiert." in missing.output
    )


def test_a_step_the_new_version_renames_keeps_its_state_and_deadline(world):
    renamed = V2.replace('kind = "energy"', 'kind = "energy_contract"', 1).replace(
        "[variants]", '[migrate_from.1]\nsteps = { energy = "energy_contract" }\n\n[variants]'
    )
    _spec, target = loading.read(renamed, REGISTRY, "move_in.v2.toml")
    register(target)
    try:
        case_id = world.open_case()
        with unit_of_work() as session:
            before = session.exec(
                select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == "energy")
            ).one()
        (plan,) = migration.run(target, reschedule=lambda kind, due: MoveDue(kind, due))
        with unit_of_work() as session:
            after = session.exec(
                select(CaseStep).where(
                    CaseStep.case_id == case_id, CaseStep.kind == "energy_contract"
                )
            ).one()
            gone = session.exec(
                select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == "energy")
            ).all()
        assert plan.moves and gone == []
        assert (after.id, after.state, after.due_at) == (before.id, before.state, before.due_at)
        reminded = pending(case_id, ReminderKind.STEP_REMINDER)
        assert [r.step_id for r in reminded] == [after.id]  # 10 days ahead, planned again
    finally:
        _REGISTRY.pop((target.name, target.version), None)


def test_a_case_of_an_office_variant_moves_with_its_own_steps_and_deadlines(world, version_2):
    """Given a case opened under Eving's variant (an own Stromspar-Check, open; the energy
    reminder 5 days ahead), when version 2 is previewed and run, then the case moves — the own
    step is the variant's, not missing from version 2 — keeps its own step open and workable,
    and no reminder change is listed: the variant's 5 days hold in version 2 as in version 1."""
    from workflows.definitions import variants
    from workflows.definitions.variants import VariantIn
    from workflows.move_in import MOVE_IN

    data = VariantIn.model_validate({
        "reminder_days_before": {"energy": 5}, "reason": "Absprache",
        "local_steps": [{"key": "stromspar", "label": "Stromspar-Check", "due_days": 28,
                         "at_intake": True}],
    })  # fmt: skip
    with unit_of_work() as session:
        variants.save(session, world.office_id, MOVE_IN, data, author_id=None)
    case_id = world.open_case(family_name="Nouri")
    own = f"o{world.office_id}_stromspar"
    with unit_of_work() as session:
        (plan,) = migration.dry_run(session, version_2)
    assert (plan.refused, plan.reminders) == (None, [])

    migration.run(version_2, reschedule=MoveDue)
    with unit_of_work() as session:
        assert session.get(Case, case_id).workflow_version == 2  # type: ignore[union-attr]
        advance(session, case_id, f"complete_{own}", actor_id=world.caseworker_id)
        step = session.exec(
            select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == own)
        ).one()
    assert step.state == "done"
