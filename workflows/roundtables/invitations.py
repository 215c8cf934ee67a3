"""Calendar invitations to a round table's guests: METHOD:REQUEST with the meeting's UID and
SEQUENCE (a moved meeting updates the one entry guests have), METHOD:CANCEL when it is called
off. A guest is sent each version once: the send is claimed by moving ``invited_sequence`` to
the meeting's (one UPDATE only one worker wins) and given back if it fails."""

from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core import mail
from core.clock import format_berlin
from core.config import Settings
from models import Office, RoundTable, RoundTableGuest
from workflows.engine import outbox
from workflows.messaging import ics
from workflows.roundtables.meetings import CANCELLED, guests

SEND_TASK = "roundtables.send_invitations"


def send(session: Session, meeting: RoundTable) -> int:
    """Queue the invitations (or the cancellation) to go out once this transaction commits;
    how many guests will hear of it."""
    waiting = len(due(session, meeting))
    if waiting:
        outbox.enqueue(session, SEND_TASK, round_table_id=meeting.id)  # type: ignore[arg-type]
    return waiting


def due(session: Session, meeting: RoundTable) -> list[int]:
    """The guests who have not been sent this version of the meeting (a cancellation goes only
    to those who were invited before)."""
    query = select(RoundTableGuest.id).where(
        RoundTableGuest.round_table_id == meeting.id,
        or_(
            col(RoundTableGuest.invited_sequence).is_(None),
            col(RoundTableGuest.invited_sequence) < meeting.sequence,
        ),
    )
    if meeting.status == CANCELLED:
        query = query.where(col(RoundTableGuest.invited_sequence).is_not(None))
    return [i for i in session.exec(query.order_by(col(RoundTableGuest.id))) if i is not None]


def claim(session: Session, guest_id: int, now: datetime) -> tuple[int | None, int]:
    """Take this guest's invitation to the meeting as it is now: (the sequence they had, the
    one claimed), or (…, -1) when there is nothing to send."""
    guest = session.get(RoundTableGuest, guest_id)
    meeting = session.get(RoundTable, guest.round_table_id) if guest else None
    if guest is None or meeting is None:
        return None, -1
    before = guest.invited_sequence
    already = col(RoundTableGuest.invited_sequence)
    result = session.execute(
        update(RoundTableGuest)
        .where(
            col(RoundTableGuest.id) == guest_id,
            already.is_(None) if before is None else already == before,
            or_(already.is_(None), already < meeting.sequence),
        )
        .values(invited_sequence=meeting.sequence, invited_at=now)
    )
    return before, (meeting.sequence if result.rowcount else -1)  # type: ignore[attr-defined]


def give_back(session: Session, guest_id: int, before: int | None) -> None:
    session.execute(
        update(RoundTableGuest)
        .where(col(RoundTableGuest.id) == guest_id)
        .values(invited_sequence=before)
    )


def message(
    session: Session, guest_id: int, settings: Settings, now: datetime
) -> EmailMessage | None:
    """The invitation (or cancellation) for this guest, or None without an address."""
    row = session.get(RoundTableGuest, guest_id)
    meeting = session.get(RoundTable, row.round_table_id) if row else None
    office = session.get(Office, meeting.office_id) if meeting else None
    if row is None or meeting is None or office is None:
        return None
    (guest,) = [g for g in guests(session, meeting.id) if g.guest.id == guest_id]  # type: ignore[arg-type]
    if guest.email is None:
        return None
    cancel = meeting.status == CANCELLED
    calendar = ics.meeting(
        uid=meeting.uid, sequence=meeting.sequence, starts_at=meeting.starts_at,
        minutes=meeting.duration_minutes, summary=meeting.title, location=meeting.place,
        office=office, attendee=guest.email, attendee_name=guest.name, cancel=cancel, now=now,
    )  # fmt: skip
    mail_message = mail.new_message()
    mail_message["From"] = settings.mail_from
    mail_message["To"] = guest.email
    word = "Abgesagt" if cancel else ("Geändert" if meeting.sequence else "Einladung")
    mail_message["Subject"] = f"{word}: {meeting.title} – {format_berlin(meeting.starts_at)}"
    lines = [
        f"Guten Tag {guest.name},",
        "",
        (
            f"der Runde Tisch {meeting.district} am {format_berlin(meeting.starts_at)} fällt aus."
            if cancel
            else f"herzliche Einladung zum Runden Tisch {meeting.district}:"
        ),
        "",
        f"  {meeting.title}",
        f"  {format_berlin(meeting.starts_at)}, {meeting.place}",
    ]
    if meeting.agenda and not cancel:
        lines += ["", "Tagesordnung:"] + [
            f"  {n}. {point}" for n, point in enumerate(meeting.agenda, 1)
        ]
    lines += ["", f"lokal willkommen {office.name}", office.email]
    mail_message.set_content("\n".join(lines) + "\n")
    method = "CANCEL" if cancel else "REQUEST"
    mail_message.add_alternative(
        calendar.decode(), subtype="calendar", charset="utf-8", params={"method": method}
    )
    mail_message.add_attachment(
        calendar, maintype="application", subtype="ics", filename="runder-tisch.ics"
    )
    return mail_message
