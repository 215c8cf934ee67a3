"""Consent with its evidence through the JSON API, by the case page's rules: recorded only with a
signature, the form and the signed form as files, an expiry that refuses referrals until the
consent is renewed (real app and database)."""

import base64
import io
from datetime import date, timedelta

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Consent, ConsentEvidence
from tests.helpers import drawn_signature
from tests.web.test_api import token_for
from tests.web.test_cases import count


def today() -> date:
    return berlin(utc_now()).date()


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_consent_is_recorded_with_its_scan_and_the_files_come_back(web_world, client):
    """Given a caseworker's token, when the unsigned form is fetched for a choice and the signed
    paper form is sent back as a scan with an expiry, then the list shows the consent in force
    until that day, signed on paper, and the evidence is the scan as sent."""
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    base = f"/api/cases/{case_id}/consents/energy_advice"
    until = (today() + timedelta(days=90)).isoformat()
    form = client.get(f"{base}/form?shared_fields=name,email", headers=auth)
    assert form.status_code == 200 and form.headers["content-type"] == "application/pdf"
    printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(form.content)).pages)
    assert "Energieberatung" in printed and "familie.haddad@household.example" in printed
    assert count(Consent) == 0
    assert client.get(f"{base}/evidence", headers=auth).status_code == 404  # nothing signed yet

    scan = photo()
    body = {
        "shared_fields": ["name", "email"],
        "expires_on": until,
        "evidence": {"kind": "paper", "data": encoded(scan)},
    }
    granted = client.put(base, json=body, headers=auth)
    assert granted.status_code == 200, granted.text
    (listed,) = granted.json()
    assert listed["expires_on"] == until and listed["in_force"] is True
    assert listed["evidence"] == "paper" and listed["shared_fields"] == ["name", "email"]
    kept = client.get(f"{base}/evidence", headers=auth)
    assert kept.headers["content-type"] == "image/jpeg" and kept.content == scan


def test_no_signature_or_a_bad_one_is_refused_and_nothing_is_saved(web_world, client):
    """Given a caseworker's token, when consent is sent without evidence, with text that is not
    base64, with a file that is no image or PDF, with an empty tablet signature, or with a date
    that has passed, then each is a 422 naming the field, and nothing is saved."""
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    base = f"/api/cases/{case_id}/consents/energy_advice"
    blank = io.BytesIO()
    Image.new("RGBA", (600, 200), (0, 0, 0, 0)).save(blank, "PNG")
    signature = {"kind": "tablet", "data": encoded(drawn_signature())}
    bodies = [
        {},
        {"evidence": {"kind": "paper", "data": "kein base64!"}},
        {"evidence": {"kind": "paper", "data": encoded(b"MZ\x90\x00 an executable")}},
        {"evidence": {"kind": "tablet", "data": encoded(photo())}},  # a photo is not drawn
        {"evidence": {"kind": "tablet", "data": encoded(blank.getvalue())}},
        {"evidence": signature, "expires_on": (today() - timedelta(days=1)).isoformat()},
    ]
    for body in bodies:
        refused = client.put(base, json=body, headers=auth)
        assert refused.status_code == 422, (body.keys(), refused.text)
    assert count(Consent) == 0 and count(ConsentEvidence) == 0


def test_an_expired_consent_refuses_referrals_until_it_is_renewed(web_world, client):
    """Given a consent that held until yesterday, when a referral is asked for, then it is
    refused with the day it ended and the list shows it not in force; renewed with a new
    signature, the referral goes out."""
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    base = f"/api/cases/{case_id}/consents/energy_advice"
    signed = {"evidence": {"kind": "tablet", "data": encoded(drawn_signature())}}
    client.put(base, json={**signed, "expires_on": today().isoformat()}, headers=auth)
    yesterday = today() - timedelta(days=1)
    with unit_of_work() as session:
        session.execute(update(Consent).values(expires_on=yesterday))

    (listed,) = client.get(f"/api/cases/{case_id}/consents", headers=auth).json()
    assert listed["in_force"] is False
    refer = {"partner_category": "energy_advice"}
    refused = client.post(f"/api/cases/{case_id}/referrals", json=refer, headers=auth)
    assert refused.status_code == 422
    assert f"galt bis {yesterday:%d.%m.%Y}" in refused.json()["errors"]["partner_category"]

    assert client.put(base, json=signed, headers=auth).status_code == 200
    (renewed,) = client.get(f"/api/cases/{case_id}/consents", headers=auth).json()
    assert renewed["in_force"] is True and renewed["expires_on"] is None
    referred = client.post(f"/api/cases/{case_id}/referrals", json=refer, headers=auth)
    assert referred.status_code == 201, referred.text
