"""Fixed demo content: the seven offices, their staff and the cooperation partners.

Offices and partner organisations are the real ones (see the domain brief); every address except
Bayrische Straße 135 is made up, every person is fictional, every email address uses an
``.example`` domain, and phone numbers come from the ranges the Bundesnetzagentur keeps free for
media productions ("Drama Numbers"), so nobody real is ever reached.
"""

import unicodedata
from dataclasses import dataclass, field

from models.enums import District, Employer, PartnerCategory, Role

DOMAIN = "lokal-willkommen.example"
CITY_EMPLOYER = "Stadt Dortmund, Sozialamt"

D = District
W = PartnerCategory

_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i"})


def slug(name: str) -> str:
    """``"Schürmann"`` → ``"schuermann"``: the name as it appears in an email address."""
    ascii_name = unicodedata.normalize("NFKD", name.lower().translate(_SPELLED_OUT))
    kept = "".join(c for c in ascii_name if c.isascii() and (c.isalnum() or c in "-."))
    return kept.strip("-.")


@dataclass(frozen=True)
class HourDef:
    weekday: int  # Monday = 0
    starts: str
    ends: str
    languages: tuple[str, ...]
    sub_location: str | None = None  # None: in the office itself


@dataclass(frozen=True)
class OfficeDef:
    code: str
    name: str
    address: str
    partner_organisation: str
    phone: str
    districts: tuple[District, ...]
    hours: tuple[HourDef, ...]
    sub_locations: tuple[tuple[str, str], ...] = ()  # (name, address)

    @property
    def email(self) -> str:
        return f"{self.code}@{DOMAIN}"


OFFICES: tuple[OfficeDef, ...] = (
    OfficeDef(
        "brackel-aplerbeck",
        "Brackel/Aplerbeck",
        "Brackeler Hellweg 162, 44309 Dortmund",
        "Caritas",
        "+49 30 23125 101",
        (D.BRACKEL, D.APLERBECK),
        (
            HourDef(1, "10:00", "12:00", ("de", "tr", "en")),
            HourDef(3, "14:00", "16:00", ("de", "ar")),
        ),
    ),
    OfficeDef(
        "eving-scharnhorst",
        "Eving/Scharnhorst",
        "Bayrische Straße 135, 44339 Dortmund",
        "Deutsches Rotes Kreuz (DRK)",
        "+49 30 23125 102",
        (D.EVING, D.SCHARNHORST),
        (
            HourDef(0, "09:30", "12:00", ("de", "ar", "en")),
            HourDef(3, "14:00", "17:00", ("de", "en")),
            HourDef(2, "10:00", "12:00", ("de", "ar"), "Lanstrop"),
            HourDef(4, "10:00", "12:00", ("de", "en"), "Scharnhorst-Ost"),
        ),
        (
            ("Lanstrop", "Rote Fuhr 7, 44329 Dortmund"),
            ("Scharnhorst-Ost", "Gleiwitzstraße 281, 44328 Dortmund"),
        ),
    ),
    OfficeDef(
        "hoerde-hombruch",
        "Hörde/Hombruch",
        "Hermannstraße 74, 44263 Dortmund",
        "AWO",
        "+49 30 23125 103",
        (D.HOERDE, D.HOMBRUCH),
        (
            HourDef(1, "09:00", "12:00", ("de", "ar", "fr")),
            HourDef(3, "13:30", "16:00", ("de", "en")),
        ),
    ),
    OfficeDef(
        "mengede-huckarde",
        "Mengede/Huckarde",
        "Siegburgstraße 12, 44359 Dortmund",
        "Diakonie",
        "+49 30 23125 104",
        (D.MENGEDE, D.HUCKARDE),
        (HourDef(0, "14:00", "16:00", ("de", "en")), HourDef(2, "09:30", "12:00", ("de", "en"))),
    ),
    OfficeDef(
        "innenstadt-nord",
        "Innenstadt Nord",
        "Mallinckrodtstraße 210, 44147 Dortmund",
        "VMDO (Der Paritätische)",
        "+49 30 23125 105",
        (D.INNENSTADT_NORD,),
        (
            HourDef(0, "10:00", "13:00", ("de", "tr", "ku")),
            HourDef(2, "10:00", "13:00", ("de", "ar")),
            HourDef(3, "15:00", "18:00", ("de", "ar", "tr")),
        ),
    ),
    OfficeDef(
        "innenstadt-west-ost",
        "Innenstadt West/Ost",
        "Kaiserstraße 58, 44135 Dortmund",
        "Projekt Ankommen",
        "+49 30 23125 106",
        (D.INNENSTADT_WEST, D.INNENSTADT_OST),
        (
            HourDef(1, "10:00", "12:30", ("de", "fa", "en")),
            HourDef(4, "09:00", "11:30", ("de", "fa")),
        ),
    ),
    OfficeDef(
        "luetgendortmund",
        "Lütgendortmund",
        "Limbecker Straße 31, 44388 Dortmund",
        "EHC",
        "+49 30 23125 107",
        (D.LUETGENDORTMUND,),
        (HourDef(1, "14:00", "16:00", ("de", "ru")), HourDef(3, "09:30", "11:30", ("de", "en"))),
    ),
)


@dataclass(frozen=True)
class StaffDef:
    name: str
    role: Role
    employer: Employer
    office: str | None  # office code; None: works across offices
    languages: tuple[str, ...]

    @property
    def email(self) -> str:
        given, family = self.name.removeprefix("Dr. ").split(" ", 1)
        return f"{slug(given)}.{slug(family)}@{DOMAIN}"


CW, SV, AD = Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN
CITY, ASSOC = Employer.CITY, Employer.ASSOCIATION

# Fictional people, in tandem: a city and an association caseworker in every office.
STAFF: tuple[StaffDef, ...] = (
    StaffDef("Katrin Hollmann", CW, CITY, "brackel-aplerbeck", ("de", "en")),
    StaffDef("Yusuf Demirci", CW, ASSOC, "brackel-aplerbeck", ("de", "tr")),
    StaffDef("Andrea Westermann", SV, CITY, "brackel-aplerbeck", ("de",)),
    StaffDef("Nadine Borchert", CW, CITY, "eving-scharnhorst", ("de", "en")),
    StaffDef("Rania Saadi", CW, CITY, "eving-scharnhorst", ("de", "ar")),
    StaffDef("Marco Steinbrink", CW, ASSOC, "eving-scharnhorst", ("de", "en")),
    StaffDef("Ulrike Kampmann", SV, ASSOC, "eving-scharnhorst", ("de",)),
    StaffDef("Jan Terhorst", CW, CITY, "hoerde-hombruch", ("de", "en")),
    StaffDef("Samira El-Khatib", CW, ASSOC, "hoerde-hombruch", ("de", "ar", "fr")),
    StaffDef("Petra Lindemann", SV, CITY, "hoerde-hombruch", ("de", "en")),
    StaffDef("Svenja Wiechers", CW, CITY, "mengede-huckarde", ("de", "en")),
    StaffDef("Daniel Reuter", CW, ASSOC, "mengede-huckarde", ("de", "en")),
    StaffDef("Thomas Gerdes", SV, ASSOC, "mengede-huckarde", ("de",)),
    StaffDef("Ayşe Korkmaz", CW, CITY, "innenstadt-nord", ("de", "tr", "ku")),
    StaffDef("Mahmoud Saleh", CW, ASSOC, "innenstadt-nord", ("de", "ar", "en")),
    StaffDef("Claudia Brenner", SV, CITY, "innenstadt-nord", ("de", "en")),
    StaffDef("Jonas Kleinert", CW, CITY, "innenstadt-west-ost", ("de", "en")),
    StaffDef("Parisa Navabi", CW, ASSOC, "innenstadt-west-ost", ("de", "fa", "en")),
    StaffDef("Sabine Vogt", SV, ASSOC, "innenstadt-west-ost", ("de",)),
    StaffDef("Melanie Schürmann", CW, CITY, "luetgendortmund", ("de", "en")),
    StaffDef("Tanja Heinemann", CW, ASSOC, "luetgendortmund", ("de", "ru")),
    StaffDef("Stefan Delhees", SV, CITY, "luetgendortmund", ("de",)),
    # The head of the social welfare office sees every office; the admin manages the system.
    StaffDef("Dr. Martina Albrecht", SV, CITY, None, ("de", "en")),
    StaffDef("Kai Brüggemann", AD, CITY, None, ("de", "en")),
)


@dataclass(frozen=True)
class PartnerDef:
    name: str
    category: PartnerCategory
    email: str
    phone: str | None = None
    districts: tuple[District, ...] = field(default=())  # empty: the whole city


PARTNERS: tuple[PartnerDef, ...] = (
    PartnerDef(
        "Caritas Stromspar-Check",
        W.ENERGY_ADVICE,
        "stromspar-check@caritas-dortmund.example",
        "+49 69 90009 201",
    ),
    PartnerDef(
        "Energieberatung der Verbraucherzentrale, Nordstadt",
        W.ENERGY_ADVICE,
        "energie-nordstadt@verbraucherzentrale.example",
        "+49 69 90009 202",
        (D.INNENSTADT_NORD, D.EVING),
    ),
    PartnerDef(
        "Kommunales Integrationszentrum Dortmund",
        W.SCHOOL,
        "schulanmeldung@ki-dortmund.example",
        "+49 69 90009 211",
    ),
    PartnerDef(
        "Jugendamt Dortmund – Kita-Platzvergabe",
        W.CHILDCARE,
        "kitaplatz@jugendamt-dortmund.example",
        "+49 69 90009 221",
    ),
    PartnerDef(
        "Familienbüro Innenstadt-Nord",
        W.CHILDCARE,
        "familienbuero-nord@jugendamt-dortmund.example",
        "+49 69 90009 222",
        (D.INNENSTADT_NORD,),
    ),
    PartnerDef(
        "Familienbüro Eving/Scharnhorst",
        W.CHILDCARE,
        "familienbuero-eving@jugendamt-dortmund.example",
        "+49 69 90009 223",
        (D.EVING, D.SCHARNHORST),
    ),
    PartnerDef(
        "DSW21 Kundencenter (Sozialticket)",
        W.TRANSIT,
        "sozialticket@dsw21.example",
        "+49 69 90009 231",
    ),
    PartnerDef(
        "Jobcenter Dortmund",
        W.EMPLOYMENT,
        "integration@jobcenter-dortmund.example",
        "+49 69 90009 241",
    ),
    PartnerDef(
        "Jobcenter Dortmund – Team Süd",
        W.EMPLOYMENT,
        "team-sued@jobcenter-dortmund.example",
        "+49 69 90009 242",
        (D.HOERDE, D.HOMBRUCH, D.APLERBECK),
    ),
    PartnerDef(
        "Standesamt Dortmund",
        W.REGISTRY_OFFICE,
        "geburten@standesamt-dortmund.example",
        "+49 69 90009 251",
    ),
    PartnerDef(
        "Bürgerdienste Dortmund",
        W.CITIZENS_OFFICE,
        "buergerdienste@dortmund-verwaltung.example",
        "+49 69 90009 261",
    ),
    PartnerDef(
        "Bürgerdienste Bezirksverwaltungsstelle Hörde",
        W.CITIZENS_OFFICE,
        "bvst-hoerde@dortmund-verwaltung.example",
        "+49 69 90009 262",
        (D.HOERDE,),
    ),
    PartnerDef(
        "Volkshochschule Dortmund – Integrationskurse",
        W.LANGUAGE_COURSE,
        "integrationskurse@vhs-dortmund.example",
        "+49 69 90009 271",
    ),
    PartnerDef(
        "Sprachcafé Scharnhorst-Ost",
        W.LANGUAGE_COURSE,
        "sprachcafe@scharnhorst-ost.example",
        None,
        (D.SCHARNHORST,),
    ),
    PartnerDef(
        "Gesundheitsamt Dortmund – Kinder- und Jugendgesundheitsdienst",
        W.HEALTH,
        "kjgd@gesundheitsamt-dortmund.example",
        "+49 69 90009 281",
    ),
    PartnerDef(
        "Psychosoziales Zentrum für Geflüchtete",
        W.COUNSELLING,
        "beratung@psz-dortmund.example",
        "+49 69 90009 291",
    ),
    PartnerDef(
        "Migrationsberatung für Erwachsene Süd",
        W.COUNSELLING,
        "mbe-sued@migrationsberatung.example",
        "+49 69 90009 292",
        (D.HOERDE, D.HOMBRUCH),
    ),
)
