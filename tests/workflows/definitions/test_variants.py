"""An office's variant of the move-in workflow: it changes the deadlines and reminders of the
office's new cases, never a deadline a law fixes or a number out of the definition's bounds
(refused with the reason, nothing saved); each save is a revision with author, date and reason,
and a case keeps the revision it was opened under (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseStep, Household, Office, Partner, Reminder, WorkflowVariant
from models.enums import PartnerCategory, ReminderKind
from workflows.casework.household import parse
from workflows.definitions import local_steps, variants
from workflows.definitions.variants import VariantIn
from workflows.engine import advance, allowed_triggers
from workflows.engine.errors import InvalidInput, UnknownTrigger
from workflows.engine.facts import CaseFacts
from workflows.move_in import CURRENT, end_of_day, step_label


def save(office_id: int, author_id: int | None = None, **changes: object) -> WorkflowVariant:
    data = VariantIn.model_validate({"reason": "Absprache mit der Bezirksvertretung", **changes})
    with unit_of_work() as session:
        return variants.save(session, office_id, CURRENT, data, author_id=author_id)


def steps_of(case_id: int) -> dict[str, CaseStep]:
    with unit_of_work() as session:
        rows = session.exec(select(CaseStep).where(CaseStep.case_id == case_id))
        return {step.kind: step for step in rows}


def test_an_office_variant_changes_the_deadlines_of_its_new_cases(world):
    before = world.open_case(family_name="Nouri")
    save(
        world.office_id, world.supervisor_id,
        due_days={"energy": 21}, reminder_days_before={"energy": 5},
        milestone_days={"welcome_visit": 10},
    )  # fmt: skip
    after = world.open_case(family_name="Sadiq")
    with unit_of_work() as session:
        opened = session.get(Case, after)
        facts = CaseFacts(session, opened, actor_id=None, now=opened.opened_at, settings=None)  # type: ignore[arg-type, union-attr]
        moved_in = facts.household.moved_in_on
        assert opened.variant_id is not None  # type: ignore[union-attr]
        assert opened.milestone_due_at == end_of_day(moved_in + timedelta(days=10))  # type: ignore[union-attr]
        reminders = session.exec(
            select(Reminder).where(
                Reminder.case_id == after, Reminder.kind == ReminderKind.STEP_REMINDER
            )
        ).all()
    energy, school = steps_of(after)["energy"], steps_of(after)["school"]
    assert energy.due_at == end_of_day(moved_in + timedelta(days=21))
    assert school.due_at == end_of_day(moved_in + timedelta(days=28))  # not varied
    reminded = {r.step_id: r.due_at for r in reminders}
    assert energy.id in reminded and school.id not in reminded  # moved, none added
    assert reminded[energy.id] < energy.due_at - timedelta(days=4)  # 5 days ahead, not 7
    assert steps_of(after)["registration"].due_at == end_of_day(moved_in + timedelta(days=14))
    # The case opened before the variant keeps the definition's 14 days.
    with unit_of_work() as session:
        assert session.get(Case, before).variant_id is None  # type: ignore[union-attr]
    assert steps_of(before)["energy"].due_at == end_of_day(moved_in + timedelta(days=14))


def test_another_office_keeps_the_definition(world):
    save(world.office_id, due_days={"energy": 30})
    with unit_of_work() as session:
        other = Office(code="luetgendortmund", name="Lütgendortmund", address="Limbecker Str. 31",
                       partner_organisation="EHC", email="l@x.example",
                       districts=["Lütgendortmund"])  # fmt: skip
        session.add(other)
        session.flush()
        assert variants.effective(session, other.id, CURRENT) is CURRENT  # type: ignore[arg-type]
        mine = variants.effective(session, world.office_id, CURRENT)
    assert mine.steps["energy"].due.days == 30 and CURRENT.steps["energy"].due.days == 14


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"due_days": {"registration": 30}}, "due_days.registration",
         "Die Frist legt das Gesetz fest (Bundesmeldegesetz § 17, 14 Tage)"),
        ({"due_days": {"birth": 14}}, "due_days.birth", "Personenstandsgesetz § 18"),
        ({"due_days": {"energy": 2}}, "due_days.energy", "Zwischen 3 und 180 Tagen."),
        ({"due_days": {"energy": 200}}, "due_days.energy", "Zwischen 3 und 180 Tagen."),
        ({"reminder_days_before": {"energy": 14}}, "reminder_days_before.energy",
         "Die Erinnerung muss vor der Frist liegen (14 Tage)."),
        ({"reminder_days_before": {"school": 7}}, "reminder_days_before.school",
         "Für diesen Schritt gibt es keine Erinnerung an den Haushalt."),
        ({"milestone_days": {"welcome_visit": 200}}, "milestone_days.welcome_visit",
         "Zwischen 3 und 120 Tagen."),
        ({"due_days": {"swimming": 10}}, "due_days.swimming", "gibt es im Ablauf nicht"),
        ({"milestone_days": {"farewell": 10}}, "milestone_days.farewell",
         "gibt es im Ablauf nicht"),
    ],
)  # fmt: skip
def test_a_variant_that_breaks_a_rule_of_the_definition_is_refused(world, changes, field, reason):
    with pytest.raises(InvalidInput) as refused:
        save(world.office_id, **changes)
    assert reason in refused.value.errors[field]
    with unit_of_work() as session:
        assert session.exec(select(WorkflowVariant)).all() == []  # nothing saved


def test_a_preferred_partner_must_take_that_kind_of_step_and_is_suggested_first(world):
    with unit_of_work() as session:
        local = Partner(name="Energieberatung Eving", category=PartnerCategory.ENERGY_ADVICE,
                        email="eving@energie.example", districts=[])  # fmt: skip
        school = Partner(name="Schule Eving", category=PartnerCategory.SCHOOL,
                         email="schule@x.example", districts=[])  # fmt: skip
        session.add_all([local, school])
        session.flush()
        local_id, school_id = local.id, school.id
    with pytest.raises(InvalidInput) as refused:
        save(world.office_id, preferred_partners={"energy_advice": school_id})
    assert (
        "Kein aktiver Partner „Energieberatung“."
        in refused.value.errors["preferred_partners.energy_advice"]
    )
    case_before = world.open_case()
    save(world.office_id, preferred_partners={"energy_advice": local_id})
    case_after = world.open_case(family_name="Karimi")
    with unit_of_work() as session:
        suggested = {}
        for case_id in (case_before, case_after):
            case = session.get(Case, case_id)
            facts = CaseFacts(session, case, actor_id=None, now=case.opened_at, settings=None)  # type: ignore[arg-type, union-attr]
            suggested[case_id] = facts.partner_for("energy_advice").id  # type: ignore[union-attr]
    # Alphabetically "Caritas …" comes first; the office's variant prefers its own.
    assert suggested == {case_before: world.partner_id, case_after: local_id}


def test_each_save_is_a_revision_with_author_and_reason_and_a_case_keeps_its_own(world):
    save(world.office_id, world.supervisor_id, due_days={"energy": 21})
    first = world.open_case(family_name="Osman")
    save(world.office_id, world.supervisor_id, due_days={"energy": 10}, reason="Neue Absprache")
    second = world.open_case(family_name="Bakr")
    with unit_of_work() as session:
        history = variants.history(session, world.office_id, CURRENT.name)
        pinned = {session.get(Case, c).variant_id for c in (first, second)}  # type: ignore[union-attr]
    assert [(r.variant.revision, r.variant.reason, r.author) for r in history] == [
        (2, "Neue Absprache", "Jonas Albers"),
        (1, "Absprache mit der Bezirksvertretung", "Jonas Albers"),
    ]
    assert pinned == {history[1].variant.id, history[0].variant.id}
    energy_first, energy_second = steps_of(first)["energy"], steps_of(second)["energy"]
    assert (energy_first.due_at - energy_second.due_at).days == 11  # 21 and 10 days


STROMSPAR = {"key": "stromspar_check", "label": "Stromspar-Check vor Ort", "due_days": 21,
             "partner_category": "energy_advice", "at_intake": True}  # fmt: skip
CAFE = {"key": "willkommenscafe", "label": "Willkommenscafé im Quartier", "due_days": 30}


def test_an_office_adds_steps_of_its_own_to_its_new_cases(world):
    """Given Eving adds a Stromspar-Check opened at intake and a welcome café on request, when
    a case is opened, then the check is open and due 21 days after the move-in, under its own
    words; the café is offered and, opened, due 30 days later; staff complete them like any
    step; an earlier case and another office have neither."""
    before = world.open_case(family_name="Nouri")
    save(world.office_id, world.supervisor_id, local_steps=[STROMSPAR, CAFE])
    case_id = world.open_case(family_name="Sadiq")
    check, cafe = f"o{world.office_id}_stromspar_check", f"o{world.office_id}_willkommenscafe"

    with unit_of_work() as session:
        case = session.get(Case, case_id)
        moved_in = session.get(Household, case.household_id).moved_in_on  # type: ignore[union-attr]
        buttons = {o.trigger: o for o in allowed_triggers(session, case_id)}
    assert steps_of(case_id)[check].due_at == end_of_day(moved_in + timedelta(days=21))
    assert cafe not in steps_of(case_id)
    assert buttons[f"open_{cafe}"].label == "Willkommenscafé im Quartier: öffnen"
    assert buttons[f"complete_{check}"].allowed

    with unit_of_work() as session:
        advance(session, case_id, f"open_{cafe}", actor_id=world.caseworker_id)
        advance(session, case_id, f"complete_{check}", actor_id=world.caseworker_id)
    today = berlin(utc_now()).date()
    assert steps_of(case_id)[cafe].due_at == end_of_day(today + timedelta(days=30))
    assert steps_of(case_id)[check].state == "done"
    local_steps.forget()  # another process: the words are read from the variant
    assert step_label(check) == "Stromspar-Check vor Ort"

    assert not any(kind.startswith("o") for kind in steps_of(before))
    with unit_of_work() as session:
        assert all(o.trigger != f"open_{cafe}" for o in allowed_triggers(session, before))
        with pytest.raises(UnknownTrigger):
            advance(session, before, f"open_{cafe}", actor_id=world.caseworker_id)


def test_a_case_keeps_an_own_step_the_office_later_drops(world):
    """Given a case opened with the office's welcome café, when the office drops the step in a
    later revision, then that case can still open and complete it; a new case no longer can."""
    save(world.office_id, local_steps=[CAFE])
    kept = world.open_case(family_name="Osman")
    save(world.office_id, local_steps=[], reason="Das Café ist geschlossen")
    new = world.open_case(family_name="Bakr")
    cafe = f"o{world.office_id}_willkommenscafe"
    with unit_of_work() as session:
        advance(session, kept, f"open_{cafe}", actor_id=world.caseworker_id)
        advance(session, kept, f"complete_{cafe}", actor_id=world.caseworker_id)
        with pytest.raises(UnknownTrigger):
            advance(session, new, f"open_{cafe}", actor_id=world.caseworker_id)
    assert steps_of(kept)[cafe].state == "done"


@pytest.mark.parametrize(
    ("local", "field", "reason"),
    [
        ([{**CAFE, "key": "school"}], "local_steps.0.key", "Diesen Namen hat schon ein Schritt."),
        ([CAFE, {**CAFE, "label": "Café 2"}], "local_steps.1.key", "hat schon ein Schritt"),
        ([{**CAFE, "due_days": 400}], "local_steps.0.due_days", "365"),
        ([{**CAFE, "due_days": 1}], "local_steps.0.due_days", "Zwischen 3 und 180 Tagen."),
        ([{**CAFE, "key": "Café!"}], "local_steps.0.key", ""),
        ([{**CAFE, "label": "a\x00b"}], "local_steps.0.label", ""),
        ([CAFE] * 6, "local_steps", "5"),
    ],
    ids=["base-kind", "twice", "too-long", "too-short", "not-a-name", "control-char", "six"],
)
def test_an_own_step_that_breaks_a_rule_is_refused(world, local, field, reason):
    with pytest.raises(InvalidInput) as refused:
        data = parse(VariantIn, {"reason": "Absprache", "local_steps": local})
        save_checked(world.office_id, data)
    assert reason in refused.value.errors[field]
    with unit_of_work() as session:
        assert session.exec(select(WorkflowVariant)).all() == []


def save_checked(office_id: int, data: VariantIn) -> None:
    with unit_of_work() as session:
        variants.save(session, office_id, CURRENT, data, author_id=None)


def test_an_own_step_with_the_longest_name_fits_every_column(world):
    """Given an own step with a 30-character name, when it is opened, waived and opened again,
    then the history keeps each trigger and the step its kind (PostgreSQL checks lengths)."""
    key = "nachbarschaftshilfe_im_quartie"
    assert len(key) == 30
    save(world.office_id, local_steps=[{**CAFE, "key": key}])
    case_id = world.open_case()
    kind = f"o{world.office_id}_{key}"
    with unit_of_work() as session:
        advance(session, case_id, f"open_{kind}", actor_id=world.caseworker_id)
        advance(session, case_id, f"waive_{kind}", actor_id=world.caseworker_id, note="Kein Bedarf")
        advance(session, case_id, f"open_{kind}", actor_id=world.caseworker_id)
    assert steps_of(case_id)[kind].state == "open"


def test_the_cli_reads_an_offices_steps_as_it_varies_them(world):
    """Given Eving's variant, when `workflow steps --office` is asked, then the table shows its
    energy deadline and its own step marked as such; an unknown office exits 1."""
    from typer.testing import CliRunner

    from cli.main import app

    save(world.office_id, due_days={"energy": 21}, local_steps=[CAFE])
    runner = CliRunner(env={"COLUMNS": "250"})
    shown = runner.invoke(app, ["workflow", "steps", "--office", "eving-scharnhorst"])
    unknown = runner.invoke(app, ["workflow", "steps", "--office", "gibtsnicht"])
    assert shown.exit_code == 0, shown.output
    assert "Eving/Scharnhorst, Stand 1" in shown.output
    assert "Willkommenscafé im Quartier (eigener Schritt)" in shown.output
    energy = next(line for line in shown.output.splitlines() if "Strom- und Gasvertrag" in line)
    assert "21 Tage" in energy
    assert unknown.exit_code == 1 and "Kein Büro mit dem Kürzel „gibtsnicht“" in unknown.output
