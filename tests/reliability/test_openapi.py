"""The API keeps the promises of its OpenAPI document: schemathesis generates requests from the
schema (valid and invalid ones) and checks every answer against it, with every check on.

CI runs WILLKOMMEN_SCHEMA_EXAMPLES=30 per operation; ``make attack`` runs more.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.web.test_api import token_for
from web.app import create_app

BUSINESS_RULES = {
    ("POST", "/api/households"),
    ("POST", "/api/cases/{case_id}/advance"),
    ("GET", "/api/cases/{case_id}/history"),  # before: an entry of this case's history
    ("PATCH", "/api/cases/{case_id}/household"),  # dates relative to today, the office's districts
    ("POST", "/api/cases/{case_id}/members"),  # birth dates not in the future
    ("PATCH", "/api/cases/{case_id}/members/{member_id}"),
    ("POST", "/api/cases/{case_id}/members/{member_id}/remove"),  # the last member stays
    ("POST", "/api/cases/{case_id}/visits"),  # a visit planned, not ahead, not in the future
    ("PUT", "/api/cases/{case_id}/consents/{category}"),  # a real signature, a future date
    ("GET", "/api/cases/{case_id}/consents/{category}/form"),  # a date not past
    ("DELETE", "/api/cases/{case_id}/consents/{category}"),  # only a consent given
    ("POST", "/api/cases/{case_id}/referrals"),  # consent and a fitting partner
    ("POST", "/api/cases/{case_id}/reassign"),  # a colleague of the office, by rule
    ("POST", "/api/cases/{case_id}/transfer"),  # another office's district
    ("POST", "/api/cases/{case_id}/transfer/accept"),  # a handover open, the right side
    ("POST", "/api/cases/{case_id}/transfer/decline"),
    ("POST", "/api/cases/{case_id}/transfer/withdraw"),
    ("POST", "/api/cases/{case_id}/erasure"),  # refused while a case is open
    ("POST", "/api/consultation-hours"),  # the office's own sub-location and staff
    ("PUT", "/api/consultation-hours/{hour_id}"),
    ("POST", "/api/consultation-hours/{hour_id}/closures"),  # a day the hour is held
    ("POST", "/api/consultation-bookings"),  # a free slot of a held day, in the future
    ("POST", "/api/consultation-bookings/{booking_id}/cancel"),  # a booking still open
    ("POST", "/api/consultation-bookings/{booking_id}/no-show"),  # begun, still open
    ("POST", "/api/consultation-contacts"),  # not ahead, not too late, the office's case
    ("POST", "/api/cases/{case_id}/obstacles"),  # an entry of the office's list, a step it has
    ("POST", "/api/cases/{case_id}/obstacles/{obstacle_id}/resolve"),  # an open one
    ("POST", "/api/obstacle-kinds"),  # a code not taken in the office
    ("PUT", "/api/obstacle-kinds/{kind_id}"),
    ("GET", "/api/obstacle-figures"),  # from not after to
    ("POST", "/api/volunteers"),  # reachable, consent not in the future
    ("PUT", "/api/volunteers/{volunteer_id}"),
    ("POST", "/api/partners/{partner_id}/contacts"),  # an email or a phone number
    ("POST", "/api/cases/{case_id}/volunteer-suggestions"),  # consent, the office's volunteer
    ("POST", "/api/cases/{case_id}/volunteer-suggestions/{suggestion_id}/end"),  # still running
    ("POST", "/api/round-tables"),  # a served district, in the future
    ("PUT", "/api/round-tables/{round_table_id}"),
    ("POST", "/api/round-tables/{round_table_id}/guests"),  # not twice, a reachable person
    ("PUT", "/api/round-tables/{round_table_id}/minutes"),  # after the meeting
    ("POST", "/api/round-tables/{round_table_id}/items"),  # an owner of the office
    ("POST", "/api/round-tables/{round_table_id}/cancel"),  # only a planned one
    ("POST", "/api/offices/{office_id}/process/variant"),  # steps it has, in bounds, no law's
    ("POST", "/api/round-table-items/{item_id}/changes"),  # as the action's workflow allows
}
EXAMPLES = int(os.environ.get("WILLKOMMEN_SCHEMA_EXAMPLES", "30"))
# CI runs the same examples every time (a failure there is the change's, not luck's);
# ``make attack`` draws new ones on every run.
RANDOM = os.environ.get("WILLKOMMEN_SCHEMA_RANDOM") == "1"


# The document needs no database; the requests run against each test's database (env).
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app())


@pytest.mark.timeout(900)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not RANDOM,
)
def test_the_api_answers_as_its_schema_says(case, web_world):  # type: ignore[no-untyped-def]
    """Given a caseworker's token, when any request the schema allows (or forbids) is sent, then
    the answer is no server error and matches its documented status, type and body."""
    if not getattr(web_world, "case_opened", False):
        web_world.open_case()  # something to find
        web_world.case_opened = True
    headers = token_for(web_world, "caseworker")
    if (case.operation.method.upper(), case.operation.path) in BUSINESS_RULES:
        # Schema-valid data may meet a rule the schema cannot hold (a date relative to today, a
        # district of another office, a trigger not offered now): 409 or 422, as documented.
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        documented = (200, 201, 400, 401, 403, 404, 405, 409, 413, 422)  # 405: another method
        assert response.status_code in documented, response.text
    else:
        case.call_and_validate(headers=headers)
