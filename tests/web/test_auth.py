"""Signing in: argon2 passwords, a signed session cookie, lock-out, CSRF, sign-out."""

from sqlmodel import select

from core.db import unit_of_work
from models import Staff
from tests.web.conftest import PASSWORD, csrf, login


def test_sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it(web_world, client):
    """Given a caseworker with a password, when she signs in and later out,
    then the session cookie is HttpOnly and SameSite, and after sign-out pages ask to sign in."""
    response = client.post(
        "/login",
        data={
            "email": web_world.emails["caseworker"],
            "password": PASSWORD,
            "csrf_token": csrf(client),
        },
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    assert client.get("/cases").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    after = client.get("/cases")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_wrong_password_is_refused_and_the_account_locks_after_five(web_world, client):
    """Given a caseworker, when five wrong passwords are tried,
    then each is refused without saying which part was wrong, and then even the right one is
    refused until the lock expires."""
    email = web_world.emails["caseworker"]
    for _ in range(5):
        response = client.post(
            "/login", data={"email": email, "password": "falsch-falsch", "csrf_token": csrf(client)}
        )
        assert response.status_code == 401
        assert "E-Mail-Adresse oder Passwort ist falsch" in response.text
    locked = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)}
    )
    assert locked.status_code == 401 and "gesperrt" in locked.text
    with unit_of_work() as session:
        staff = session.exec(select(Staff).where(Staff.email == email)).one()
        assert staff.locked_until is not None
        assert staff.password_hash.startswith("$argon2id$")


def test_a_form_without_the_csrf_token_is_refused(web_world, client):
    """Given a signed-in caseworker, when a form arrives without (or with a wrong) CSRF token,
    then it is refused with 403 and nothing happens."""
    login(client, web_world.emails["caseworker"])
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/cases").status_code == 200  # still signed in


def test_unknown_email_and_deactivated_account_cannot_sign_in(web_world, client):
    """Given an unknown address and a deactivated account, when they try to sign in,
    then both are refused."""
    response = client.post(
        "/login",
        data={"email": "niemand@example.org", "password": PASSWORD, "csrf_token": csrf(client)},
    )
    assert response.status_code == 401
    with unit_of_work() as session:
        session.get(Staff, web_world.caseworker_id).active = False
    response = client.post(
        "/login",
        data={
            "email": web_world.emails["caseworker"],
            "password": PASSWORD,
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 401 and "deaktiviert" in response.text


def test_each_role_starts_on_its_own_page(web_world, client):
    """Given a caseworker, a supervisor and an administrator, when each opens the start page
    after signing in, then each lands where their work is."""
    for role, start in (
        ("caseworker", "/cases"),
        ("supervisor", "/dashboard"),
        ("admin", "/admin"),
    ):
        client.cookies.clear()
        login(client, web_world.emails[role])
        response = client.get("/")
        assert (response.status_code, response.headers["location"]) == (303, start)
    client.cookies.clear()
    assert client.get("/").headers["location"].startswith("/login")


def test_api_docs_work_without_internet(client):
    """Given no network beyond this machine, when the API docs open, then every script and style
    they load comes from this server."""
    page = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-bundle-5.35.0.js" in page
    assert "cdn." not in page and "https://" not in page
    assert client.get("/static/vendor/swagger-ui-bundle-5.35.0.js").status_code == 200


def test_access_log_keeps_names_and_link_tokens_out(web_world, client, caplog):
    """Given a caseworker searching for a family name and a partner opening a signed link,
    when both requests are logged, then neither the name nor the token reaches the log; a
    request the input guard refuses (a NUL byte) is logged too, without the name, and a line
    break in an address is written escaped: nobody forges a log line."""
    login(client, web_world.emails["caseworker"])
    with caplog.at_level("INFO", logger="web.app"):
        client.get("/cases?q=Haddad")
        client.get("/partner/referrals/geheimes-token-123")
        client.get("/cases?q=Haddad%00")
        client.get("/cases%0aGET /admin 200")  # not found; its line break would forge a line
    messages = [record.getMessage() for record in caplog.records]
    logged = "\n".join(messages)
    assert "GET /cases 200" in logged and "GET /cases 400" in logged
    assert not any("\n" in message for message in messages)
    assert "GET /cases\\nGET /admin 200 404" in messages  # escaped, on its own line
    assert "Haddad" not in logged and "geheimes-token-123" not in logged
