"""Who may do what: role × office × route, for pages and form posts.

A caseworker works on her office's cases only; another office's case is not found (404), not
merely hidden. Supervisors see their office (the head of the social welfare office all of them)
and the dashboard; administrators manage accounts, offices and partners but see no case.
"""

import base64

import pytest

from tests.helpers import drawn_signature
from tests.web.conftest import csrf, login

SIGNATURE = "data:image/png;base64," + base64.b64encode(drawn_signature()).decode()

ALLOWED, FORBIDDEN, NOT_FOUND, SIGN_IN = "allowed", 403, 404, "sign-in"

# role → expected outcome, per route. Roles: cw/sup = Eving office (where the case is),
# other_cw/other_sup = Lütgendortmund, head = supervisor of all offices, admin, anon.
CASE_ROUTE = {
    "caseworker": ALLOWED,
    "supervisor": ALLOWED,
    "other_caseworker": NOT_FOUND,
    "other_supervisor": NOT_FOUND,
    "head": ALLOWED,
    "admin": FORBIDDEN,
    "anon": SIGN_IN,
}
CASE_LIST = {**CASE_ROUTE, "other_caseworker": ALLOWED, "other_supervisor": ALLOWED}
SUPERVISORS = {
    "caseworker": FORBIDDEN,
    "supervisor": ALLOWED,
    "other_caseworker": FORBIDDEN,
    "other_supervisor": ALLOWED,
    "head": ALLOWED,
    "admin": FORBIDDEN,
    "anon": SIGN_IN,
}
ADMINS = {role: FORBIDDEN for role in CASE_ROUTE} | {"admin": ALLOWED, "anon": SIGN_IN}

ROUTES = [
    ("GET", "/cases", CASE_LIST),
    ("GET", "/cases/{case}", CASE_ROUTE),
    ("POST", "/cases/{case}/advance", CASE_ROUTE),
    ("POST", "/cases/{case}/notes", CASE_ROUTE),
    ("GET", "/cases/{case}/einwilligungen/energy_advice?weiter=1&shared_fields=name", CASE_ROUTE),
    ("GET", "/cases/{case}/einwilligungen/energy_advice/formular.pdf?shared_fields=name",
     CASE_ROUTE),
    ("POST", "/cases/{case}/einwilligungen/energy_advice", CASE_ROUTE),
    ("POST", "/cases/{case}/consents/energy_advice/withdraw", CASE_ROUTE),
    ("GET", "/cases/{case}/preview?kind=consultation_info", CASE_ROUTE),
    ("GET", "/intake", CASE_LIST),
    ("GET", "/dashboard", SUPERVISORS),
    ("GET", "/admin", ADMINS),
    ("GET", "/admin/staff", ADMINS),
    ("POST", "/admin/offices", ADMINS),
    ("POST", "/admin/partners", ADMINS),
]  # fmt: skip

FORMS = {
    "/advance": {"trigger": "complete_registration", "version": "1"},
    "/notes": {"text": "Anruf beim Vermieter", "note": "Anruf beim Vermieter"},
    "/einwilligungen/energy_advice": {"shared_fields": "name", "signature": SIGNATURE},
}


def outcome(response) -> object:  # type: ignore[no-untyped-def]
    if response.status_code in (302, 303) and response.headers["location"].startswith("/login"):
        return SIGN_IN
    if response.status_code in (FORBIDDEN, NOT_FOUND):
        return response.status_code
    assert response.status_code < 500, response.text
    return ALLOWED


@pytest.mark.parametrize("role", list(CASE_ROUTE))
def test_each_role_reaches_exactly_its_routes(web_world, client, role):
    """Given one account of each role and a case in the Eving office,
    when each account calls every page and form, then it is allowed, refused (403), told the
    case does not exist (404) or sent to sign in — exactly as the rules say."""
    case_id = web_world.open_case()
    if role != "anon":
        login(client, web_world.emails[role])
    token = csrf(client, "/login")
    wrong = []
    for method, template, expected in ROUTES:
        path = template.format(case=case_id)
        if method == "GET":
            response = client.get(path)
        else:
            form = next((v for k, v in FORMS.items() if path.endswith(k)), {})
            response = client.post(path, data={**form, "csrf_token": token})
        if outcome(response) != expected[role]:
            wrong.append((method, path, expected[role], response.status_code))
    assert wrong == []
