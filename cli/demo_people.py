"""Fictional households for the demo: names from the households' countries of origin, real
Dortmund street names with made-up house numbers, ages that make school and kindergarten steps
likely. Pure: everything comes from the ``random.Random`` passed in.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cli.demo_data import slug
from models.enums import District
from workflows.engine.facts import age_on

D = District


@dataclass(frozen=True)
class Origin:
    name: str
    weight: int
    languages: tuple[tuple[str, ...], ...]  # preferred first; one tuple is picked per household
    family_names: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    feminine_family_name: bool = False  # Russian: Petrov → Petrova


# Dari is recorded as "fa" (Persian, ISO 639-1): the household model stores ISO 639-1 codes and
# staff who speak Farsi serve Dari speakers too.
ORIGINS: tuple[Origin, ...] = (
    Origin(
        "Syrien",
        26,
        (("ar",), ("ar", "en"), ("ku", "ar")),
        (
            "Al-Hassan",
            "Haddad",
            "Khalil",
            "Darwish",
            "Mansour",
            "Najjar",
            "Hamdan",
            "Saleh",
            "Al-Ahmad",
            "Sabbagh",
        ),
        ("Ahmad", "Mohammad", "Omar", "Khaled", "Yousef", "Bilal", "Rami", "Karim", "Adam"),
        ("Fatima", "Rana", "Hiba", "Noor", "Amal", "Lina", "Maryam", "Rasha", "Jana", "Sham"),
    ),
    Origin(
        "Afghanistan",
        14,
        (("fa",), ("fa", "en"), ("ps", "fa")),
        ("Ahmadi", "Rahimi", "Hakimi", "Sultani", "Noori", "Karimi", "Haidari", "Wardak"),
        ("Farid", "Mustafa", "Jawad", "Habib", "Samiullah", "Naweed", "Elias", "Omid"),
        ("Zahra", "Shabnam", "Parwana", "Mariam", "Nilofar", "Freshta", "Mursal", "Sahar"),
    ),
    Origin(
        "Iran",
        7,
        (("fa",), ("fa", "en")),
        ("Hosseini", "Moradi", "Rezaei", "Jafari", "Tehrani", "Kazemi", "Sadeghi"),
        ("Reza", "Ali", "Mehdi", "Arash", "Babak", "Kian", "Dariush"),
        ("Shirin", "Leila", "Niloufar", "Sara", "Yasaman", "Mahsa", "Ava"),
    ),
    Origin(
        "Ukraine",
        20,
        (("uk",), ("uk", "ru"), ("uk", "en"), ("ru", "uk")),
        (
            "Kovalenko",
            "Shevchenko",
            "Bondarenko",
            "Tkachenko",
            "Melnyk",
            "Kravchenko",
            "Oliinyk",
            "Lysenko",
            "Moroz",
        ),
        ("Oleksandr", "Andrii", "Serhii", "Dmytro", "Mykola", "Maksym", "Artem", "Bohdan"),
        ("Olena", "Iryna", "Nataliia", "Oksana", "Tetiana", "Yuliia", "Sofiia", "Anastasiia"),
    ),
    Origin(
        "russischsprachig",
        6,
        (("ru",), ("ru", "de")),
        ("Petrov", "Smirnov", "Volkov", "Morozov", "Sokolov", "Orlov"),
        ("Aleksandr", "Dmitri", "Sergei", "Pavel", "Ilya", "Timur"),
        ("Elena", "Svetlana", "Anna", "Ksenia", "Polina", "Alina"),
        feminine_family_name=True,
    ),
    Origin(
        "Türkei",
        9,
        (("tr",), ("ku", "tr"), ("tr", "de")),
        ("Yılmaz", "Kaya", "Demir", "Aydın", "Çelik", "Arslan", "Doğan", "Bozkurt"),
        ("Mehmet", "Emre", "Azad", "Baran", "Şiyar", "Zana", "Murat", "Deniz"),
        ("Berivan", "Rojda", "Dilan", "Elif", "Zeynep", "Hêvî", "Ayşe", "Nupelda"),
    ),
    Origin(
        "Eritrea",
        8,
        (("ti",), ("ti", "en")),
        ("Tesfamariam", "Ghebremedhin", "Habte", "Kidane", "Berhane", "Yohannes", "Tekle"),
        ("Yonas", "Dawit", "Samuel", "Filmon", "Robel", "Semere", "Aron"),
        ("Selam", "Helen", "Senait", "Luwam", "Rahel", "Saba", "Winta"),
    ),
    Origin(
        "Somalia",
        6,
        (("so",), ("so", "en"), ("so", "ar")),
        ("Abdi", "Warsame", "Farah", "Osman", "Jama", "Hirsi", "Dualeh"),
        ("Abdirahman", "Mohamed", "Ahmed", "Liban", "Hamza", "Yusuf", "Mahad"),
        ("Hodan", "Amina", "Fadumo", "Sahra", "Ifrah", "Nasra", "Hibo"),
    ),
)

# Real street names in each district (house numbers are made up) with a matching postal code.
STREETS: dict[District, tuple[tuple[str, str], ...]] = {
    D.INNENSTADT_NORD: (
        ("Münsterstraße", "44145"),
        ("Mallinckrodtstraße", "44147"),
        ("Schützenstraße", "44147"),
        ("Oesterholzstraße", "44145"),
        ("Heroldstraße", "44145"),
        ("Uhlandstraße", "44147"),
    ),
    D.INNENSTADT_WEST: (
        ("Rheinische Straße", "44137"),
        ("Lange Straße", "44137"),
        ("Möllerstraße", "44137"),
        ("Kreuzstraße", "44139"),
    ),
    D.INNENSTADT_OST: (
        ("Kaiserstraße", "44135"),
        ("Hamburger Straße", "44135"),
        ("Körner Hellweg", "44143"),
        ("Lippestraße", "44135"),
    ),
    D.EVING: (
        ("Deutsche Straße", "44339"),
        ("Preußische Straße", "44339"),
        ("Bayrische Straße", "44339"),
        ("Grävingholzstraße", "44339"),
    ),
    D.SCHARNHORST: (
        ("Gleiwitzstraße", "44328"),
        ("Droote", "44328"),
        ("Kurler Straße", "44319"),
        ("Husener Straße", "44319"),
    ),
    D.BRACKEL: (
        ("Brackeler Hellweg", "44309"),
        ("Oberdorfstraße", "44309"),
        ("Flughafenstraße", "44309"),
        ("Asselner Hellweg", "44319"),
    ),
    D.APLERBECK: (
        ("Köln-Berliner Straße", "44287"),
        ("Ruinenstraße", "44287"),
        ("Schüruferstraße", "44287"),
    ),
    D.HOERDE: (
        ("Hermannstraße", "44263"),
        ("Faßstraße", "44263"),
        ("Wellinghofer Straße", "44263"),
        ("Benninghofer Straße", "44267"),
    ),
    D.HOMBRUCH: (
        ("Harkortstraße", "44225"),
        ("Stockumer Straße", "44225"),
        ("Baroper Straße", "44227"),
    ),
    D.LUETGENDORTMUND: (
        ("Limbecker Straße", "44388"),
        ("Provinzialstraße", "44388"),
        ("Volksgartenstraße", "44388"),
        ("Martener Straße", "44379"),
    ),
    D.HUCKARDE: (
        ("Parsevalstraße", "44369"),
        ("Rahmer Straße", "44369"),
        ("Urbanusstraße", "44369"),
    ),
    D.MENGEDE: (
        ("Siegburgstraße", "44359"),
        ("Strünkedestraße", "44359"),
        ("Westerfilder Straße", "44357"),
        ("Bodelschwingher Straße", "44357"),
    ),
}

# Where households move to: the Nordstadt most, the outer districts less.
DISTRICT_WEIGHTS: dict[District, int] = {
    D.INNENSTADT_NORD: 18,
    D.INNENSTADT_WEST: 7,
    D.INNENSTADT_OST: 6,
    D.EVING: 9,
    D.SCHARNHORST: 9,
    D.BRACKEL: 7,
    D.APLERBECK: 5,
    D.HOERDE: 8,
    D.HOMBRUCH: 4,
    D.LUETGENDORTMUND: 7,
    D.HUCKARDE: 6,
    D.MENGEDE: 6,
}

# Drama numbers of the Bundesnetzagentur: never assigned to anyone.
PHONE_PREFIXES = ("+49 30 23125", "+49 69 90009", "+49 40 66969", "+49 221 4710", "+49 89 99998")
# Most newly arrived families are reached on a mobile phone (SMS); numbers of a range not given
# to real subscribers.
MOBILE_PREFIX = "+49 152 28895"


def _birth_date(rng: random.Random, age: int, on: date) -> date:
    """A birthday that makes the person ``age`` years old on ``on``."""
    latest = date(on.year - age, on.month, min(on.day, 28))
    return latest - timedelta(days=rng.randint(0, 360))


def household(rng: random.Random, moved_in: date, *, expecting: bool) -> dict[str, Any]:
    """Raw intake data for one fictional household that moved in on ``moved_in``."""
    origin = rng.choices(ORIGINS, weights=[o.weight for o in ORIGINS])[0]
    family = rng.choice(origin.family_names)
    district = rng.choices(list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values()))[0]
    street, postal_code = rng.choice(STREETS[district])
    expected_birth: date | None = None
    adults, children = _composition(rng)
    births = _birth_dates(adults, children, rng, moved_in)
    sexes = adults + [rng.choice("mf") for _ in births[len(adults) :]]
    members: list[dict[str, Any]] = []
    for index, (sex, born) in enumerate(zip(sexes, births, strict=True)):
        age = age_on(born, moved_in)
        names = origin.male if sex == "m" else origin.female
        taken = {m["given_name"] for m in members}
        given = rng.choice([n for n in names if n not in taken] or names)
        surname = family + "a" if origin.feminine_family_name and sex == "f" else family
        members.append(
            {
                "given_name": given,
                "family_name": surname,
                "birth_date": born,
                "in_school": 6 <= age < 18 and rng.random() < 0.3,
                "in_childcare": 1 <= age < 6 and rng.random() < 0.15,
                "able_to_work": 18 <= age < 63 and rng.random() < 0.8,
                "is_contact": index == 0,
            }
        )
        if expecting and sex == "f" and 19 <= age <= 42:
            expecting, expected_birth = False, moved_in + timedelta(days=rng.randint(20, 120))
    contact = members[0]["given_name"]
    email = f"{slug(contact)}.{slug(family)}{rng.randint(1, 99)}@post.example"
    data: dict[str, Any] = {
        "family_name": family,
        "street": f"{street} {rng.randint(1, 180)}{rng.choice(['', '', '', 'a', 'b'])}",
        "postal_code": postal_code,
        "district": district.value,
        "moved_in_on": moved_in,
        "languages": list(rng.choice(origin.languages)),
        "email": email if rng.random() < 0.45 else None,
        "phone": _phone(rng) if rng.random() < 0.8 else None,
        "members": members,
        "requested_steps": ["transit_ticket"] if rng.random() < 0.2 else [],
    }
    if expected_birth is not None:
        data["expected_birth_on"] = expected_birth
    data["contact_channels"] = []  # the default order: email, SMS, letter, call as details allow
    return data


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return f"{MOBILE_PREFIX}{rng.randint(0, 999):03d}"
    return f"{rng.choice(PHONE_PREFIXES)} {rng.randint(0, 999):03d}"


def _composition(rng: random.Random) -> tuple[list[str], int]:
    """Adults (by sex) and how many children: singles, couples, single parents, families."""
    kind = rng.choices(["single", "couple", "single_parent", "family"], [18, 10, 17, 55])[0]
    if kind == "single":
        return [rng.choice("mmf")], 0
    children = rng.choices([1, 2, 3, 4, 5], [25, 33, 22, 13, 7])[0]
    if kind == "single_parent":
        return ["f" if rng.random() < 0.8 else "m"], children
    adults = ["m", "f"]
    if kind == "family" and rng.random() < 0.12:
        adults.append(rng.choice("mf"))  # a grandparent
    return adults, 0 if kind == "couple" else min(children, 7 - len(adults))


def _birth_dates(
    adults: list[str], children: int, rng: random.Random, moved_in: date
) -> list[date]:
    """Adults first, then children from the oldest, at least a year apart, born before moving."""
    parent = rng.randint(22, 50) if children else rng.randint(19, 60)
    ages = [parent] + [max(19, parent + rng.randint(-6, 6)) for _ in adults[1:2]]
    ages += [rng.randint(parent + 20, parent + 32) for _ in adults[2:]]
    births = [_birth_date(rng, age, moved_in) for age in ages]
    latest = moved_in - timedelta(days=14)
    born = min(_birth_date(rng, rng.randint(0, min(17, parent - 19)), moved_in), latest)
    for _ in range(children):
        if born > latest:
            break
        births.append(born)
        born += timedelta(days=rng.randint(390, 1500))
    return births
