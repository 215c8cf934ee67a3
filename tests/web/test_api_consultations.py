"""The consultation-hours API: the schedule kept by an administrator, a booking and a full slot,
a contact at the desk, the month's count, and the office rules (SQLite and PostgreSQL)."""

from datetime import timedelta

from core.clock import berlin, utc_now
from tests.web.test_api import token_for
from tests.workflows.consultations.conftest import at, next_weekday


def test_an_hour_is_kept_booked_visited_and_counted_through_the_api(web_world, client):
    """Given an administrator's token, when she adds Tuesday 10–12 (capacity 1) with Lea Brandt
    on duty, then the caseworker sees it and its slots, books 10:00 for a household, a second
    booking of 10:00 is refused (422) with the times still free, the household's visit is
    recorded, and the supervisor's count of that month has 1 visit; the caseworker may not add
    hours (403), and the other office finds neither the hour nor the booking (404)."""
    admin, caseworker = token_for(web_world, "admin"), token_for(web_world, "caseworker")
    supervisor, other = token_for(web_world, "supervisor"), token_for(web_world, "other_caseworker")
    hour = {
        "weekday": 1,
        "starts": "10:00",
        "ends": "12:00",
        "staff_ids": [web_world.caseworker_id],
    }
    created = client.post(
        "/api/consultation-hours", json={**hour, "office_id": web_world.office_id}, headers=admin
    )
    assert created.status_code == 201, created.text
    hour_id = created.json()["id"]
    assert created.json()["place"] == "Büro Eving/Scharnhorst"
    assert (
        client.post(
            "/api/consultation-hours",
            json={**hour, "office_id": web_world.office_id},
            headers=caseworker,
        ).status_code
        == 403
    )
    listed = client.get("/api/consultation-hours", headers=caseworker).json()
    assert [(h["id"], h["staff_ids"]) for h in listed] == [(hour_id, [web_world.caseworker_id])]

    tuesday = next_weekday(1)
    slots = client.get(
        f"/api/consultation-hours/{hour_id}/slots?date={tuesday.isoformat()}", headers=caseworker
    ).json()
    assert [s["free"] for s in slots] == [1, 1, 1, 1]
    case_id = web_world.open_case()
    booked = client.post(
        "/api/consultation-bookings",
        json={"hour_id": hour_id, "starts_at": at(tuesday, 10).isoformat(), "case_id": case_id},
        headers=caseworker,
    )
    assert booked.status_code == 201, booked.text
    assert (booked.json()["status"], booked.json()["language"]) == ("booked", "ar")
    full = client.post(
        "/api/consultation-bookings",
        json={
            "hour_id": hour_id,
            "starts_at": at(tuesday, 10).isoformat(),
            "visitor": {"name": "Frau S."},
        },
        headers=caseworker,
    )
    assert full.status_code == 422
    assert full.json()["errors"]["starts_at"].endswith("Frei sind noch: 10:30, 11:00, 11:30.")
    assert (
        client.post(
            f"/api/consultation-bookings/{booked.json()['id']}/cancel", headers=other
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/consultation-hours/{hour_id}/slots?date={tuesday.isoformat()}", headers=other
        ).status_code
        == 404
    )

    visit = {
        "booking_id": booked.json()["id"],
        "hour_id": hour_id,
        "topics": ["school"],
        "outcome": "resolved",
        "occurred_at": at(tuesday, 10, 5).isoformat(),
    }
    too_early = client.post("/api/consultation-contacts", json=visit, headers=caseworker)
    assert too_early.status_code == 422
    assert (
        too_early.json()["errors"]["occurred_at"] == "Ein Kontakt kann nicht in der Zukunft liegen."
    )
    visit.pop("occurred_at")
    contact = client.post(
        "/api/consultation-contacts",
        json={**visit, "booking_id": None, "case_id": case_id},
        headers=caseworker,
    )
    assert contact.status_code == 201, contact.text
    assert (contact.json()["case_id"], contact.json()["walk_in"]) == (case_id, True)

    assert (
        client.get("/api/consultation-figures?month=2026-13", headers=supervisor).status_code == 422
    )
    assert (
        client.get("/api/consultation-figures?month=2026-11", headers=caseworker).status_code == 403
    )
    month = f"{berlin(utc_now()):%Y-%m}"
    counted = client.get(f"/api/consultation-figures?month={month}", headers=supervisor).json()
    office = next(p for p in counted["places"] if p["sub_location_id"] is None)
    assert (office["visits"], office["persons"], office["with_case"], office["topics"]) == (
        1,
        1,
        1,
        {"school": 1},
    )


def test_a_called_off_date_answers_whom_to_call(web_world, client):
    """Given a person without a case booked by phone, when the supervisor calls the date off
    through the API, then the answer lists that person with the number to call, and reopening
    the date works once (then 404)."""
    supervisor = token_for(web_world, "supervisor")
    created = client.post(
        "/api/consultation-hours",
        json={"office_id": web_world.office_id, "weekday": 1, "starts": "10:00", "ends": "11:00"},
        headers=supervisor,
    )
    hour_id = created.json()["id"]
    tuesday = next_weekday(1)
    client.post(
        "/api/consultation-bookings",
        json={
            "hour_id": hour_id,
            "starts_at": at(tuesday, 10, 30).isoformat(),
            "visitor": {"name": "Herr K.", "phone": "0176 5551234"},
        },
        headers=supervisor,
    )
    closed = client.post(
        f"/api/consultation-hours/{hour_id}/closures",
        json={"day": tuesday.isoformat(), "reason": "Feiertag"},
        headers=supervisor,
    )
    assert closed.status_code == 201, closed.text
    assert [(c["name"], c["phone"], c["case_id"]) for c in closed.json()["called_off"]] == [
        ("Herr K.", "0176 5551234", None)
    ]
    wednesday = (tuesday + timedelta(days=1)).isoformat()
    wrong_day = client.post(
        f"/api/consultation-hours/{hour_id}/closures",
        json={"day": wednesday, "reason": "Feiertag"},
        headers=supervisor,
    )
    assert wrong_day.status_code == 422
    assert (
        client.delete(
            f"/api/consultation-hours/{hour_id}/closures/{tuesday.isoformat()}", headers=supervisor
        ).status_code
        == 204
    )
    assert (
        client.delete(
            f"/api/consultation-hours/{hour_id}/closures/{tuesday.isoformat()}", headers=supervisor
        ).status_code
        == 404
    )


def test_a_known_person_is_listed_and_booked_again_by_id(web_world, client):
    """Given Herr K. booked by phone, when the office's people without a case are listed, then
    he is there with his number; a second booking by his id adds nobody; another office's
    caseworker does not see him, whichever office is asked for; an administrator works on no
    case and gets 403."""
    caseworker = token_for(web_world, "caseworker")
    supervisor = token_for(web_world, "supervisor")
    created = client.post(
        "/api/consultation-hours",
        json={"office_id": web_world.office_id, "weekday": 1, "starts": "10:00", "ends": "11:00"},
        headers=supervisor,
    )
    hour_id, tuesday = created.json()["id"], next_weekday(1)
    first = {"hour_id": hour_id, "starts_at": at(tuesday, 10).isoformat(),
             "visitor": {"name": "Herr K.", "phone": "0176 5551234", "language": "ru"}}  # fmt: skip
    assert (
        client.post("/api/consultation-bookings", json=first, headers=caseworker).status_code == 201
    )
    (known,) = client.get("/api/consultation-visitors", headers=caseworker).json()
    assert (known["name"], known["phone"], known["language"]) == ("Herr K.", "0176 5551234", "ru")
    again = {"hour_id": hour_id, "starts_at": at(tuesday, 10, 30).isoformat(),
             "visitor_id": known["id"]}  # fmt: skip
    booked = client.post("/api/consultation-bookings", json=again, headers=caseworker)
    assert booked.status_code == 201 and booked.json()["visitor_id"] == known["id"]
    assert len(client.get("/api/consultation-visitors", headers=caseworker).json()) == 1

    other = token_for(web_world, "other_caseworker")
    assert client.get("/api/consultation-visitors", headers=other).json() == []
    mine = f"/api/consultation-visitors?office_id={web_world.office_id}"
    assert client.get(mine, headers=other).json() == []  # their own office, whatever is asked
    assert client.get(mine, headers=token_for(web_world, "admin")).status_code == 403
