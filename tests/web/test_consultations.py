"""Consultation hours in the staff pages: who keeps the schedule, another office's hours not
found, garbage refused at its field, a date called off with its bookings, booking from a case,
the desk's contact form, and the month's count for supervisors (SQLite and PostgreSQL)."""

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import (
    ConsultationBooking,
    ConsultationClosure,
    ConsultationContact,
    ConsultationHour,
    SubLocation,
    Visitor,
)
from models.enums import BookingStatus
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text
from tests.workflows.consultations.conftest import at, next_weekday

HOUR = {"weekday": "1", "starts": "10:00", "ends": "12:00", "slot_minutes": "30", "capacity": "1"}


@pytest.fixture
def lanstrop(web_world) -> int:
    with unit_of_work() as session:
        place = SubLocation(
            office_id=web_world.office_id, name="Lanstrop", address="Lanstroper Str. 1"
        )
        session.add(place)
        session.flush()
        return int(place.id)  # type: ignore[arg-type]


def post(client, path: str, data: dict, page: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def hours() -> list[ConsultationHour]:
    with unit_of_work() as session:
        return list(session.exec(select(ConsultationHour)))


def test_the_offices_supervisor_adds_an_hour_and_a_caseworker_may_not(web_world, client, lanstrop):
    """Given the Eving supervisor, when she adds Tuesday 10–12 at Lanstrop with Lea Brandt on
    duty, then it is listed with its place and duty; a caseworker gets 403 for the form and the
    post, and the other office's supervisor does not find the hour (404)."""
    login(client, web_world.emails["supervisor"])
    data = {
        **HOUR,
        "sub_location_id": str(lanstrop),
        "staff_ids": [str(web_world.caseworker_id)],
        "languages": ["ar", "de"],
    }
    response = post(client, "/sprechstunden", data, "/sprechstunden/neu")
    page = follow(client, response)
    assert "Sprechstunde Dienstag 10:00–12:00 angelegt." in flashes(page)
    assert (
        "Lanstrop" in text(page)
        and "Lea Brandt" in text(page)
        and "Arabisch, Deutsch" in text(page)
    )
    (hour,) = hours()
    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})

    login(client, web_world.emails["caseworker"])
    assert client.get("/sprechstunden/neu").status_code == 403
    assert post(client, "/sprechstunden", HOUR, "/sprechstunden").status_code == 403
    assert client.get(f"/sprechstunden/{hour.id}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})

    login(client, web_world.emails["other_supervisor"])
    assert client.get(f"/sprechstunden/{hour.id}").status_code == 404
    assert post(client, f"/sprechstunden/{hour.id}", HOUR, "/sprechstunden").status_code == 404
    assert client.get(f"/sprechstunden/tag?ort={lanstrop}").status_code == 404
    assert len(hours()) == 1


def test_garbage_in_the_hour_form_is_refused_at_its_field_and_nothing_saved(web_world, client):
    """Given an administrator, when the hour she enters has its end before its beginning, no
    time, a capacity of -3 and a staff member of another office, then the form comes back (422)
    with a message at each field and nothing is saved."""
    login(client, web_world.emails["admin"])
    page = f"/sprechstunden/neu?buero={web_world.office_id}"
    bad = {
        **HOUR,
        "ends": "09:00",
        "capacity": "-3",
        "staff_ids": [str(web_world.ids["other_caseworker"])],
    }
    response = post(client, f"/sprechstunden?buero={web_world.office_id}", bad, page)
    assert response.status_code == 422
    assert "Mindestens 1." in text(response)
    response = post(
        client, f"/sprechstunden?buero={web_world.office_id}", {**HOUR, "starts": "x\x00"}, page
    )
    assert response.status_code in (400, 422)
    response = post(
        client,
        f"/sprechstunden?buero={web_world.office_id}",
        {**HOUR, "staff_ids": [str(web_world.ids["other_caseworker"])]},
        page,
    )
    assert response.status_code == 422
    assert "Nur aktive Mitarbeitende dieses Büros" in text(response)
    assert hours() == []


def test_a_called_off_date_tells_the_desk_whom_to_call(web_world, client, lanstrop):
    """Given a person without a case booked at Lanstrop next Tuesday by phone, when the
    supervisor records that the hour does not take place that day, then the message names the
    person and number to call, the booking is cancelled, and the date shows as called off."""
    login(client, web_world.emails["supervisor"])
    post(client, "/sprechstunden", {**HOUR, "sub_location_id": str(lanstrop)}, "/sprechstunden/neu")
    (hour,) = hours()
    day = next_weekday(1)
    sheet = f"/sprechstunden/tag?buero={web_world.office_id}&ort={lanstrop}&datum={day.isoformat()}"
    booked = post(
        client,
        "/sprechstunden/buchen",
        {
            "hour_id": str(hour.id),
            "starts_at": at(day, 10, 30).isoformat(),
            "name": "Herr K.",
            "phone": "0176 5551234",
            "language": "ru",
            "back": sheet,
        },
        sheet,
    )
    assert "Gebucht:" in flashes(follow(client, booked))[0]
    response = post(
        client,
        f"/sprechstunden/{hour.id}/ausfall",
        {"day": day.isoformat(), "reason": "Fortbildung"},
        f"/sprechstunden/{hour.id}",
    )
    page = follow(client, response)
    assert flashes(page) == [
        f"Ausfall am {day:%d.%m.%Y} eingetragen. Wer ohne Fall gebucht hatte, steht unten zum "
        "Anrufen."
    ]
    assert "Bitte anrufen: Herr K. · 0176 5551234 (gebucht 10:30 Uhr)" in text(page)
    assert "fällt aus: Fortbildung" in text(page)
    with unit_of_work() as session:
        (made,) = session.exec(select(ConsultationBooking)).all()
        assert (made.status, made.cancelled_reason) == (
            BookingStatus.CANCELLED,
            "Sprechstunde fällt aus: Fortbildung",
        )
        assert len(session.exec(select(ConsultationClosure)).all()) == 1


def test_a_household_is_booked_from_its_case_and_a_full_slot_is_refused(
    web_world, client, lanstrop
):
    """Given Tuesday 10–12 at Lanstrop, when the caseworker books 10:30 from one case's page,
    then the case page's list of free slots no longer offers 10:30 to a second case, and a
    second booking sent anyway (a page opened before) is refused with the times still free."""
    login(client, web_world.emails["supervisor"])
    post(client, "/sprechstunden", {**HOUR, "sub_location_id": str(lanstrop)}, "/sprechstunden/neu")
    (hour,) = hours()
    first, second = web_world.open_case(), web_world.open_case(family_name="Sadiq")
    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})
    login(client, web_world.emails["caseworker"])
    day = next_weekday(1)
    slot = f"{hour.id}|{at(day, 10, 30).isoformat()}"
    assert slot in client.get(f"/cases/{first}/sprechstunde").text
    response = post(
        client,
        "/sprechstunden/buchen",
        {"slot": slot, "case_id": str(first), "back": f"/cases/{first}/sprechstunde"},
        f"/cases/{first}/sprechstunde",
    )
    assert flashes(follow(client, response))[0].startswith(f"Gebucht: {day:%d.%m.%Y} 10:30 Uhr.")
    assert slot not in client.get(f"/cases/{second}/sprechstunde").text
    response = post(
        client,
        "/sprechstunden/buchen",
        {"slot": slot, "case_id": str(second), "back": f"/cases/{second}/sprechstunde"},
        f"/cases/{second}/sprechstunde",
    )
    assert flashes(follow(client, response)) == [
        "Nicht gebucht: Dieser Termin ist schon ausgebucht (1 von 1). "
        "Frei sind noch: 10:00, 11:00, 11:30."
    ]
    other_case = web_world.open_case(
        actor_id=web_world.ids["other_caseworker"], district="Lütgendortmund", postal_code="44388"
    )
    response = post(
        client,
        "/sprechstunden/buchen",
        {"slot": slot, "case_id": str(other_case)},
        f"/cases/{first}/sprechstunde",
    )
    assert response.status_code == 404


def test_a_walk_in_is_recorded_at_the_desk_and_counted_for_the_supervisor(
    web_world, client, lanstrop
):
    """Given the desk at Lanstrop today, when the caseworker records someone who came without a
    booking and a name (2 people, Kita and Strom/Gas, resolved), then today's sheet lists the
    contact, and the supervisor's count of the month has 1 visit and 2 persons at Lanstrop; a
    caseworker may not see the count (403)."""
    login(client, web_world.emails["caseworker"])
    sheet = f"/sprechstunden/tag?buero={web_world.office_id}&ort={lanstrop}"
    data = {
        "sub_location_id": str(lanstrop),
        "persons": "2",
        "topics": ["kita", "energy"],
        "outcome": "resolved",
        "back": sheet,
    }
    page = follow(client, post(client, "/sprechstunden/kontakte", data, sheet))
    assert flashes(page) == ["Kontakt erfasst."]
    assert "Kontakte heute (1)" in text(page) and "Kita, Strom/Gas" in text(page)
    bad = post(
        client, "/sprechstunden/kontakte", {**data, "topics": [], "outcome": "referred"}, sheet
    )
    assert "Kontakt nicht gespeichert" in flashes(follow(client, bad))[0]
    assert client.get("/sprechstunden/zahlen").status_code == 403
    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})
    login(client, web_world.emails["supervisor"])
    figures = text(client.get("/sprechstunden/zahlen"))
    assert '<th scope="row">Lanstrop</th><td>1</td><td>2</td>' in figures
    with unit_of_work() as session:
        assert len(session.exec(select(ConsultationContact)).all()) == 1


def test_moving_an_hour_away_from_a_booking_is_refused_on_its_form(web_world, client, lanstrop):
    """Given a person booked at 10:30 next Tuesday, when the supervisor moves the hour to begin
    at 10:15, then the form comes back (422) with the reason at the weekday, and the hour keeps
    its time."""
    login(client, web_world.emails["supervisor"])
    post(client, "/sprechstunden", {**HOUR, "sub_location_id": str(lanstrop)}, "/sprechstunden/neu")
    (hour,) = hours()
    day = next_weekday(1)
    sheet = f"/sprechstunden/tag?buero={web_world.office_id}&ort={lanstrop}&datum={day.isoformat()}"
    data = {"hour_id": str(hour.id), "starts_at": at(day, 10, 30).isoformat(), "name": "Herr K."}
    post(client, "/sprechstunden/buchen", data, sheet)
    moved = {**HOUR, "sub_location_id": str(lanstrop), "starts": "10:15"}
    response = post(client, f"/sprechstunden/{hour.id}", moved, f"/sprechstunden/{hour.id}")
    assert response.status_code == 422
    assert 'id="e-weekday"' in response.text and "passen nicht mehr" in text(response)
    assert f"{hours()[0].starts:%H:%M}" == "10:00"


def test_a_person_who_comes_again_is_chosen_at_the_desk_and_counted_once(
    web_world, client, lanstrop
):
    """Given Frau S. recorded at the Lanstrop desk by name, when she comes again and the
    caseworker picks her from the known people (not typing her name anew), then the month
    counts 2 visits and 1 person; picking her and typing a name as well is refused, and
    another office's desk does not offer her."""
    login(client, web_world.emails["caseworker"])
    sheet = f"/sprechstunden/tag?buero={web_world.office_id}&ort={lanstrop}"
    data = {"sub_location_id": str(lanstrop), "topics": ["official_mail"], "outcome": "resolved",
            "language": "ru", "back": sheet}  # fmt: skip
    first = follow(
        client, post(client, "/sprechstunden/kontakte", {**data, "name": "Frau S."}, sheet)
    )
    assert flashes(first) == ["Kontakt erfasst."]
    with unit_of_work() as session:
        (visitor,) = session.exec(select(Visitor)).all()
    page = text(client.get(sheet))
    assert f'<option value="{visitor.id}">Frau S. (Russisch) · zuletzt' in page
    again = post(client, "/sprechstunden/kontakte", {**data, "visitor_id": str(visitor.id)}, sheet)
    assert flashes(follow(client, again)) == ["Kontakt erfasst."]
    both = {**data, "visitor_id": str(visitor.id), "name": "Frau S."}
    refused = follow(client, post(client, "/sprechstunden/kontakte", both, sheet))
    assert "Höchstens eines angeben" in flashes(refused)[0]
    with unit_of_work() as session:
        assert len(session.exec(select(Visitor)).all()) == 1
        contacts = session.exec(select(ConsultationContact)).all()
        assert [c.visitor_id for c in contacts] == [visitor.id, visitor.id]

    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})
    login(client, web_world.emails["supervisor"])
    assert '<th scope="row">Lanstrop</th><td>2</td><td>1</td>' in text(
        client.get("/sprechstunden/zahlen")
    )
    client.post("/logout", data={"csrf_token": csrf(client, "/sprechstunden")})
    login(client, web_world.emails["other_caseworker"])
    elsewhere = f"/sprechstunden/tag?buero={web_world.other_office_id}"
    assert "Frau S." not in text(client.get(elsewhere))
    stolen = {"topics": ["official_mail"], "outcome": "resolved", "visitor_id": str(visitor.id),
              "back": elsewhere}  # fmt: skip
    refused = follow(client, post(client, "/sprechstunden/kontakte", stolen, elsewhere))
    assert "Person nicht gefunden." in " ".join(flashes(refused))
