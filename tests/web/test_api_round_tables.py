"""Round tables through the API: planned, a guest invited (queued through the outbox, ids
only), an action and a decision, minutes after the meeting, the open action at the next one,
done once; another office 404, garbage 422 (SQLite and PostgreSQL)."""

from datetime import timedelta

from sqlmodel import select

from core.clock import utc_now
from core.db import unit_of_work
from models import OutboxMessage
from tests.web.test_api import token_for
from tests.workflows.roundtables.conftest import held_earlier


def test_a_round_table_through_the_api(web_world, client):
    jonas = token_for(web_world, "supervisor")
    mia = token_for(web_world, "other_caseworker")
    starts = (utc_now() + timedelta(days=7)).replace(microsecond=0).isoformat()
    body = {
        "district": "Eving",
        "title": "Runder Tisch Eving",
        "place": "Rathaus",
        "starts_at": starts,
    }
    assert (
        client.post(
            "/api/round-tables", json={**body, "district": "Mengede"}, headers=jonas
        ).status_code
        == 422
    )
    made = client.post("/api/round-tables", json=body, headers=jonas)
    assert made.status_code == 201, made.text
    meeting = made.json()["id"]
    guest = {"name": "Frau Bezirksbürgermeisterin", "email": "bv@eving.example"}
    assert (
        client.post(f"/api/round-tables/{meeting}/guests", json=guest, headers=jonas).status_code
        == 201
    )
    assert client.post(f"/api/round-tables/{meeting}/invitations", headers=jonas).json() == {
        "queued": 1
    }
    with unit_of_work() as session:
        (queued,) = session.exec(
            select(OutboxMessage).where(OutboxMessage.task == "roundtables.send_invitations")
        ).all()
        assert queued.arguments == {"round_table_id": meeting}
    due = (utc_now() + timedelta(days=30)).date().isoformat()
    lea = web_world.caseworker_id
    action = {
        "kind": "action",
        "text": "Liste freier Kita-Plätze",
        "owner_staff_id": lea,
        "due_on": due,
    }
    item = client.post(f"/api/round-tables/{meeting}/items", json=action, headers=jonas)
    assert item.status_code == 201 and item.json()["owner"] == "Lea Brandt"
    assert (
        client.put(
            f"/api/round-tables/{meeting}/minutes", json={"minutes": "x"}, headers=jonas
        ).status_code
        == 422
    )
    assert client.get(f"/api/round-tables/{meeting}", headers=mia).status_code == 404

    held_earlier(meeting, 1)
    done_minutes = client.put(
        f"/api/round-tables/{meeting}/minutes", json={"minutes": "Gut besucht."}, headers=jonas
    )
    assert done_minutes.status_code == 200 and done_minutes.json()["status"] == "held"
    following = client.post("/api/round-tables", json=body, headers=jonas).json()
    assert [i["text"] for i in following["still_open"]] == ["Liste freier Kita-Plätze"]
    assert (
        client.post(f"/api/round-table-items/{item.json()['id']}/done", headers=mia).status_code
        == 404
    )
    done = client.post(f"/api/round-table-items/{item.json()['id']}/done", headers=jonas)
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert (
        client.post(f"/api/round-table-items/{item.json()['id']}/done", headers=jonas).status_code
        == 422
    )
