"""The process page (``/ablauf``): the move-in workflow as an office runs it — each step with
when it applies, when it is due and who is reminded, the visits' deadlines, the state diagrams
in plain German — and the office's variant with every revision (author, date, reason).

Supervisors read their office's; the head of the welfare office and administrators choose an
office; administrators change the variant here (a new revision, refused with the reason per
field when it breaks a rule of the definition). Caseworkers follow each case's track instead.

Administrators edit in the product rather than in a reviewed file: they are office staff, not
developers; the product checks every rule at once, records who changed what and why, and a
change reaches new cases at once without a deployment.
"""

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from models import Office, Partner, Staff
from models.enums import PARTNER_CATEGORY_LABELS, Role
from web.csrf import verify_csrf
from web.deps import CurrentStaff, DbSession
from web.outcome import done
from web.routes.case_forms import form_text, parse_int
from web.templating import render
from workflows.casework.household import parse
from workflows.definitions import variants
from workflows.definitions.words import COUNTED_FROM, MILESTONE_FROM
from workflows.engine.definition import Workflow
from workflows.engine.diagram import readable
from workflows.engine.errors import InvalidInput
from workflows.move_in import CURRENT, rules

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def office_in_view(session: Session, staff: Staff, chosen: int | None) -> Office | None:
    """The office whose process ``staff`` reads: their own; without one, the chosen (None: none
    chosen yet). Caseworkers: 403; an office that does not exist: 404."""
    if staff.role == Role.CASEWORKER or not staff.active:
        raise HTTPException(403, "Der Ablauf je Büro ist für die Leitung und die Verwaltung.")
    office_id = staff.office_id if staff.office_id is not None else chosen
    if office_id is None:
        return None
    office = session.get(Office, office_id)
    if office is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    return office


def _partners(session: Session, base: Workflow) -> dict[str, list[Partner]]:
    """Per partner category a step refers to: the active partners an office may prefer."""
    categories = {str(s.partner_category) for s in base.steps.values() if s.partner_category}
    query = select(Partner).where(col(Partner.active).is_(True)).order_by(col(Partner.name))
    found: dict[str, list[Partner]] = {category: [] for category in sorted(categories)}
    for partner in session.exec(query):
        if partner.category in found:
            found[partner.category].append(partner)
    return found


def _context(
    session: Session, staff: Staff, office: Office | None, **values: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "staff": staff,
        "nav": "admin" if staff.role == Role.ADMIN else "dashboard",
        "title": "Ablauf",
        "base": CURRENT,
        "office": office,
        "offices": list(session.exec(select(Office).order_by(col(Office.name))))
        if staff.office_id is None
        else [],
        "may_edit": staff.role == Role.ADMIN,
        "applies_words": {name: words for name, (_rule, words) in rules.APPLIES.items()},
        "intake_words": rules.AT_INTAKE,
        "counted_from": COUNTED_FROM,
        "milestone_from": MILESTONE_FROM,
        "category_labels": PARTNER_CATEGORY_LABELS,
        "case_diagram": readable(CURRENT.case),
        "step_diagram": readable(CURRENT.step),
        "errors": {},
        "entered": {},
    }
    if office is not None:
        assert office.id is not None
        context["effective"] = variants.effective(session, office.id, CURRENT)
        context["history"] = variants.history(session, office.id, CURRENT.name)
        context["partners"] = _partners(session, CURRENT)
        context["local_rows"] = _local_rows(session, office.id)
    return context | values


LOCAL_ROWS = 5  # as many as a variant may add


def _local_rows(session: Session, office_id: int) -> list[dict[str, Any]]:
    """The office's own steps as the form shows them, with empty rows to add more."""
    variant = variants.current(session, office_id, CURRENT.name)
    rows = list(variant.overrides.get("local_steps", [])) if variant is not None else []
    return rows + [{}] * (LOCAL_ROWS - len(rows))


@router.get("/ablauf")
def process_page(
    request: Request, staff: CurrentStaff, session: DbSession, buero: str = ""
) -> Response:
    office = office_in_view(session, staff, parse_int(buero[:12]))
    return render(request, "process/process.html", _context(session, staff, office))


def _number(form: FormData, name: str, errors: dict[str, str]) -> int | None:
    raw = form_text(form, name, 6)
    if not raw:
        return None
    number = parse_int(raw)
    if number is None:
        errors[name] = "Bitte eine ganze Zahl."
    return number


def variant_from_form(form: FormData, base: Workflow) -> tuple[dict[str, Any], dict[str, str]]:
    """What the form changes of the base (a value left as the base has it is no change)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "due_days": {}, "reminder_days_before": {}, "milestone_days": {}, "labels": {},
        "preferred_partners": {}, "reason": form_text(form, "reason", 500),
    }  # fmt: skip
    for kind, step in base.steps.items():
        due = _number(form, f"due_days.{kind}", errors)
        if due is not None and due != step.due.days:
            data["due_days"][kind] = due
        reminder = _number(form, f"reminder_days_before.{kind}", errors)
        standing = step.reminders[0].days_before if step.reminders else None
        if reminder is not None and reminder != standing:
            data["reminder_days_before"][kind] = reminder
        label = form_text(form, f"labels.{kind}", 120)
        if label and label != step.label:
            data["labels"][kind] = label
    for name, milestone in base.milestones.items():
        days = _number(form, f"milestone_days.{name}", errors)
        if days is not None and days != milestone.days:
            data["milestone_days"][name] = days
    categories = {str(s.partner_category) for s in base.steps.values() if s.partner_category}
    for category in sorted(categories):
        partner_id = _number(form, f"preferred_partners.{category}", errors)
        if partner_id:
            data["preferred_partners"][category] = partner_id
    data["local_steps"] = _local_steps(form, errors)
    return data, errors


def _local_steps(form: FormData, errors: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of own steps filled in (a row left empty, or emptied, is no step)."""
    found = []
    for n in range(LOCAL_ROWS):
        at = f"local_steps.{n}"
        key, label = form_text(form, f"{at}.key", 40), form_text(form, f"{at}.label", 120)
        if not key and not label:
            continue
        due = _number(form, f"{at}.due_days", errors)
        if due is None and f"{at}.due_days" not in errors:
            errors[f"{at}.due_days"] = "Bitte die Frist in Tagen angeben."
        found.append({
            "key": key, "label": label, "due_days": due or 0,
            "partner_category": form_text(form, f"{at}.partner_category", 40) or None,
            "at_intake": form.get(f"{at}.at_intake") == "ja",
        })  # fmt: skip
    return found


@router.post("/ablauf/{office_id:int}")
async def save_variant(
    request: Request, office_id: int, staff: CurrentStaff, session: DbSession
) -> Response:
    if staff.role != Role.ADMIN or not staff.active:
        raise HTTPException(403, "Die Variante eines Büros ändert die Verwaltung.")
    office = session.get(Office, office_id)
    if office is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    form = await request.form()
    data, errors = variant_from_form(form, CURRENT)
    try:
        parsed = parse(variants.VariantIn, data)
        errors = variants.check(session, CURRENT, parsed) | errors  # all at once, the form's first
        if errors:
            raise InvalidInput(errors)
        saved = variants.save(session, office_id, CURRENT, parsed, author_id=staff.id)
    except InvalidInput as exc:
        session.rollback()
        entered = {key: form_text(form, key, 500) for key in form}
        context = _context(session, staff, office, errors=exc.errors | errors, entered=entered)
        return render(request, "process/process.html", context, status_code=422)
    message = (
        f"Variante für {office.name} gespeichert (Stand {saved.revision}): gilt für neue Fälle."
    )
    return done(request, session, message, f"/ablauf?buero={office_id}")
