"""Evidence of consent on the case page (Art. 7(1) GDPR): the consent form in the household's
language and German for exactly the chosen fields, signed on paper (uploaded) or on the tablet,
kept and served back; an expiry after which referrals are refused until the consent is renewed;
garbage instead of a signature refused with nothing saved (real app, database and PDFs)."""

import base64
import io
from datetime import date, timedelta

from PIL import Image
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import CaseEvent, CaseRead, Consent, ConsentEvidence, Referral, Reminder
from models.enums import ReferralStatus, ReminderKind
from tests.helpers import drawn_signature, step
from tests.web.conftest import csrf, login
from tests.web.test_cases import count, flashes, follow, load, post_form, step_row, text
from tests.web.test_partner_links import energy_state, the_referral

SIGNATURE = "data:image/png;base64," + base64.b64encode(drawn_signature()).decode()


def today() -> date:
    return berlin(utc_now()).date()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def record(client, case_id: int, fields: list[str], *, expires_on: str = "", **evidence):  # type: ignore[no-untyped-def]
    """Post the signing form of the consent page as the browser does (multipart)."""
    page = f"/cases/{case_id}/einwilligungen/energy_advice"
    token = csrf(client, f"/cases/{case_id}")
    data = {"shared_fields": fields, "expires_on": expires_on, "csrf_token": token}
    files = {"scan": evidence.pop("scan")} if "scan" in evidence else None
    return client.post(page, data={**data, **evidence}, files=files)


def test_the_form_names_the_partners_the_fields_with_their_values_and_how_to_withdraw(
    web_world, client
):
    """Given an Arabic-speaking household, when the caseworker chooses name and address for
    energy advice until a date, then the page shows the form in Arabic and German, and the PDF
    to print reads back: the category and today's partner, each chosen field with the value that
    would go out (and not the phone), the date, that it is voluntary and how to withdraw (the
    office's email and phone), and lines to sign."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    until = (today() + timedelta(days=365)).isoformat()
    choice = f"shared_fields=name&shared_fields=address&expires_on={until}"
    page = client.get(f"/cases/{case_id}/einwilligungen/energy_advice?weiter=1&{choice}")
    assert page.status_code == 200
    shown = text(page)
    assert 'lang="ar" dir="rtl"' in shown and "استشارة الطاقة" in shown  # energy advice, Arabic
    assert "Einwilligung in die Weitergabe Ihrer Daten" in shown
    assert "Evinger Straße 12, 44339 Dortmund" in shown and "0231 123456" not in shown

    response = client.get(f"/cases/{case_id}/einwilligungen/energy_advice/formular.pdf?{choice}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    form = pdf_text(response.content)
    german = form[form.index("DEUTSCHE FASSUNG") :]  # the label is set in capitals
    assert "بياناتكم" in form  # the Arabic part comes first, as text (not boxes)
    assert "Energieberatung" in german and "Caritas Stromspar-Check" in german
    assert "Name der Ansprechperson" in german and "Amal Haddad" in german
    assert "Evinger Straße 12, 44339 Dortmund" in german
    assert "Telefon\n" not in german and "0231 123456" not in form  # not chosen, not shown
    assert f"gilt bis zum {date.fromisoformat(until):%d.%m.%Y}" in german
    assert "freiwillig" in german and "jederzeit ohne Begründung widerrufen" in german
    assert "eving@lokal-willkommen.example" in german
    assert "Ort, Datum" in german and "Unterschrift" in german
    assert count(Consent) == 0  # showing and printing the form records no consent
    readings = [r.what for r in load(CaseRead, case_id=case_id)]
    assert readings == ["consent", "consent"]  # but it is a reading of the household's data


def test_a_signed_paper_form_is_kept_and_served_back_byte_for_byte(web_world, client):
    """Given the printed form, signed and scanned as a PDF, when it is uploaded with the choice,
    then the consent is in force with that scope, the scan is kept with its checksum, the case
    page links it and serves exactly those bytes, the history says how it was signed, and
    opening the scan is a reading of the case."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    printed = client.get(
        f"/cases/{case_id}/einwilligungen/energy_advice/formular.pdf?shared_fields=name"
    ).content
    scan = printed  # what the office's scanner makes of the signed sheet is a PDF like this

    recorded = record(client, case_id, ["name"], scan=("scan.pdf", scan, "application/pdf"))
    after = follow(client, recorded)
    assert "Einwilligung erfasst: Energieberatung (auf Papier unterschrieben (Scan))." in (
        flashes(after)
    )
    (consent,) = load(Consent)
    (kept,) = load(ConsentEvidence)
    assert consent.shared_fields == ["name"] and consent.expires_on is None
    assert kept.consent_id == consent.id and kept.kind == "paper" and kept.data == scan
    assert kept.sha256 is not None and len(kept.sha256) == 64
    link = f"/cases/{case_id}/einwilligungen/nachweis/{consent.id}"
    assert link in after.text and "Scan des unterschriebenen Formulars" in text(after)
    served = client.get(link)
    assert served.status_code == 200 and served.content == scan
    assert served.headers["content-type"] == "application/pdf"
    assert "consent" in [r.what for r in load(CaseRead, case_id=case_id)]
    (event,) = load(CaseEvent, case_id=case_id, trigger="grant_consent")
    assert "auf Papier unterschrieben" in (event.note or "")
    assert 'value="refer_energy"' in after.text  # the referral is possible now


def test_a_photo_of_the_signed_form_is_taken_as_well(web_world, client):
    """Given a phone photo (JPEG) of the signed form, when it is uploaded, then it is kept and
    served back as a JPEG."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    buffer = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(buffer, "JPEG")
    photo = buffer.getvalue()
    recorded = record(client, case_id, ["name", "phone"], scan=("foto.jpg", photo, "image/jpeg"))
    assert recorded.status_code == 303
    (consent,) = load(Consent)
    served = client.get(f"/cases/{case_id}/einwilligungen/nachweis/{consent.id}")
    assert served.headers["content-type"] == "image/jpeg" and served.content == photo


def test_a_tablet_signature_makes_the_households_signed_copy(web_world, client):
    """Given the signature drawn on the tablet, when the consent is recorded, then it is in
    force and its form comes back as a PDF with the signature image and the day it was signed
    (the household's copy)."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    recorded = record(client, case_id, ["name", "languages"], signature=SIGNATURE)
    after = follow(client, recorded)
    assert "auf dem Tablet unterschrieben" in " ".join(flashes(after))
    (consent,) = load(Consent)
    (kept,) = load(ConsentEvidence)
    assert kept.kind == "tablet" and kept.content_type == "image/png"
    assert kept.data == drawn_signature()
    copy = client.get(f"/cases/{case_id}/einwilligungen/nachweis/{consent.id}")
    assert copy.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(copy.content))
    assert sum(len(page.images) for page in reader.pages) >= 2  # in each language's part
    signed_text = pdf_text(copy.content)
    assert f"Unterschrieben am {today():%d.%m.%Y}" in signed_text
    assert "Ort, Datum" not in signed_text  # signed: no empty lines to sign on


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 200), (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def test_no_signature_or_garbage_is_refused_with_a_reason_and_nothing_is_saved(web_world, client):
    """Given the signing form, when it is sent without a signature, with an empty signature
    field, with a text file called .pdf, with a cut-off image, with both a scan and a
    signature, or with an expiry in the past, then each is refused (422) with its reason on the
    page, and no consent, evidence or history entry is saved."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    png = drawn_signature()
    attempts = [
        ({}, "Bitte auf dem Tablet unterschreiben lassen oder das unterschriebene Formular"),
        ({"signature": "data:image/png;base64," + base64.b64encode(blank_png()).decode()},
         "Das Unterschriftsfeld ist leer"),
        ({"signature": "data:image/png;base64,@@@"}, "kam nicht als Bild an"),
        ({"scan": ("form.pdf", b"Hallo, ich bin keine PDF", "application/pdf")},
         "Bitte eine PDF-, JPEG- oder PNG-Datei hochladen."),
        ({"scan": ("form.png", png[: len(png) // 2], "image/png")}, "lässt sich nicht lesen"),
        ({"scan": ("form.pdf", b"%PDF-1.7\n1 0 obj", "application/pdf")}, "unvollständig"),
        ({"scan": ("a.png", png, "image/png"), "signature": SIGNATURE}, "nicht beides"),
        ({"signature": SIGNATURE, "expires_on": (today() - timedelta(days=1)).isoformat()},
         "Das Ablaufdatum liegt in der Vergangenheit."),
        ({"signature": SIGNATURE, "expires_on": "31.02.2027"}, "Bitte ein Datum angeben"),
    ]  # fmt: skip
    for evidence, reason in attempts:
        response = record(client, case_id, ["name"], **evidence)
        assert response.status_code == 422, (evidence.keys(), response.status_code)
        assert reason in text(response), reason
    assert count(Consent) == 0 and count(ConsentEvidence) == 0
    assert load(CaseEvent, case_id=case_id, trigger="grant_consent") == []


def test_an_expired_consent_refuses_the_referral_until_it_is_renewed(web_world, client):
    """Given consent to energy advice until today, when the day has passed, then the case page
    says it expired and why "refer" is not possible, a referral is refused; renewed with a new
    signature, the referral reaches the partner, and the expired consent stays on record with
    its own form."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = f"/cases/{case_id}"
    record(client, case_id, ["name"], signature=SIGNATURE, expires_on=today().isoformat())
    assert 'value="refer_energy"' in client.get(page).text  # valid through today
    with unit_of_work() as session:  # the day passes
        yesterday = today() - timedelta(days=1)
        session.execute(update(Consent).values(expires_on=yesterday))

    shown = text(client.get(page))
    ended = f"Die Einwilligung zur Weitergabe an 'Energieberatung' galt bis {yesterday:%d.%m.%Y}."
    assert "abgelaufen" in shown and ended in shown
    assert 'value="refer_energy"' not in shown
    refused = post_form(client, f"{page}/advance", {"trigger": "refer_energy"}, page)
    assert any(ended in message for message in flashes(follow(client, refused)))
    assert load(Referral, case_id=case_id) == [] and energy_state(case_id) == "open"

    renewed = record(client, case_id, ["name", "phone"], signature=SIGNATURE)
    assert renewed.status_code == 303
    old, new = load(Consent)
    assert old.replaced_at is not None and new.replaced_at is None and new.expires_on is None
    assert count(ConsentEvidence) == 2  # each consent keeps its own signed form
    events = load(CaseEvent, case_id=case_id, trigger="grant_consent")
    assert "erneuert" in (events[-1].note or "")
    referred = post_form(client, f"{page}/advance", {"trigger": "refer_energy"}, page)
    history = text(follow(client, referred)).split('id="verlauf"')[1]
    assert step_row(case_id, "energy").state == "referred"
    assert "Weitervermittelt an Caritas Stromspar-Check" in history


def test_withdrawal_keeps_working_and_the_page_offers_to_record_again(web_world, client):
    """Given a signed consent, when it is withdrawn on the case page, then it is on record as
    withdrawn, referring is refused with the reason, and the page offers to record it anew."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = f"/cases/{case_id}"
    record(client, case_id, ["name"], signature=SIGNATURE)
    withdrawn = post_form(client, f"{page}/consents/energy_advice/withdraw", {}, page)
    after = follow(client, withdrawn)
    assert "Einwilligung widerrufen: Energieberatung." in flashes(after)
    (consent,) = load(Consent)
    assert consent.withdrawn_at is not None
    assert "Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt." in text(after)
    assert f'href="/cases/{case_id}/einwilligungen/energy_advice"' in after.text
    again = post_form(client, f"{page}/consents/energy_advice/withdraw", {}, page)
    assert any("keine Einwilligung" in m for m in flashes(follow(client, again)))
    assert client.get(f"{page}/einwilligungen/astrology").status_code == 404


def test_staff_end_a_referral_with_a_reason_and_the_partner_is_asked_to_delete(web_world, client):
    """Given a referred energy step, when the caseworker ends the referral with a reason (the
    partner said no on the phone), then the step is open, the referral withdrawn, and the
    partner gets an email asking it to delete the data."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    record(client, case_id, ["name"], signature=SIGNATURE)
    step(case_id, "refer_energy", web_world.caseworker_id)
    step(case_id, "end_referral_energy", web_world.caseworker_id, note="Partner hat keine Zeit")
    assert energy_state(case_id) == "open"
    assert the_referral(case_id).status == ReferralStatus.WITHDRAWN
    with unit_of_work() as session:
        kinds = [r.kind for r in session.exec(select(Reminder).where(Reminder.case_id == case_id))]
    assert kinds.count(ReminderKind.REFERRAL_WITHDRAWN) == 1
