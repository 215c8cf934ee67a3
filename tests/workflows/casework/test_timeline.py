"""The case timeline (a read model) and notes, on a real database (SQLite and PostgreSQL).

Reminders are taken through the same service functions the workers use (claim, then sent or
failed), without Celery: the timeline only reads the rows they leave behind.
"""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Case, CaseEvent, Referral, Reminder, Staff
from models.enums import (
    Employer,
    PartnerCategory,
    Recipient,
    ReferralStatus,
    ReminderKind,
    ReminderStatus,
    Role,
)
from tests.helpers import in_hours, signed, step
from tests.helpers import reminders as reminder_rows
from workflows import consent
from workflows.casework.notes import MAX_NOTE_LENGTH, add_note
from workflows.casework.timeline import (
    PAGE_SIZE,
    Cursor,
    EntryKind,
    InvalidCursor,
    Source,
    timeline,
    timeline_page,
)
from workflows.engine import reminders
from workflows.engine.errors import CaseNotFound, InvalidInput, StaleCase


def entries(case_id: int):
    """The whole timeline newest first, planned entries on top (read page by page)."""
    with unit_of_work() as session:
        return timeline(session, case_id)


def only(found, **wanted):
    """The one entry whose fields have the wanted values."""
    matches = [e for e in found if all(getattr(e, k) == v for k, v in wanted.items())]
    assert len(matches) == 1, f"{wanted}: {len(matches)} matches in {[e.title for e in found]}"
    return matches[0]


def test_history_consent_referral_and_note_newest_first_with_people_and_german_words(world):
    """Given a case whose welcome visit was planned, consent recorded, energy step referred and a
    note written, when the timeline is read, then each appears once, newest first, with who
    did it and German labels and state words."""
    case_id = world.open_case()
    actor = world.caseworker_id
    step(case_id, "schedule_welcome_visit", actor, at=in_hours(48))
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session, household_id, PartnerCategory.ENERGY_ADVICE, actor_id=actor, evidence=signed()
        )
    step(case_id, "refer_energy", actor)
    with unit_of_work() as session:
        add_note(
            session, case_id, "Vermieter angerufen:\nZähler wird Montag getauscht.", actor_id=actor
        )

    found = entries(case_id)

    assert [e.at for e in found] == sorted((e.at for e in found), reverse=True)
    past = [e for e in found if e.at <= utc_now()]
    assert past[0].kind == EntryKind.NOTE
    assert past[0].text == "Vermieter angerufen:\nZähler wird Montag getauscht."
    assert past[0].actor == "Lea Brandt"
    planned = only(found, title="Willkommensbesuch planen")
    assert planned.change == "Aufgenommen → Willkommensbesuch geplant"
    assert planned.actor == "Lea Brandt"
    referred = only(found, title="Strom- und Gasvertrag: weitervermitteln")
    assert referred.change == "offen → weitervermittelt"
    assert referred.step == "Strom- und Gasvertrag"
    referral = only(found, kind=EntryKind.REFERRAL)
    assert referral.title == "Weitervermittelt an Caritas Stromspar-Check"
    assert referral.status_label == "gesendet"
    assert referral.partner == "Caritas Stromspar-Check (Energieberatung)"
    granted = only(found, title="Einwilligung erfasst").text or ""
    assert granted.startswith("Energieberatung: Weitergabe: Name der Ansprechperson, Telefon")
    assert granted.endswith("auf dem Tablet unterschrieben")
    opened = only(found, title="Fall eröffnet")
    assert opened.change == "Aufgenommen" and opened.actor == "Lea Brandt"
    assert found.index(referral) < found.index(opened)


def test_reminders_show_recipient_status_attempts_and_the_last_error(world):
    """Given a visit reminder whose sending failed for good and a referral email that was sent,
    when the timeline is read, then both show recipient, status, attempts and the error, and the
    registration reminder still planned for the household sorts above everything past."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(3))  # reminder due
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id,
            evidence=signed(),
        )
    step(case_id, "refer_energy", world.caseworker_id)
    now = utc_now() + timedelta(seconds=1)  # both were due at once, so they are queued
    by_kind = {r.kind: r.id for r in reminder_rows(case_id)}
    with unit_of_work() as session:
        assert reminders.claim(session, by_kind[ReminderKind.VISIT], now) is not None
        reminders.record_failure(
            session,
            by_kind[ReminderKind.VISIT],
            "550 mailbox unavailable",
            now,
            get_settings(),
            permanent=True,
        )
        assert reminders.claim(session, by_kind[ReminderKind.REFERRAL], now) is not None
        reminders.mark_sent(session, by_kind[ReminderKind.REFERRAL], now)

    found = entries(case_id)

    failed = only(found, title="Erinnerung an den Hausbesuch")
    assert (failed.status, failed.status_label) == (ReminderStatus.FAILED, "fehlgeschlagen")
    assert failed.recipient == "an Mitarbeiter:in"
    assert failed.attempts == 1 and failed.error == "550 mailbox unavailable"
    sent = only(found, title="Weitervermittlung per E-Mail")
    assert (sent.status_label, sent.recipient, sent.at) == ("gesendet", "an den Partner", now)
    upcoming = only(found, title="Erinnerung an die Anmeldefrist")
    assert upcoming.status_label == "geplant" and upcoming.recipient == "an den Haushalt"
    assert upcoming.at == upcoming.due_at > utc_now()
    assert found.index(upcoming) < found.index(sent)


def test_a_moved_visit_shows_the_old_reminder_cancelled_with_the_reason(world):
    """Given a welcome visit that was moved, when the timeline is read, then the first visit
    reminder shows as cancelled with the reason, and the new one as planned."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(72))
    step(case_id, "reschedule_welcome_visit", world.caseworker_id, at=in_hours(96))

    visits = [e for e in entries(case_id) if e.title == "Erinnerung an den Hausbesuch"]

    assert sorted(e.status_label for e in visits) == ["entfallen", "geplant"]
    cancelled = next(e for e in visits if e.status == ReminderStatus.CANCELLED)
    assert cancelled.text == "Termin verschoben"


def test_a_partners_answer_is_an_entry_of_its_own(world):
    """Given a referral the partner has accepted with a note, when the timeline is read, then the
    answer appears (above the referral) with the partner's words and the new status.

    No service records partner answers yet, so the test writes the answer onto the row."""
    case_id = world.open_case()
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id,
            evidence=signed(),
        )
    step(case_id, "refer_energy", world.caseworker_id)
    with unit_of_work() as session:
        referral = session.exec(select(Referral).where(Referral.case_id == case_id)).one()
        referral.status = ReferralStatus.ACCEPTED
        referral.answered_at = utc_now() + timedelta(minutes=5)
        referral.answer_note = "Termin zum Stromspar-Check am 3. Dezember."

    found = entries(case_id)

    answer = only(found, kind=EntryKind.ANSWER)
    assert answer.title == "Antwort von Caritas Stromspar-Check"
    assert answer.text == "Termin zum Stromspar-Check am 3. Dezember."
    assert answer.status_label == "angenommen" and answer.actor is None
    assert found.index(answer) < found.index(only(found, kind=EntryKind.REFERRAL))


def test_timeline_of_an_unknown_case_is_not_found(world):
    """Given no case 999, when its timeline is asked for, then CaseNotFound."""
    with unit_of_work() as session, pytest.raises(CaseNotFound):
        timeline_page(session, 999, utc_now())


# ---------------------------------------------------------------------------------------------
# Notes


def test_a_note_is_history_but_leaves_the_version_alone(world):
    """Given a case at version v, when a caseworker adds a note, then it is in the history with
    her as author and the case is still at version v (a colleague's open page stays valid)."""
    case_id = world.open_case()
    version = _case(case_id).version
    with unit_of_work() as session:
        add_note(
            session,
            case_id,
            "  Familie bittet um Termin am Vormittag.  ",
            actor_id=world.caseworker_id,
        )

    assert _case(case_id).version == version
    with unit_of_work() as session:
        note = session.exec(select(CaseEvent).where(CaseEvent.trigger == "add_note")).one()
    assert (note.note, note.actor_id) == (
        "Familie bittet um Termin am Vormittag.",
        world.caseworker_id,
    )


@pytest.mark.parametrize("text", ["", "   \n ", "x" * (MAX_NOTE_LENGTH + 1)])
def test_an_empty_or_overlong_note_is_refused_and_nothing_written(world, text):
    """Given a case, when an empty or too long note is added, then InvalidInput at "note" and no
    history entry."""
    case_id = world.open_case()
    before = len(_events(case_id))
    with unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        add_note(session, case_id, text, actor_id=world.caseworker_id)
    assert "note" in refused.value.errors
    assert len(_events(case_id)) == before


def test_a_note_on_another_offices_case_or_a_stale_view_is_refused(world):
    """Given a case of the Eving office, when staff of no office writes a note, then the case is
    not found; when the writer insists on a version that has moved on, then StaleCase."""
    case_id = world.open_case()
    with unit_of_work() as session:
        stranger = Staff(
            name="Außen Stehend",
            email="aussen@example.org",
            role=Role.CASEWORKER,
            employer=Employer.CITY,
            employer_name="Stadt",
            office_id=None,
        )
        session.add(stranger)
        session.flush()
        stranger_id = stranger.id
    with unit_of_work() as session, pytest.raises(CaseNotFound):
        add_note(session, case_id, "Hallo", actor_id=stranger_id)
    version = _case(case_id).version
    with unit_of_work() as session, pytest.raises(StaleCase):
        add_note(
            session, case_id, "Hallo", actor_id=world.caseworker_id, expected_version=version - 1
        )


def _case(case_id: int) -> Case:
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def _events(case_id: int) -> list[CaseEvent]:
    with unit_of_work() as session:
        return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)))


def test_every_reminder_kind_has_a_german_title():
    """Given every kind of email the engine sends, when staff see it on a timeline or the
    dashboard, then it has a German title, never the raw kind."""
    from models.enums import REMINDER_KIND_LABELS, ReminderKind

    assert set(REMINDER_KIND_LABELS) == set(ReminderKind)
    assert all(label and "_" not in label for label in REMINDER_KIND_LABELS.values())


# ---------------------------------------------------------------------------------------------
# Pages


def write_notes(case_id: int, actor_id: int, moments: list) -> list[int]:
    """History rows written straight into the table (notes at the given moments); their ids."""
    with unit_of_work() as session:
        rows = [
            CaseEvent(case_id=case_id, at=at, actor_id=actor_id, trigger="add_note", note=f"N{n}")
            for n, at in enumerate(moments)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def pages(case_id: int, size: int = PAGE_SIZE):
    """Every page of the case's past entries, first to last, read as the page links do."""
    now = utc_now()
    with unit_of_work() as session:
        found = [timeline_page(session, case_id, now, size=size)]
        while found[-1].older is not None:
            cursor = Cursor.parse(str(found[-1].older))  # through the link's text
            found.append(timeline_page(session, case_id, now, before=cursor, size=size))
    return found


def test_a_long_history_comes_in_pages_of_50_newest_first_without_gaps_or_repeats(world):
    """Given a case with 120 notes written an hour apart, when its timeline is read page by
    page, then the first page holds the 50 newest entries, the next the 50 before them, and
    the pages together hold every entry exactly once, in order."""
    case_id = world.open_case()
    start = utc_now() - timedelta(days=10)
    write_notes(case_id, world.caseworker_id, [start + timedelta(hours=n) for n in range(120)])
    whole = [e for e in entries(case_id) if e.at <= utc_now()]

    found = pages(case_id)

    assert found[0].entries == whole[:50] and found[1].entries == whole[50:100]
    notes = [[e.text for e in p.entries if e.kind == EntryKind.NOTE] for p in found]
    assert notes[0][:2] == ["N119", "N118"] and notes[1][0] == f"N{119 - len(notes[0])}"
    shown = [e for p in found for e in p.entries]
    assert shown == whole
    keys = [e.key for e in shown]
    assert keys == sorted(set(keys), reverse=True)  # strictly newest first: no repeats
    history = {e.order for e in shown if e.kind in (EntryKind.NOTE, EntryKind.EVENT)}
    assert history == {event.id for event in _events(case_id)}  # no gaps
    assert found[-1].older is None


def test_entries_of_one_moment_keep_their_order_across_a_page_break(world):
    """Given 30 notes and 30 sent reminders all at the same second, when the timeline is read
    in pages of 25, then every entry appears once, notes above reminders (the history entry
    above what it set off), later rows first."""
    case_id = world.open_case()
    moment = utc_now() - timedelta(hours=1)
    note_ids = write_notes(case_id, world.caseworker_id, [moment] * 30)
    with unit_of_work() as session:
        for _ in range(30):
            session.add(
                Reminder(
                    case_id=case_id,
                    kind=ReminderKind.VISIT,
                    recipient=Recipient.CASEWORKER,
                    due_at=moment - timedelta(minutes=5),
                    status=ReminderStatus.SENT,
                    sent_at=moment,
                    attempts=1,
                )
            )

    found = pages(case_id, size=25)

    same = [e for p in found for e in p.entries if e.at == moment]
    assert [e.order for e in same[:30]] == sorted(note_ids, reverse=True)
    assert {e.kind for e in same[:30]} == {EntryKind.NOTE}
    reminder_ids = [e.order for e in same[30:]]
    assert len(same) == 60 and reminder_ids == sorted(set(reminder_ids), reverse=True)
    assert [len(p.entries) for p in found][:2] == [25, 25]


def test_planned_entries_stay_on_the_first_page_soonest_first(world):
    """Given a welcome visit planned in three days (reminders ahead) and a long history, when
    the timeline is read in pages, then the first page carries the planned entries soonest
    first and no later page repeats them."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(72))
    write_notes(
        case_id, world.caseworker_id, [utc_now() - timedelta(hours=n) for n in range(1, 80)]
    )

    found = pages(case_id)

    planned = found[0].planned
    assert planned and all(e.at > utc_now() for e in planned)
    assert [e.at for e in planned] == sorted(e.at for e in planned)
    assert not any(p.planned for p in found[1:])
    assert all(e.at <= utc_now() for p in found for e in p.entries)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "1764000000-event",
        "1764000000-case-1",
        "1-event-x",
        "9" * 18 + "-event-1",
        "1764000000-event-1; drop table cases",
        "-1764000000000000000-event-1",
    ],
)
def test_a_cursor_not_written_by_the_timeline_is_refused(text):
    """Given a page link whose cursor was cut or altered, when it is read, then InvalidCursor
    (the page answers 400), never a server error."""
    with pytest.raises(InvalidCursor):
        Cursor.parse(text)


def test_a_cursor_survives_its_link():
    """Given an entry's place, when written into a link and read back, then it is the same."""
    at = utc_now()
    cursor = Cursor(at, Source.REMINDER, 42)
    assert Cursor.parse(str(cursor)) == cursor
