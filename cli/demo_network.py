"""Demo content for the network, the round tables and the desk: what the partners offer and who
to speak to there, a few volunteers per office, per office a round table held some weeks ago
(with minutes, decisions and actions — one of them overdue) and the next one being prepared, and
the last weeks' anonymous visits to the consultation hours.

Every person is fictional, every address uses an ``.example`` domain and every phone number is
one of the Bundesnetzagentur's numbers for media productions. Everything goes through the
services staff use; only the held meeting's date is moved into the past afterwards, as a meeting
can only be planned for the future.
"""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import NamedTuple

from sqlmodel import Session, col, select

from cli.demo_data import DOMAIN
from core.clock import berlin, utc_now
from models import (
    ConsultationContact,
    ConsultationDuty,
    ConsultationHour,
    Office,
    Partner,
    RoundTable,
    Staff,
    Volunteer,
)
from models.enums import ContactOutcome, ContactTopic, Role
from models.network import PartnerContact
from workflows.consultations import desk
from workflows.consultations.schedule import local_moment
from workflows.definitions import variants
from workflows.move_in import CURRENT
from workflows.network import contacts, volunteers
from workflows.roundtables import actions, items, meetings

T = ContactTopic


class ContactDef(NamedTuple):
    name: str
    role: str
    mailbox: str  # the address before ".example"
    phone: str
    languages: str  # space-separated codes


@dataclass(frozen=True)
class PartnerDetails:
    offers: str
    opening_hours: str
    capacity_note: str | None
    contacts: tuple[ContactDef, ...]


C = ContactDef

# Partners by name (cli.demo_data.PARTNERS): what exactly they do and who answers.
PARTNER_DETAILS: dict[str, PartnerDetails] = {
    "Caritas Stromspar-Check": PartnerDetails(
        "Kostenloser Stromspar-Check in der Wohnung, Soforthilfen (LED, Steckdosenleisten), "
        "Hilfe beim ersten Strom- und Gasvertrag.",
        "Mo–Do 9–15 Uhr, Hausbesuche nach Vereinbarung",
        "Wartezeit auf einen Hausbesuch etwa 3 Wochen",
        (
            C(
                "Birgit Landwehr",
                "Beratung",
                "b.landwehr@caritas-dortmund",
                "+49 69 90009 301",
                "de en",
            ),
        ),
    ),
    "Kommunales Integrationszentrum Dortmund": PartnerDetails(
        "Schulanmeldung neu zugewanderter Kinder, Seiteneinstieg, Vermittlung in "
        "Auffang- und Förderklassen.",
        "Di und Do 8:30–12 Uhr, Anmeldung nur mit Termin",
        "Plätze in Auffangklassen der Sekundarstufe knapp",
        (
            C(
                "Oliver Brinkmann",
                "Schulanmeldung",
                "o.brinkmann@ki-dortmund",
                "+49 69 90009 311",
                "de en",
            ),
            C(
                "Leyla Aydın",
                "Seiteneinstieg",
                "l.aydin@ki-dortmund",
                "+49 69 90009 312",
                "de tr ar",
            ),
        ),
    ),
    "Jugendamt Dortmund – Kita-Platzvergabe": PartnerDetails(
        "Kita-Platzsuche über den Kita-Navigator, Beratung zum Rechtsanspruch, Brückenangebote.",
        "Mo–Fr 8–12 Uhr, telefonisch auch Do 14–16 Uhr",
        "Im Norden und in Eving kaum freie Plätze für unter Dreijährige",
        (
            C(
                "Sandra Kortmann",
                "Kita-Platzvergabe",
                "s.kortmann@jugendamt-dortmund",
                "+49 69 90009 321",
                "de",
            ),
        ),
    ),
    "Familienbüro Eving/Scharnhorst": PartnerDetails(
        "Begrüßung von Neugeborenen, Kita-Beratung, Familienangebote im Stadtbezirk.",
        "Mo, Mi 9–12 Uhr",
        None,
        (
            C(
                "Heike Brandt",
                "Familienbüro",
                "h.brandt@jugendamt-dortmund",
                "+49 69 90009 322",
                "de en",
            ),
        ),
    ),
    "Jobcenter Dortmund": PartnerDetails(
        "Integrationsfachkräfte für Geflüchtete, Sprachkursvermittlung, Anerkennung von "
        "Abschlüssen.",
        "Mo–Fr 8–12:30 Uhr, Do bis 18 Uhr",
        None,
        (
            C(
                "Frank Ostendorf",
                "Team Integration",
                "f.ostendorf@jobcenter-dortmund",
                "+49 69 90009 331",
                "de en",
            ),
        ),
    ),
    "DSW21 Kundencenter (Sozialticket)": PartnerDetails(
        "Sozialticket und Deutschlandticket Sozial mit Dortmund-Pass.",
        "Mo–Fr 8–18 Uhr, Sa 9–14 Uhr",
        None,
        (),
    ),
    "Psychosoziales Zentrum für Geflüchtete": PartnerDetails(
        "Psychosoziale Beratung und Therapie mit Sprachmittlung.",
        "Offene Sprechstunde Mi 14–16 Uhr",
        "Warteliste für Therapieplätze: etwa 4 Monate",
        (
            C(
                "Dr. Nora Feldkamp",
                "Erstgespräche",
                "n.feldkamp@psz-dortmund",
                "+49 69 90009 341",
                "de en fr",
            ),
        ),
    ),
}


@dataclass(frozen=True)
class VolunteerDef:
    name: str
    languages: tuple[str, ...]
    helps_with: tuple[ContactTopic, ...]
    availability: str
    weeks_with_us: int  # consent and agreement that many weeks ago


VOLUNTEERS: dict[str, tuple[VolunteerDef, ...]] = {
    "brackel-aplerbeck": (
        VolunteerDef(
            "Hannelore Wittkamp",
            ("de", "en"),
            (T.OFFICIAL_MAIL, T.MONEY),
            "dienstags und donnerstags vormittags",
            60,
        ),
        VolunteerDef("Emre Yıldız", ("de", "tr"), (T.WORK, T.TRANSIT), "abends und samstags", 20),
    ),
    "eving-scharnhorst": (
        VolunteerDef("Gisela Homann", ("de",), (T.SCHOOL, T.KITA), "werktags nachmittags", 120),
        VolunteerDef(
            "Khaled Nasser",
            ("de", "ar", "en"),
            (T.OFFICIAL_MAIL, T.HEALTH),
            "montags und mittwochs ab 16 Uhr",
            35,
        ),
        VolunteerDef(
            "Lena Roggenkamp", ("de", "en", "fr"), (T.LANGUAGE_COURSE, T.SCHOOL), "freitags", 8
        ),
    ),
    "hoerde-hombruch": (
        VolunteerDef(
            "Werner Schulte-Ebbert", ("de", "fr"), (T.ENERGY, T.HOUSING), "nach Absprache", 90
        ),
        VolunteerDef("Amal Haddouchi", ("de", "ar", "fr"), (T.BIRTH, T.KITA), "vormittags", 15),
    ),
    "mengede-huckarde": (
        VolunteerDef("Jürgen Pieper", ("de", "en"), (T.TRANSIT, T.OFFICIAL_MAIL), "dienstags", 40),
    ),
    "innenstadt-nord": (
        VolunteerDef(
            "Serpil Aksoy",
            ("de", "tr", "ku"),
            (T.SCHOOL, T.OFFICIAL_MAIL),
            "werktags ab 15 Uhr",
            70,
        ),
        VolunteerDef("Yousef Hamdan", ("de", "ar"), (T.WORK, T.MONEY), "samstags", 25),
    ),
    "innenstadt-west-ost": (
        VolunteerDef(
            "Shirin Rahimi", ("de", "fa", "en"), (T.HEALTH, T.LANGUAGE_COURSE), "mittwochs", 50
        ),
    ),
    "luetgendortmund": (
        VolunteerDef(
            "Olga Becker", ("de", "ru"), (T.OFFICIAL_MAIL, T.SCHOOL), "montags bis donnerstags", 100
        ),
    ),
}


def ensure_network(session: Session) -> None:
    """Partner details and contact persons, and the offices' volunteers (only where none yet)."""
    partners = {partner.name: partner for partner in session.exec(select(Partner))}
    held = set(session.exec(select(PartnerContact.partner_id)))
    for name, details in PARTNER_DETAILS.items():
        partner = partners.get(name)
        if partner is None or partner.id in held:
            continue
        partner.offers, partner.opening_hours = details.offers, details.opening_hours
        partner.capacity_note = details.capacity_note
        session.add(partner)
        for someone in details.contacts:
            contact = contacts.ContactIn(
                name=someone.name, role=someone.role, email=f"{someone.mailbox}.example",
                phone=someone.phone, languages=someone.languages.split(),
            )  # fmt: skip
            contacts.add(session, partner.id, contact)  # type: ignore[arg-type]
    today = berlin(utc_now()).date()
    offices = {office.code: office for office in session.exec(select(Office))}
    with_volunteers = set(session.exec(select(Volunteer.office_id)))
    number = 0
    for code, people in VOLUNTEERS.items():
        office = offices.get(code)
        if office is None or office.id in with_volunteers:
            continue
        for person in people:
            number += 1
            since = today - timedelta(weeks=person.weeks_with_us)
            data = volunteers.VolunteerIn(
                name=person.name, email=f"ehrenamt{number}@{DOMAIN}",
                phone=f"+49 30 23125 {300 + number}", languages=list(person.languages),
                helps_with=list(person.helps_with), districts=[office.districts[0]],
                availability=person.availability, contact_consent_on=since, agreement_on=since,
            )  # fmt: skip
            volunteers.save(session, office.id, data)  # type: ignore[arg-type]
    session.flush()


def ensure_round_tables(session: Session) -> None:
    """Per office without one: a round table held five weeks ago and the next in three weeks."""
    with_meetings = set(session.exec(select(RoundTable.office_id)))
    today = berlin(utc_now()).date()
    for office in session.exec(select(Office).order_by(col(Office.id))):
        if office.id in with_meetings:
            continue
        people = list(
            session.exec(
                select(Staff)
                .where(Staff.office_id == office.id, col(Staff.active).is_(True))
                .order_by(col(Staff.id))
            )
        )
        supervisor = next((s for s in people if s.role == Role.SUPERVISOR), None)
        caseworkers = [s for s in people if s.role == Role.CASEWORKER]
        if supervisor is None or not caseworkers:
            continue
        district = office.districts[0]
        kita = _contact_at(session, "Jugendamt Dortmund – Kita-Platzvergabe")
        school = _contact_at(session, "Kommunales Integrationszentrum Dortmund")

        held = _plan(
            session, office, supervisor, district, today + timedelta(days=1), "Runder Tisch"
        )
        for guest in (supervisor, *caseworkers):
            meetings.add_guest(session, held, meetings.GuestIn(staff_id=guest.id))
        for contact in (kita, school):
            if contact is not None:
                meetings.add_guest(session, held, meetings.GuestIn(contact_id=contact.id))
        # It took place five weeks ago, its invitations long sent.
        held.starts_at = local_moment(today - timedelta(weeks=5), time(17))
        for invited in meetings.guests(session, held.id):  # type: ignore[arg-type]
            invited.guest.invited_sequence = 0
            invited.guest.invited_at = held.starts_at - timedelta(weeks=3)
            session.add(invited.guest)
        session.add(held)
        session.flush()
        meetings.record_minutes(
            session,
            held,
            meetings.MinutesIn(
                minutes=(
                    f"Runder Tisch {district}: Bericht aus der Sprechstunde und den "
                    "Willkommensbesuchen. Schwerpunkte: fehlende Kita-Plätze für unter "
                    "Dreijährige, lange Wartezeiten auf Plätze in Auffangklassen, Stromverträge "
                    "ohne SCHUFA-Auskunft. Die Bezirksvertretung wird über die Zahlen informiert."
                )
            ),
        )
        add = items.add
        add(session, held, items.ItemIn(
            kind="decision",
            text="Die Sprechstunde bietet einmal im Monat eine Kita-Sprechstunde mit dem "
                 "Jugendamt an.",
        ))  # fmt: skip
        add(session, held, items.ItemIn(
            kind="action", text="Liste der Kitas mit freien Plätzen im Stadtbezirk einholen",
            owner_staff_id=caseworkers[0].id, due_on=today - timedelta(days=6),
        ))  # fmt: skip
        done = add(session, held, items.ItemIn(
            kind="action", text="Zahlen der Hemmnisse für die Bezirksvertretung aufbereiten",
            owner_staff_id=supervisor.id, due_on=today - timedelta(weeks=2),
        ))  # fmt: skip
        actions.done(session, [held.id], done.id, now=utc_now() - timedelta(weeks=3))  # type: ignore[list-item, arg-type]
        add(session, held, items.ItemIn(
            kind="action", text="Termin mit dem Energieversorger zu Verträgen ohne SCHUFA",
            owner_staff_id=caseworkers[-1].id, due_on=today + timedelta(weeks=2),
        ))  # fmt: skip

        upcoming = _plan(
            session, office, supervisor, district, today + timedelta(weeks=3), "Runder Tisch"
        )
        upcoming.agenda = [
            "Offene Aufgaben vom letzten Mal",
            "Integrationshemmnisse seit dem letzten Runden Tisch",
            "Kita-Sprechstunde: erste Erfahrungen",
            "Verschiedenes",
        ]
        session.add(upcoming)
        for guest in (supervisor, *caseworkers):
            meetings.add_guest(session, upcoming, meetings.GuestIn(staff_id=guest.id))
        if kita is not None:
            meetings.add_guest(session, upcoming, meetings.GuestIn(contact_id=kita.id))
        session.flush()


def ensure_variants(session: Session) -> None:
    """Two offices vary the move-in workflow, as agreed with their district councils (only
    where an office has no variant yet): Eving/Scharnhorst gives the energy contract three weeks
    and reminds the household of it ten days ahead, and adds a Stromspar-Check in the flat;
    Innenstadt Nord visits within ten days, prefers the Nordstadt energy advice and offers a
    walk through the quarter."""
    admin = session.exec(select(Staff).where(Staff.role == Role.ADMIN).order_by(col(Staff.id)))
    author = admin.first()
    offices = {office.code: office for office in session.exec(select(Office))}
    nordstadt = session.exec(
        select(Partner.id).where(
            Partner.name == "Energieberatung der Verbraucherzentrale, Nordstadt"
        )
    ).first()
    wanted = {
        "eving-scharnhorst": {
            "due_days": {"energy": 21}, "reminder_days_before": {"energy": 10},
            "local_steps": [{"key": "stromspar_check", "label": "Stromspar-Check in der Wohnung",
                             "due_days": 28, "partner_category": "energy_advice",
                             "at_intake": True}],
            "reason": "Absprache mit der Bezirksvertretung Eving: Stromverträge brauchen hier "
                      "wegen der Wartezeit beim Stromspar-Check länger.",
        },
        "innenstadt-nord": {
            "milestone_days": {"welcome_visit": 10},
            "preferred_partners": {"energy_advice": nordstadt} if nordstadt else {},
            "local_steps": [{"key": "quartiersrundgang", "label": "Quartiersrundgang Nordstadt",
                             "due_days": 30}],
            "reason": "Runder Tisch Innenstadt-Nord: Willkommensbesuch in den ersten zehn Tagen, "
                      "Energieberatung im Stadtteil zuerst.",
        },
    }  # fmt: skip
    for code, changes in wanted.items():
        office = offices.get(code)
        if office is None or variants.current(session, office.id, CURRENT.name) is not None:  # type: ignore[arg-type]
            continue
        data = variants.VariantIn.model_validate(changes)
        variants.save(session, office.id, CURRENT, data, author_id=author.id if author else None)  # type: ignore[arg-type]
    session.flush()


def ensure_desk_contacts(session: Session, rng: random.Random) -> None:
    """A few anonymous visits at each staffed hour on its days of the last four weeks (only when
    the desk has recorded none yet)."""
    if session.exec(select(ConsultationContact.id)).first() is not None:
        return
    now = utc_now()
    today = berlin(now).date()
    duties = session.exec(
        select(ConsultationHour, Staff)
        .join(ConsultationDuty, col(ConsultationDuty.hour_id) == ConsultationHour.id)
        .join(Staff, col(Staff.id) == ConsultationDuty.staff_id)
        .order_by(col(ConsultationHour.id))
    )
    for hour, staff in duties:
        for days_ago in range(1, 29):
            day = today - timedelta(days=days_ago)
            if day.weekday() != hour.weekday:
                continue
            for _ in range(rng.randint(1, 6)):
                at = local_moment(day, hour.starts) + timedelta(minutes=rng.randint(0, 90))
                outcome = rng.choice([*ContactOutcome, ContactOutcome.RESOLVED])
                data = desk.ContactIn(
                    hour_id=hour.id, occurred_at=at, persons=rng.choice([1, 1, 1, 2, 3]),
                    topics=rng.sample(list(T), k=rng.choice([1, 1, 2])),
                    language=rng.choice(hour.languages), interpreter_used=rng.random() < 0.2,
                    outcome=outcome,
                    referred_to="Jobcenter" if outcome == ContactOutcome.REFERRED else None,
                )  # fmt: skip
                desk.record_contact(session, data, staff=staff, now=now)
    session.flush()


def _plan(
    session: Session, office: Office, supervisor: Staff, district: str, day: date, title: str
) -> RoundTable:
    data = meetings.MeetingIn(
        district=district, title=f"{title} {district}", starts_at=local_moment(day, time(17)),
        place=office.address, agenda=["Bericht aus dem Büro", "Integrationshemmnisse"],
    )  # fmt: skip
    return meetings.plan(session, office.id, data, actor_id=supervisor.id)  # type: ignore[arg-type]


def _contact_at(session: Session, partner_name: str) -> PartnerContact | None:
    return session.exec(
        select(PartnerContact)
        .join(Partner, col(Partner.id) == PartnerContact.partner_id)
        .where(Partner.name == partner_name)
        .order_by(col(PartnerContact.id))
    ).first()
