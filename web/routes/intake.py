"""Intake: staff register a household that has just moved in, and its case opens.

The form works without JavaScript (three empty member rows, "add a person" re-renders the form);
with HTMX one more row is fetched instead. Invalid input shows the form again with a message at
each field and saves nothing.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from core import limits
from core.clock import berlin, utc_now
from core.db import commit
from models import Office, Staff
from models.enums import CHANNEL_LABELS, District
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.routes.case_forms import place_choices
from web.templating import render
from workflows.casework.intake import open_case, parse_intake
from workflows.engine.access import visible_office_ids
from workflows.engine.errors import InvalidInput
from workflows.messaging import i18n

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

LANGUAGES = i18n.LANGUAGE_NAMES
CONTACT_CHANNELS = CHANNEL_LABELS
MEMBER_TEXT = {"given_name": "Vorname", "family_name": "Familienname", "birth_date": "Geburtsdatum"}
MEMBER_FLAGS = {
    "is_contact": "Ansprechperson",
    "in_school": "geht zur Schule",
    "in_childcare": "hat Kita-Platz",
    "able_to_work": "erwerbsfähig",
}
SIMPLE = ("family_name", "street", "postal_code", "district", "moved_in_on", "email", "phone")
HELPER = ("helper_name", "helper_phone", "helper_email")
OPTIONAL = ("email", "phone", *HELPER, "expected_birth_on", "sub_location_id")
EMPTY_ROWS = 3
MAX_MEMBERS = limits.MEMBERS
_MEMBER_KEY = re.compile(r"^members\.(\d{1,2})\.(\w+)$")

# Field labels (for the error summary) and German messages: (when empty, when invalid).
LABELS = {
    "family_name": "Familienname",
    "street": "Straße und Hausnummer",
    "postal_code": "Postleitzahl",
    "district": "Stadtbezirk",
    "moved_in_on": "Eingezogen am",
    "languages": "Sprachen",
    "contact_channels": "Kontaktwege",
    "email": "E-Mail",
    "phone": "Telefon",
    "helper_name": "Vertrauensperson",
    "helper_phone": "Telefon der Vertrauensperson",
    "helper_email": "E-Mail der Vertrauensperson",
    "expected_birth_on": "Geburt erwartet am",
    "sub_location_id": "Standort",
    "requested_steps": "Weitere Schritte",
    "members": "Haushaltsmitglieder",
    **MEMBER_TEXT,
}
_TOO_LONG = "Bitte kürzer fassen (höchstens 120 Zeichen)."
_PHONE = "Bitte eine gültige Telefonnummer angeben (Ziffern, Leerzeichen, + / ( ) -)."
_DATE = "Bitte ein gültiges Datum angeben."
MESSAGES = {
    "family_name": ("Bitte den Familiennamen angeben.", _TOO_LONG),
    "given_name": ("Bitte den Vornamen angeben.", _TOO_LONG),
    "street": ("Bitte Straße und Hausnummer angeben.", "Bitte Straße und Hausnummer angeben."),
    "postal_code": (
        "Bitte die Postleitzahl angeben.",
        "Bitte eine Dortmunder Postleitzahl angeben (5 Ziffern, beginnt mit 44).",
    ),
    "district": ("Bitte den Stadtbezirk wählen.", "Bitte einen Stadtbezirk aus der Liste wählen."),
    "moved_in_on": ("Bitte das Einzugsdatum angeben.", _DATE),
    "birth_date": ("Bitte das Geburtsdatum angeben.", _DATE),
    "expected_birth_on": (_DATE, _DATE),
    "languages": (
        "Bitte mindestens eine Sprache angeben.",
        "Weitere Sprachen bitte als Kürzel aus 2–3 Kleinbuchstaben angeben, z. B. ps.",
    ),
    "email": ("", "Bitte eine gültige E-Mail-Adresse angeben."),
    "phone": ("", "Bitte eine gültige Telefonnummer angeben (Ziffern, Leerzeichen, + / ( ) -)."),
    "helper_name": ("", _TOO_LONG),
    "helper_email": ("", "Bitte eine gültige E-Mail-Adresse angeben."),
    "helper_phone": (
        "",
        "Bitte eine gültige Telefonnummer angeben (Ziffern, Leerzeichen, + / ( ) -).",
    ),
    "members": ("Bitte mindestens ein Haushaltsmitglied angeben.", "Bitte prüfen."),
    "sub_location_id": ("", "Bitte einen Standort aus der Liste wählen."),
    "contact_channels": ("", "Bitte Kontaktwege aus der Liste wählen, jeden einmal."),
    "requested_steps": ("", "Bitte Schritte aus der Liste wählen."),
}


RANKS = 3  # ranked language choices on the forms; more go into "other"


def languages_entered(form: FormData) -> list[str]:
    """The ranked choices in their order, then the other codes typed in; each once."""
    ranked = [code for code in _texts(form, "languages") if code in LANGUAGES]
    other = re.split(r"[\s,;]+", _text(form, "languages_other").lower())
    return list(dict.fromkeys([*ranked, *(code for code in other if code)]))


def language_form(codes: list[str]) -> dict[str, Any]:
    """The ranked selects and the "other" field for these codes."""
    ranked = [code for code in codes if code in LANGUAGES][:RANKS]
    other = [code for code in codes if code not in ranked]
    return {"ranked": ranked + [""] * (RANKS - len(ranked)), "other": " ".join(other)}


def messages_in(codes: list[str]) -> str:
    """In words: the language(s) household messages go out in."""
    chosen = i18n.choose_languages(codes)
    return " und ".join(LANGUAGES.get(code, code) for code in chosen)


async def _read_form(request: Request) -> FormData:
    return await request.form()  # cached by Starlette: the CSRF check has read it already


Form = Annotated[FormData, Depends(_read_form)]


@dataclass
class IntakeForm:
    """The form as typed in: shown again unchanged when something is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    languages_other: str = ""
    contact_channels: list[str] = field(default_factory=list)
    transit_ticket: bool = False
    members: list[dict[str, Any]] = field(default_factory=lambda: [{} for _ in range(EMPTY_ROWS)])
    errors: dict[str, str] = field(default_factory=dict)
    # Someone was typed in beyond the last row a household may have: refused, never dropped.
    too_many: bool = False

    @classmethod
    def read(cls, form: FormData) -> "IntakeForm":
        rows: dict[int, dict[str, Any]] = {}
        too_many = False
        for key, value in form.multi_items():
            match = _MEMBER_KEY.match(key)
            if match and int(match[1]) >= MAX_MEMBERS and isinstance(value, str):
                too_many = too_many or bool(value.strip())
            elif match and isinstance(value, str):
                name = match[2]
                if name in MEMBER_TEXT:
                    rows.setdefault(int(match[1]), {})[name] = value.strip()[:200]
                elif name in MEMBER_FLAGS:
                    rows.setdefault(int(match[1]), {})[name] = True
        count = max([EMPTY_ROWS, *(i + 1 for i in rows)])
        return cls(
            values={k: _text(form, k) for k in (*SIMPLE, *OPTIONAL)},
            languages=[v for v in _texts(form, "languages") if v in LANGUAGES],
            languages_other=_text(form, "languages_other"),
            # The model takes any word here; only the channels offered are kept.
            contact_channels=[c for c in _texts(form, "contact_channels") if c in CONTACT_CHANNELS],
            transit_ticket=_text(form, "transit_ticket") != "",
            members=[rows.get(i, {}) for i in range(count)],
            too_many=too_many,
        )

    def rows_entered(self) -> list[int]:
        """Row numbers of the members typed in; completely empty rows are ignored."""
        return [i for i, row in enumerate(self.members) if any(row.values())]

    def data(self) -> dict[str, Any]:
        """The raw input for ``parse_intake``: empty optional fields left out."""
        others = re.split(r"[\s,;]+", self.languages_other.lower().strip())
        data: dict[str, Any] = {k: v for k, v in self.values.items() if v or k not in OPTIONAL}
        data["languages"] = list(dict.fromkeys([*self.languages, *(o for o in others if o)]))
        data["contact_channels"] = self.contact_channels  # empty: the default order
        data["requested_steps"] = ["transit_ticket"] if self.transit_ticket else []
        family = self.values.get("family_name", "")
        data["members"] = [
            {**self.members[i], "family_name": self.members[i].get("family_name") or family}
            for i in self.rows_entered()
        ]
        return data

    def field_name(self, key: str) -> str:
        """The form field an error key belongs to (member numbers refer to entered rows)."""
        parts = key.split(".")
        if parts[0] == "members" and len(parts) == 3 and parts[1].isdigit():
            rows = self.rows_entered()
            row = rows[int(parts[1])] if int(parts[1]) < len(rows) else int(parts[1])
            return f"members.{row}.{parts[2]}"
        if parts[0] in ("languages", "contact_channels", "requested_steps", "members"):
            return parts[0]
        return key if key in LABELS else "form"

    def translated(self, errors: dict[str, str]) -> dict[str, str]:
        """``parse_intake``'s messages (pydantic's English) in German, at their form fields."""
        result: dict[str, str] = {}
        for key, message in errors.items():
            name = self.field_name(key)
            if message.startswith("Value error, "):  # the model's own (German) words
                result.setdefault(name, message.removeprefix("Value error, "))
                continue
            last = name.rsplit(".", 1)[-1]
            empty, invalid = MESSAGES.get(last, ("Bitte ausfüllen.", "Bitte prüfen."))
            result.setdefault(name, (empty or invalid) if self._empty(name) else invalid)
        return result

    def _empty(self, name: str) -> bool:
        parts = name.split(".")
        if parts[0] == "members" and len(parts) == 3:
            return not self.members[int(parts[1])].get(parts[2])
        if name == "languages":
            return not self.languages and not self.languages_other.strip()
        return not self.values.get(name)


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip()[:500] if isinstance(value, str) else ""


def _texts(form: FormData, key: str) -> list[str]:
    return [v.strip()[:50] for v in form.getlist(key) if isinstance(v, str) and v.strip()][:20]


def _today() -> str:
    return berlin(utc_now()).date().isoformat()


def _render(
    request: Request, staff: Staff, session: Session, entered: IntakeForm, status_code: int = 200
) -> Response:
    own = session.get(Office, staff.office_id) if staff.office_id is not None else None
    summary = [
        (name, LABELS.get(name.rsplit(".", 1)[-1], ""), text)
        for name, text in entered.errors.items()
    ]
    context = {
        "staff": staff,
        "nav": "intake",
        "title": "Neuer Haushalt",
        "form": entered,
        "errors": entered.errors,
        "summary": summary,
        "own_office": own,
        "own_districts": [d for d in District if own and d in own.districts],
        "other_districts": [d for d in District if not own or d not in own.districts],
        "sub_locations": place_choices(session, visible_office_ids(staff)),
        "languages": LANGUAGES,
        "language_choice": {
            "ranked": (entered.languages + [""] * RANKS)[:RANKS],
            "other": entered.languages_other,
        },
        "supported": ", ".join(LANGUAGES[c] for c in i18n.SUPPORTED),
        "contact_channels": CONTACT_CHANNELS,
        "member_text": MEMBER_TEXT,
        "member_flags": MEMBER_FLAGS,
        "max_members": MAX_MEMBERS,
        "today": _today(),
    }
    return render(request, "intake/form.html", context, status_code=status_code)


@router.get("/intake")
def intake_form(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """The empty intake form."""
    return _render(request, staff, session, IntakeForm())


@router.get("/intake/member-row")
def member_row(request: Request, staff: CaseStaff, index: str = "0") -> Response:
    """One more empty member row (HTMX), and the "add" button moved on to the next number."""
    number = int(index) if index.isdigit() and len(index) <= 2 else 0
    context = {
        "staff": staff,
        "index": min(number, MAX_MEMBERS - 1),
        "member_text": MEMBER_TEXT,
        "member_flags": MEMBER_FLAGS,
        "max_members": MAX_MEMBERS,
        "today": _today(),
        "flashes": [],
    }
    return render(request, "intake/member_row.html", context)


@router.post("/intake")
def submit_intake(request: Request, staff: CaseStaff, session: DbSession, form: Form) -> Response:
    """Register the household and open its case; on any problem the form again, nothing saved."""
    entered = IntakeForm.read(form)
    if _text(form, "action") == "add_member":  # without JavaScript: one more row, nothing saved
        if len(entered.members) < MAX_MEMBERS:
            entered.members.append({})
        return _render(request, staff, session, entered)
    if entered.too_many:
        entered.errors = {"members": f"Höchstens {MAX_MEMBERS} Personen je Haushalt."}
        return _render(request, staff, session, entered, status_code=422)
    try:
        intake = parse_intake(entered.data())
    except InvalidInput as exc:
        entered.errors = entered.translated(exc.errors)
        return _render(request, staff, session, entered, status_code=422)
    try:
        case = open_case(session, intake, actor_id=staff.id)
    except InvalidInput as exc:  # already in German: the office's rules
        session.rollback()  # open_case may have written rows before it refused
        entered.errors = {entered.field_name(k): v for k, v in exc.errors.items()}
        return _render(request, staff, session, entered, status_code=422)
    commit(session)
    flash(request, f"Haushalt {intake.family_name} aufgenommen: Fall {case.number}.", "success")
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
