"""Round tables as the services keep them: planned for a district the office serves, guests
invited once per version, minutes after the meeting, decisions and actions with their owners,
the open ones seen at the next meeting, overdue ones claimed for one reminder, and the agenda
drawing on the district's obstacles (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import CaseObstacle, ObstacleKind, RoundTable
from tests.workflows.roundtables.conftest import held_earlier, plan
from workflows.engine.errors import InvalidInput
from workflows.roundtables import actions, invitations, items, meetings
from workflows.roundtables.items import ItemIn
from workflows.roundtables.meetings import GuestIn, MeetingIn, MinutesIn

TODAY = berlin(utc_now()).date()


def test_a_meeting_is_for_a_served_district_in_the_future(world):
    with pytest.raises(InvalidInput) as refused:
        plan(world, district="Hörde")
    assert refused.value.errors == {
        "district": "Das Büro ist für diese Stadtbezirke da: Eving, Scharnhorst."
    }
    with pytest.raises(InvalidInput, match="für die Zukunft"):
        plan(world, starts_at=utc_now() - timedelta(hours=1))


def test_guests_are_invited_once_per_version_and_a_move_invites_again(world, contact_id):
    meeting_id = plan(world)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        lea = meetings.add_guest(session, meeting, GuestIn(staff_id=world.caseworker_id))  # type: ignore[arg-type]
        meetings.add_guest(session, meeting, GuestIn(contact_id=contact_id))  # type: ignore[arg-type]
        council = meetings.add_guest(
            session,
            meeting,
            GuestIn(
                name="Herr Bezirksbürgermeister",
                email="bv@eving.example",
                organisation="Bezirksvertretung",
            ),
        )  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="schon eingeladen"):
            meetings.add_guest(session, meeting, GuestIn(staff_id=world.caseworker_id))  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="Name und E-Mail-Adresse"):
            GuestIn(name="Ohne Adresse")
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        assert len(invitations.due(session, meeting)) == 3  # type: ignore[arg-type]
        for guest_id in invitations.due(session, meeting):  # type: ignore[arg-type]
            assert invitations.claim(session, guest_id, utc_now())[1] == 0
            assert invitations.claim(session, guest_id, utc_now())[1] == -1  # once
        message = invitations.message(session, council.id, world_settings(), utc_now())  # type: ignore[arg-type]
        assert message["To"] == "bv@eving.example" and message["Subject"].startswith(
            "Einladung: Runder Tisch Eving"
        )
        assert invitations.due(session, meeting) == []  # type: ignore[arg-type]
        moved = MeetingIn(district="Eving", title="Runder Tisch Eving", place="Rathaus",
                          starts_at=meeting.starts_at + timedelta(hours=2))  # type: ignore[union-attr]  # fmt: skip
        assert meetings.change(session, meeting, moved) is True  # type: ignore[arg-type]
        assert len(invitations.due(session, meeting)) == 3  # type: ignore[arg-type]
        assert lea.id in invitations.due(session, meeting)  # type: ignore[arg-type]


def world_settings():  # type: ignore[no-untyped-def]
    from core.config import get_settings

    return get_settings()


def test_the_next_meeting_sees_the_open_actions_and_overdue_ones_are_claimed_once(
    world, contact_id
):
    """Given last month's meeting with a decision, an action done, one overdue (Frau Sommer)
    and one due next week (Lea), when the next meeting is planned, then it lists the two open
    actions; only the overdue one is up for a reminder, and it is claimed once."""
    first = plan(world)
    held_earlier(first, 30)
    lea, sommer = {"owner_staff_id": world.caseworker_id}, {"owner_contact_id": contact_id}
    with unit_of_work() as session:
        meeting = session.get(RoundTable, first)

        def add(text: str, owner: dict[str, int] | None = None, due: int = 0):  # type: ignore[no-untyped-def]
            kind = "action" if owner else "decision"
            due_on = TODAY + timedelta(days=due) if owner else None
            data = ItemIn(kind=kind, text=text, due_on=due_on, **(owner or {}))
            return items.add(session, meeting, data)  # type: ignore[arg-type]

        add("Sprechstunde in der Kita Sonnenschein")
        finished = add("Liste der Kitas", lea)
        late = add("Gespräch mit dem Jugendamt", sommer, -2)
        later = add("Flyer in vier Sprachen", lea, 7)
        with pytest.raises(ValueError, match="genau eine verantwortliche Person"):
            ItemIn(kind="action", text="Ohne Zuständigkeit", due_on=TODAY)
        actions.done(session, [first], finished.id)  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match="schon erledigt"):
            actions.done(session, [first], finished.id)  # type: ignore[arg-type]
    second = plan(world)
    with unit_of_work() as session:
        following = session.get(RoundTable, second)
        still = items.still_open(session, following)  # type: ignore[arg-type]
        assert [(i.item.id, i.owner) for i in still] == [
            (late.id, "Frau Sommer"),
            (later.id, "Lea Brandt"),
        ]
        assert [i.overdue for i in still] == [True, False]
        now = utc_now()
        assert items.overdue(session, TODAY, now) == [late.id]
        assert items.claim(session, late.id, now) is True  # type: ignore[arg-type]
        assert items.claim(session, late.id, now) is False  # type: ignore[arg-type]
        assert items.overdue(session, TODAY, now) == []
        items.settle(session, late.id, now, sent=False)  # type: ignore[arg-type]  # the send failed
        assert items.overdue(session, TODAY, now) == [late.id]  # the next sweep tries again
        items.settle(session, late.id, now, sent=True)  # type: ignore[arg-type]
        assert items.overdue(session, TODAY, now + timedelta(days=1)) == []
        message = items.reminder(session, late.id, world_settings())  # type: ignore[arg-type]
        assert message["To"] == "sommer@partner.example"
        assert "Gespräch mit dem Jugendamt" in message.get_content()


def test_minutes_follow_the_meeting_and_the_agenda_draws_on_the_districts_obstacles(world):
    meeting_id = plan(world)
    cases = [world.open_case(family_name=name) for name in ("Haddad", "Nouri", "Sadiq")]
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        with pytest.raises(InvalidInput, match="Protokoll folgt"):
            meetings.record_minutes(session, meeting, MinutesIn(minutes="Vorab"))  # type: ignore[arg-type]
        kind = ObstacleKind(
            office_id=world.office_id, code="kita", label="Kein Kita-Platz", area="kita"
        )
        session.add(kind)
        session.flush()
        noted = utc_now() - timedelta(days=3)
        for case_id in cases:
            session.add(CaseObstacle(case_id=case_id, kind_id=kind.id, noted_at=noted))
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        (row,) = meetings.obstacle_agenda(session, meeting).rows  # type: ignore[arg-type]
        assert (row.label, row.affected, row.open) == ("Kein Kita-Platz", 3, 3)
    held_earlier(meeting_id, 1)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        minutes = MinutesIn(minutes="Drei Kitas bieten Plätze an.")
        meetings.record_minutes(session, meeting, minutes)  # type: ignore[arg-type]
        assert (meeting.status, meeting.minutes) == ("held", minutes.minutes)  # type: ignore[union-attr]
        with pytest.raises(InvalidInput, match="Nur ein geplanter"):
            meetings.cancel(session, meeting)  # type: ignore[arg-type]


def test_guests_named_by_email_are_erased_a_year_after_the_meeting(world, contact_id):
    """Given a meeting held 400 days ago with a council member invited by name and email and a
    partner's contact person, and one next week with a guest, when the retention job runs,
    then the old meeting's named guest keeps only the organisation; the minutes stay, the
    contact person stays in the network, next week's guest is untouched."""
    from models import PartnerContact, RoundTableGuest
    from workflows.privacy import guests

    old, coming = plan(world), plan(world)
    with unit_of_work() as session:
        for meeting_id in (old, coming):
            meeting = session.get(RoundTable, meeting_id)
            named = GuestIn(
                name="Frau Bezirksbürgermeisterin",
                email="bv@eving.example",
                organisation="BV Eving",
            )
            meetings.add_guest(session, meeting, named)  # type: ignore[arg-type]
            meetings.add_guest(session, meeting, GuestIn(contact_id=contact_id))  # type: ignore[arg-type]
    held_earlier(old, 400)
    with unit_of_work() as session:
        assert guests.erase_past(session, utc_now() - timedelta(days=365)) == 1
    with unit_of_work() as session:
        rows = {(g.round_table_id, g.contact_id): g for g in session.exec(select(RoundTableGuest))}
        gone = rows[(old, None)]
        assert (gone.name, gone.email, gone.organisation) == (None, None, "BV Eving")
        assert rows[(coming, None)].email == "bv@eving.example"
        assert session.get(PartnerContact, contact_id).email == "sommer@partner.example"  # type: ignore[union-attr]
        assert guests.erase_past(session, utc_now() - timedelta(days=365)) == 0
