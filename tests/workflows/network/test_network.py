"""The network as the services keep it: contact persons, volunteers with their own consent,
one search by language, area and district, a volunteer suggested to a household only with
its consent (in the history by number), and a volunteer who leaves erased at once
(SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, Partner, Staff, Volunteer
from workflows.engine.errors import InvalidInput
from workflows.network import contacts, search, volunteers
from workflows.network.contacts import ContactIn
from workflows.network.volunteers import SuggestionIn, VolunteerIn

TODAY = berlin(utc_now()).date()
AMAL = VolunteerIn(
    name="Amal Youssef", phone="0176 1234567", languages=["ar", "de"],
    helps_with=["kita", "school"], districts=["Eving"], availability="dienstags",
    contact_consent_on=TODAY,
)  # fmt: skip


def add_volunteer(office_id: int, data: VolunteerIn = AMAL) -> int:
    with unit_of_work() as session:
        return int(volunteers.save(session, office_id, data).id)  # type: ignore[arg-type]


def test_search_finds_partners_and_volunteers_by_language_area_and_district(world):
    """Given the energy partner (city-wide, with an Arabic-speaking contact person) and Amal
    (Arabic, Kita and school, Eving), when the network is searched, then each filter narrows
    as a caseworker expects, and another office sees no volunteer of this one."""
    with unit_of_work() as session:
        sommer = ContactIn(name="Frau Sommer", role="Beratung", phone="0231 5555", languages=["ar"])
        contacts.add(session, world.partner_id, sommer)
        session.get(Partner, world.partner_id).offers = "Stromspar-Check zu Hause"  # type: ignore[union-attr]
    amal = add_volunteer(world.office_id)

    def found(office_id: int | None, **given: str) -> tuple[list[int], list[int]]:
        with unit_of_work() as session:
            result = search.search(session, office_id, search.Query(**given))
        return [p.id for p, _people in result.partners], [v.id for v in result.volunteers]  # type: ignore[misc]

    assert found(world.office_id) == ([world.partner_id], [amal])
    assert found(world.office_id, language="ar") == (
        [world.partner_id],
        [amal],
    )  # the contact speaks it
    assert found(world.office_id, language="uk") == ([], [])
    assert found(world.office_id, area="energy") == ([world.partner_id], [])
    assert found(world.office_id, area="kita") == ([], [amal])
    assert found(world.office_id, district="Scharnhorst") == ([world.partner_id], [])
    assert found(world.office_id, text="stromspar") == ([world.partner_id], [])
    assert found(None) == ([world.partner_id], [])  # no office: no volunteers


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": None, "phone": None}, "email"),
        ({"contact_consent_on": TODAY + timedelta(days=1)}, "contact_consent_on"),
        ({"agreement_on": TODAY + timedelta(days=3)}, "agreement_on"),
    ],
)
def test_a_volunteer_without_a_way_to_reach_or_with_a_future_date_is_refused(world, change, field):
    with unit_of_work() as session:
        with pytest.raises(InvalidInput) as refused:
            volunteers.save(session, world.office_id, AMAL.model_copy(update=change))
        assert list(refused.value.errors) == [field]
        session.rollback()
    with unit_of_work() as session:
        assert session.exec(select(Volunteer)).all() == []


def test_a_suggestion_needs_consent_fits_and_leaving_erases_the_volunteer(world):
    """Given Amal, when Lea suggests her to the Haddads for Kita, then it is recorded with
    today's consent and the history names her by number only; without consent, for an area
    she does not help with, or twice, it is refused; when Amal leaves, her name and numbers are
    gone and the suggestion ends."""
    amal = add_volunteer(world.office_id)
    case_id = world.open_case()
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        for data, field in (
            (
                SuggestionIn(volunteer_id=amal, area="kita", household_consent=False),
                "household_consent",
            ),
            (SuggestionIn(volunteer_id=amal, area="energy", household_consent=True), "area"),
            (
                SuggestionIn(volunteer_id=amal + 9, area="kita", household_consent=True),
                "volunteer_id",
            ),
        ):
            with pytest.raises(InvalidInput) as refused:
                volunteers.suggest(session, case, data, actor_id=world.caseworker_id)  # type: ignore[arg-type]
            assert list(refused.value.errors) == [field]
        data = SuggestionIn(
            volunteer_id=amal, area="kita", household_consent=True, note="Kita-Anmeldung"
        )
        made = volunteers.suggest(session, case, data, actor_id=world.caseworker_id)  # type: ignore[arg-type]
        assert made.household_consent_on == TODAY
        with pytest.raises(InvalidInput, match="begleitet den Haushalt schon"):
            volunteers.suggest(session, case, data, actor_id=world.caseworker_id)  # type: ignore[arg-type]
    with unit_of_work() as session:
        event = session.exec(
            select(CaseEvent).where(CaseEvent.trigger == volunteers.SUGGESTED)
        ).one()
        assert event.note.startswith(f"Ehrenamtliche Person Nr. {amal} (Kita)")  # type: ignore[union-attr]
        assert "Youssef" not in (event.note or "")
        volunteers.leave(session, session.get(Volunteer, amal))  # type: ignore[arg-type]
    with unit_of_work() as session:
        gone = session.get(Volunteer, amal)
        assert (gone.name, gone.phone, gone.availability, gone.active) == (
            "(ausgeschieden)",
            None,
            None,
            False,
        )  # type: ignore[union-attr]
        (item,) = volunteers.suggestions_of(session, case_id)
        assert item.suggestion.ended_at is not None
        lea = session.get(Staff, world.caseworker_id)
        with pytest.raises(InvalidInput, match="ausgeschieden"):
            volunteers.save(session, world.office_id, AMAL, volunteers.get(session, lea, amal))  # type: ignore[arg-type]


def test_a_contact_person_needs_a_way_to_reach_them(world):
    with unit_of_work() as session:
        with pytest.raises(InvalidInput) as refused:
            contacts.add(session, world.partner_id, ContactIn(name="Herr Ohne"))
        assert list(refused.value.errors) == ["email"]
        with pytest.raises(contacts.PartnerNotFound):
            contacts.add(session, world.partner_id + 99, ContactIn(name="X", phone="0231 1111"))
