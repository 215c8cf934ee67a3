"""Vocabularies stored as plain strings in the database (new values need no schema change)."""

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Employer(StrEnum):
    CITY = "city"  # Sozialamt der Stadt Dortmund
    ASSOCIATION = "association"  # the office's welfare-association partner


class District(StrEnum):
    """Dortmund's twelve city districts (Stadtbezirke); each is served by one office."""

    INNENSTADT_WEST = "Innenstadt-West"
    INNENSTADT_NORD = "Innenstadt-Nord"
    INNENSTADT_OST = "Innenstadt-Ost"
    EVING = "Eving"
    SCHARNHORST = "Scharnhorst"
    BRACKEL = "Brackel"
    APLERBECK = "Aplerbeck"
    HOERDE = "Hörde"
    HOMBRUCH = "Hombruch"
    LUETGENDORTMUND = "Lütgendortmund"
    HUCKARDE = "Huckarde"
    MENGEDE = "Mengede"


class PartnerCategory(StrEnum):
    """Kinds of cooperation partner; consent to share data is given per category."""

    ENERGY_ADVICE = "energy_advice"
    SCHOOL = "school"
    CHILDCARE = "childcare"
    TRANSIT = "transit"
    EMPLOYMENT = "employment"
    REGISTRY_OFFICE = "registry_office"
    CITIZENS_OFFICE = "citizens_office"
    LANGUAGE_COURSE = "language_course"
    HEALTH = "health"
    COUNSELLING = "counselling"


PARTNER_CATEGORY_LABELS: dict[PartnerCategory, str] = {
    PartnerCategory.ENERGY_ADVICE: "Energieberatung",
    PartnerCategory.SCHOOL: "Schule und Schulamt",
    PartnerCategory.CHILDCARE: "Kindertagesbetreuung",
    PartnerCategory.TRANSIT: "Verkehrsbetrieb",
    PartnerCategory.EMPLOYMENT: "Arbeit und Jobcenter",
    PartnerCategory.REGISTRY_OFFICE: "Standesamt",
    PartnerCategory.CITIZENS_OFFICE: "Bürgerdienste",
    PartnerCategory.LANGUAGE_COURSE: "Sprachkurse",
    PartnerCategory.HEALTH: "Gesundheit",
    PartnerCategory.COUNSELLING: "Beratungsstellen",
}


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DONE = "done"
    NOT_REACHED = "not_reached"  # the partner reports it could not reach the household
    WITHDRAWN = "withdrawn"


REFERRAL_STATUS_LABELS: dict[str, str] = {
    ReferralStatus.SENT: "gesendet",
    ReferralStatus.ACCEPTED: "angenommen",
    ReferralStatus.DECLINED: "abgelehnt",
    ReferralStatus.DONE: "erledigt",
    ReferralStatus.NOT_REACHED: "nicht erreicht",
    ReferralStatus.WITHDRAWN: "zurückgezogen",
}

# A referral the partner has not answered, or has accepted: it is still running.
RUNNING_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class ReminderKind(StrEnum):
    VISIT = "visit"  # to the caseworker, before a welcome or follow-up visit
    REGISTRATION_DEADLINE = "registration_deadline"  # to the household
    STEP_OVERDUE = "step_overdue"  # escalation to the office's supervisors
    MILESTONE_OVERDUE = "milestone_overdue"  # welcome or follow-up visit late; to supervisors
    REFERRAL = "referral"  # the referral itself, to the partner
    # To the household, in its language (workflows.messaging.household_mail):
    APPOINTMENT_INVITATION = "appointment_invitation"  # a visit or consultation booked; ICS
    APPOINTMENT_UPDATE = "appointment_update"  # moved; ICS with the same UID, SEQUENCE + 1
    APPOINTMENT_CANCELLATION = "appointment_cancellation"  # called off; ICS METHOD:CANCEL
    APPOINTMENT_REMINDER = "appointment_reminder"  # the day before the appointment
    STEP_REMINDER = "step_reminder"  # a step the household can do itself (energy contract)
    CONSULTATION_INFO = "consultation_info"  # at intake: where and when the office helps
    # Around a referral (German):
    REFERRAL_REMINDER = "referral_reminder"  # to the partner, once, when it has not answered
    REFERRAL_UNANSWERED = "referral_unanswered"  # to the caseworker, after the partner's reminder
    REFERRAL_WITHDRAWN = "referral_withdrawn"  # to the partner: consent withdrawn, delete the data
    HOLD_FOLLOW_UP = "hold_follow_up"  # to the caseworker: a step's waiting-list follow-up date
    AGREEMENT_DUE = "agreement_due"  # to the caseworker: a next step agreed at a visit is due


REMINDER_KIND_LABELS: dict[str, str] = {
    ReminderKind.VISIT: "Erinnerung an den Hausbesuch",
    ReminderKind.REGISTRATION_DEADLINE: "Erinnerung an die Anmeldefrist",
    ReminderKind.STEP_OVERDUE: "Meldung: Frist überschritten",
    ReminderKind.MILESTONE_OVERDUE: "Meldung: Besuch überfällig",
    ReminderKind.REFERRAL: "Weitervermittlung per E-Mail",
    ReminderKind.APPOINTMENT_INVITATION: "Einladung zum Termin",
    ReminderKind.APPOINTMENT_UPDATE: "Terminänderung",
    ReminderKind.APPOINTMENT_CANCELLATION: "Terminabsage",
    ReminderKind.APPOINTMENT_REMINDER: "Terminerinnerung",
    ReminderKind.STEP_REMINDER: "Erinnerung Strom- und Gasvertrag",
    ReminderKind.CONSULTATION_INFO: "Sprechstunden-Information",
    ReminderKind.REFERRAL_REMINDER: "Erinnerung an die Weitervermittlung",
    ReminderKind.REFERRAL_UNANSWERED: "Partner antwortet nicht",
    ReminderKind.REFERRAL_WITHDRAWN: "Weitervermittlung zurückgezogen",
    ReminderKind.HOLD_FOLLOW_UP: "Wiedervorlage: Warteliste",
    ReminderKind.AGREEMENT_DUE: "Vereinbarung fällig",
}


class ReminderStatus(StrEnum):
    SCHEDULED = "scheduled"  # waits for its due time
    QUEUED = "queued"  # handed to the workers
    SENDING = "sending"  # a worker holds it
    SENT = "sent"
    FAILED = "failed"  # gave up; shown on the case
    CANCELLED = "cancelled"  # no longer applies
    # A household message no worker can send: a call to make or a letter to print, on the
    # caseworker's list until someone has done it (workflows.messaging.by_hand).
    TASK = "task"


PENDING_REMINDER_STATUSES = (ReminderStatus.SCHEDULED, ReminderStatus.QUEUED)
# Not yet out, so judged again when a change makes them moot.
OPEN_REMINDER_STATUSES = (*PENDING_REMINDER_STATUSES, ReminderStatus.TASK)


class Channel(StrEnum):
    """How a message reaches its reader. A household lists those it can be reached by, in the
    order it prefers them (``Household.contact_channels``); staff and partners get email."""

    EMAIL = "email"
    SMS = "sms"  # a short version to the household's mobile number
    LETTER = "letter"  # printed by the caseworker, handed over or posted
    PHONE = "phone"  # the caseworker calls and reads the message out
    HELPER = "helper"  # via the household's contact person or volunteer


CHANNEL_LABELS: dict[str, str] = {
    Channel.EMAIL: "E-Mail",
    Channel.SMS: "SMS",
    Channel.LETTER: "Brief",
    Channel.PHONE: "Anruf",
    Channel.HELPER: "Über Vertrauensperson",
}


class Recipient(StrEnum):
    CASEWORKER = "caseworker"
    HOUSEHOLD = "household"
    PARTNER = "partner"
    SUPERVISORS = "supervisors"


class AppointmentKind(StrEnum):
    WELCOME_VISIT = "welcome_visit"
    FOLLOW_UP_VISIT = "follow_up_visit"
    CONSULTATION = "consultation"


APPOINTMENT_KIND_LABELS = {
    AppointmentKind.WELCOME_VISIT: "Willkommensbesuch",
    AppointmentKind.FOLLOW_UP_VISIT: "Nachbesuch",
    AppointmentKind.CONSULTATION: "Sprechstunde",
}


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # a consultation the household did not come to


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CAME = "came"  # a contact was recorded for it
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class ContactTopic(StrEnum):
    SCHOOL = "school"
    KITA = "kita"
    BIRTH = "birth"
    WORK = "work"
    ENERGY = "energy"
    TRANSIT = "transit"
    OFFICIAL_MAIL = "official_mail"
    HOUSING = "housing"
    HEALTH = "health"
    LANGUAGE_COURSE = "language_course"
    MONEY = "money"
    OTHER = "other"


CONTACT_TOPIC_LABELS = {
    ContactTopic.SCHOOL: "Einschulung/Schule",
    ContactTopic.KITA: "Kita",
    ContactTopic.BIRTH: "Geburt",
    ContactTopic.WORK: "Arbeit",
    ContactTopic.ENERGY: "Strom/Gas",
    ContactTopic.TRANSIT: "ÖPNV",
    ContactTopic.OFFICIAL_MAIL: "Behördenpost",
    ContactTopic.HOUSING: "Wohnung",
    ContactTopic.HEALTH: "Gesundheit",
    ContactTopic.LANGUAGE_COURSE: "Sprachkurs",
    ContactTopic.MONEY: "Leistungen/Geld",
    ContactTopic.OTHER: "Sonstiges",
}


class ContactOutcome(StrEnum):
    RESOLVED = "resolved"  # geklärt
    REFERRED = "referred"  # weitervermittelt an …
    APPOINTMENT = "appointment"  # Termin vereinbart


CONTACT_OUTCOME_LABELS = {
    ContactOutcome.RESOLVED: "geklärt",
    ContactOutcome.REFERRED: "weitervermittelt",
    ContactOutcome.APPOINTMENT: "Termin vereinbart",
}


class EvidenceKind(StrEnum):
    """How the household signed a consent form."""

    PAPER = "paper"  # signed on paper, scanned or photographed (PDF, JPEG, PNG)
    TABLET = "tablet"  # signed on the tablet's screen (PNG)


EVIDENCE_LABELS = {
    EvidenceKind.PAPER: "auf Papier unterschrieben (Scan)",
    EvidenceKind.TABLET: "auf dem Tablet unterschrieben",
}


class SharedField(StrEnum):
    """What a household may allow to be passed to partners of one category (consent scope)."""

    NAME = "name"  # the contact person's name
    PHONE = "phone"
    EMAIL = "email"
    LANGUAGES = "languages"
    ADDRESS = "address"
    MEMBERS = "members"  # household composition: how many people, their ages


SHARED_FIELD_LABELS: dict[SharedField, str] = {
    SharedField.NAME: "Name der Ansprechperson",
    SharedField.PHONE: "Telefon",
    SharedField.EMAIL: "E-Mail",
    SharedField.LANGUAGES: "Sprachen",
    SharedField.ADDRESS: "Adresse",
    SharedField.MEMBERS: "Haushalt (Personen und Alter)",
}

DEFAULT_SHARED_FIELDS: tuple[SharedField, ...] = (
    SharedField.NAME,
    SharedField.PHONE,
    SharedField.LANGUAGES,
)
