"""``willkommen staff``: accounts for the web app and tokens for the JSON API."""

from typing import Annotated

import typer
from sqlmodel import select

from cli.console import out, readable_errors, staff_by_email
from core.db import unit_of_work
from models import Office, Staff
from models.enums import Employer, Role
from workflows.directory.accounts import create_staff, issue_api_token, set_password

app = typer.Typer(help="Konten der Mitarbeitenden und API-Tokens.", no_args_is_help=True)

Password = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Passwort (mindestens 10 Zeichen); ohne Angabe wird gefragt.",
    ),
]


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="E-Mail-Adresse = Login.")],
    name: Annotated[str, typer.Option(help="Vollständiger Name.")],
    password: Password,
) -> None:
    """Das erste Verwaltungskonto anlegen (verwaltet Personal, Büros und Partner)."""
    with readable_errors(), unit_of_work() as session:
        staff = create_staff(
            session,
            name=name,
            email=email,
            role=Role.ADMIN,
            employer=Employer.CITY,
            employer_name="Stadt Dortmund",
            office_id=None,
            password=password,
        )
        out().print(f"Verwaltungskonto {staff.email} angelegt.")


@app.command("add")
def add(
    email: Annotated[str, typer.Option(help="E-Mail-Adresse = Login.")],
    name: Annotated[str, typer.Option(help="Vollständiger Name.")],
    role: Annotated[Role, typer.Option(help="caseworker, supervisor oder admin.")],
    password: Password,
    office: Annotated[
        str | None, typer.Option(help="Büro-Kürzel (ohne: alle Büros, nur Aufsicht/Verwaltung).")
    ] = None,
    employer: Annotated[Employer, typer.Option(help="city oder association.")] = Employer.CITY,
) -> None:
    """Ein Konto anlegen."""
    with readable_errors(), unit_of_work() as session:
        office_row = None
        if office is not None:
            office_row = session.exec(select(Office).where(Office.code == office)).first()
            if office_row is None:
                raise typer.BadParameter(f"Unbekanntes Büro '{office}'.", param_hint="--office")
        employer_name = (
            office_row.partner_organisation
            if office_row is not None and employer == Employer.ASSOCIATION
            else "Stadt Dortmund, Sozialamt"
        )
        staff = create_staff(
            session,
            name=name,
            email=email,
            role=role,
            employer=employer,
            employer_name=employer_name,
            office_id=office_row.id if office_row else None,
            password=password,
        )
        out().print(f"Konto {staff.email} ({staff.role}) angelegt.")


@app.command("password")
def password(
    email: Annotated[str, typer.Argument(help="Login des Kontos.")], new: Password
) -> None:
    """Ein Passwort neu setzen (hebt auch eine Sperre nach Fehlversuchen auf)."""
    with readable_errors(), unit_of_work() as session:
        staff = staff_by_email(session, email)
        set_password(session, staff.id, new)  # type: ignore[arg-type]
        out().print(f"Passwort für {staff.email} gesetzt.")


@app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="Login des Kontos.")],
    name: Annotated[str, typer.Option(help="Wofür das Token ist.")] = "API",
) -> None:
    """Ein API-Token ausgeben (wird nur jetzt angezeigt; gespeichert ist nur sein Hash)."""
    with readable_errors(), unit_of_work() as session:
        staff: Staff = staff_by_email(session, email)
        plain = issue_api_token(session, staff.id, name)  # type: ignore[arg-type]
    out().print(f"Token für {staff.email}: {plain}", soft_wrap=True, highlight=False)
    out().print("Aufruf: curl -H 'Authorization: Bearer <Token>' http://127.0.0.1:8000/api/cases")
