"""Web fixtures: the app over real HTTP semantics (Starlette's TestClient), staff of every role."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.db import unit_of_work
from core.passwords import hash_password
from models import Office, Staff
from models.enums import Employer, Role
from tests.conftest import World
from web.app import create_app

PASSWORD = "richtig-langes-passwort"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


class WebWorld(World):
    """The base world plus a second office and one account of every role, all with PASSWORD."""

    def __init__(self) -> None:
        super().__init__()
        with unit_of_work() as session:
            other = Office(
                code="luetgendortmund",
                name="Lütgendortmund",
                address="Limbecker Straße 20",
                partner_organisation="EHC",
                email="luedo@lokal-willkommen.example",
                districts=["Lütgendortmund"],
            )
            session.add(other)
            session.flush()
            self.other_office_id = other.id
            people = {
                "other_caseworker": Staff(
                    name="Mia Ortmann",
                    email="mia.ortmann@lokal-willkommen.example",
                    role=Role.CASEWORKER,
                    employer=Employer.ASSOCIATION,
                    employer_name="EHC",
                    office_id=other.id,
                ),
                "other_supervisor": Staff(
                    name="Ole Sander",
                    email="ole.sander@lokal-willkommen.example",
                    role=Role.SUPERVISOR,
                    employer=Employer.CITY,
                    employer_name="Stadt Dortmund",
                    office_id=other.id,
                ),
                "head": Staff(
                    name="Dr. Hanna Kolb",
                    email="hanna.kolb@lokal-willkommen.example",
                    role=Role.SUPERVISOR,
                    employer=Employer.CITY,
                    employer_name="Stadt Dortmund, Sozialamt",
                    office_id=None,
                ),
                "admin": Staff(
                    name="Kai Admin",
                    email="kai.admin@lokal-willkommen.example",
                    role=Role.ADMIN,
                    employer=Employer.CITY,
                    employer_name="Stadt Dortmund",
                    office_id=None,
                ),
            }
            session.add_all(people.values())
            session.flush()
            for staff in (
                session.get(Staff, self.caseworker_id),
                session.get(Staff, self.supervisor_id),
            ):
                staff.password_hash = _HASH  # type: ignore[union-attr]
            for staff in people.values():
                staff.password_hash = _HASH
            self.ids = {key: staff.id for key, staff in people.items()}
            self.ids.update(caseworker=self.caseworker_id, supervisor=self.supervisor_id)
            self.emails = {key: staff.email for key, staff in people.items()}
            self.emails.update(
                caseworker="lea.brandt@lokal-willkommen.example",
                supervisor="jonas.albers@lokal-willkommen.example",
            )


@pytest.fixture
def web_world(env: dict[str, str]) -> WebWorld:
    return WebWorld()


@pytest.fixture
def client(env: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://testserver", follow_redirects=False) as c:
        yield c


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token the page at ``path`` hands to its forms."""
    match = _TOKEN.search(client.get(path).text)
    assert match, f"no csrf_token on {path}"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf(client), "next": "/"},
    )
    assert response.status_code == 303, response.text
