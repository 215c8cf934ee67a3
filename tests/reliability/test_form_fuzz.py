"""Property-based fuzz of every form a person can post: whatever is typed into whichever field,
the answer is never a server error, and a refused intake or change leaves nothing behind.

The fields are read from the rendered pages themselves, so a new field is fuzzed without
touching this test. CI runs WILLKOMMEN_FUZZ_EXAMPLES=25 per form; ``make attack`` runs more.
"""

import os
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import login
from tests.web.test_intake import NOTHING_SAVED, count

EXAMPLES = int(os.environ.get("WILLKOMMEN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people (and attackers) type: any text, control characters, numbers far beyond any column,
# dates at the ends of the calendar, very long strings. Surrogates cannot be sent as UTF-8.
TYPED = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "\x00", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00",
                     "x" * 5000, "-1", "1e309", "NaN", "Ünïcödé ✓", "<script>", "' OR 1=1 --"]),
)  # fmt: skip


class _Forms(HTMLParser):
    """The POST forms of a page: action → names of their fields (the CSRF token kept aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self.csrf = ""
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self._action = found.get("action") or ""
            self.forms.setdefault(self._action, set())
        elif tag in ("input", "select", "textarea") and self._action is not None:
            name = found.get("name")
            if name == "csrf_token":
                self.csrf = found.get("value") or ""
            elif name:
                self.forms[self._action].add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def forms_on(client, page: str) -> tuple[dict[str, list[str]], str]:  # type: ignore[no-untyped-def]
    parser = _Forms()
    parser.feed(client.get(page).text)
    return {action: sorted(names) for action, names in parser.forms.items()}, parser.csrf


def _post_fuzzed(client, forms: dict[str, list[str]], token: str, data) -> list[int]:  # type: ignore[no-untyped-def]
    """Post each form with drawn values; return the statuses."""
    statuses = []
    for action, names in forms.items():
        values = {name: data.draw(TYPED, label=f"{action} {name}") for name in names}
        answer = client.post(action, data={**values, "csrf_token": token})
        statuses.append(answer.status_code)
    return statuses


def _forms(client, pages: list[str]) -> tuple[dict[str, list[str]], str]:  # type: ignore[no-untyped-def]
    """Every POST form on these pages (read once: the drawn fields must not depend on state)."""
    found: dict[str, list[str]] = {}
    token = ""
    for page in pages:
        forms, token = forms_on(client, page)
        assert forms, f"no form on {page}"
        found |= {action or page: names for action, names in forms.items()}
    return found, token


@pytest.mark.timeout(900)
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_every_staff_form_survives_whatever_is_typed(web_world, client):
    """Given a caseworker and an administrator, when every form they can post (intake, case
    actions, notes, consents, offices, partners, staff) is sent with drawn values, then no
    answer is a 5xx, and a refused intake saves nothing."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    intake_form, token = _forms(client, ["/intake"])
    consent_page = f"/cases/{case_id}/einwilligungen/energy_advice?weiter=1&shared_fields=name"
    case_forms, _ = _forms(client, [f"/cases/{case_id}", consent_page])

    @FUZZ
    @given(data=st.data())
    def caseworker(data) -> None:  # type: ignore[no-untyped-def]
        before = {m.__name__: count(m) for m in NOTHING_SAVED[:3]}
        intake = _post_fuzzed(client, intake_form, token, data)
        if intake != [303]:
            assert {m.__name__: count(m) for m in NOTHING_SAVED[:3]} == before
        statuses = _post_fuzzed(client, case_forms, token, data)
        assert all(status < 500 for status in intake + statuses), (intake, statuses)

    caseworker()
    login(client, web_world.emails["admin"])
    pages = ["/admin/offices/new", "/admin/partners/new", "/admin/staff/new",
             f"/admin/offices/{web_world.office_id}/sub-locations/new"]  # fmt: skip
    admin_forms, token = _forms(client, pages)

    @FUZZ
    @given(data=st.data())
    def administrator(data) -> None:  # type: ignore[no-untyped-def]
        statuses = _post_fuzzed(client, admin_forms, token, data)
        assert all(status < 500 for status in statuses), statuses

    administrator()


@FUZZ
@given(email=TYPED, password=TYPED, next_page=TYPED)
def test_the_sign_in_form_survives_whatever_is_typed_by_anyone(
    client_outside, email, password, next_page
):
    """Given nobody signed in, when the sign-in form is sent with anything at all, then the
    answer is a refusal or the form again, never a 5xx and never a way in."""
    client, token = client_outside
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "next": next_page, "csrf_token": token},
    )
    assert answer.status_code < 500
    assert client.get("/cases").status_code in (303, 307)  # still signed out


@pytest.fixture
def client_outside(client, web_world):  # type: ignore[no-untyped-def]
    _, token = forms_on(client, "/login")
    return client, token
