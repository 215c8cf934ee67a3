"""All tables, imported here so Alembic and ``SQLModel.metadata`` see every one of them."""

from models.appointment import Appointment, AppointmentAnswer
from models.audit import AuditEntry, CaseRead
from models.case import Case, CaseEvent, CaseStep
from models.consultation import (
    ConsultationBooking,
    ConsultationClosure,
    ConsultationContact,
    ConsultationDuty,
    ConsultationHour,
    Visitor,
)
from models.digest import DigestDelivery
from models.heartbeat import Heartbeat
from models.household import Consent, ConsentEvidence, Household, HouseholdMember
from models.network import PartnerContact, Volunteer, VolunteerSuggestion
from models.notice import CaseNotice
from models.obstacle import CaseObstacle, ObstacleKind
from models.office import Office, SubLocation
from models.outbox import OutboxMessage
from models.partner import Partner, Referral
from models.reminder import Reminder
from models.round_table import RoundTable, RoundTableGuest, RoundTableItem, RoundTableItemEvent
from models.staff import ApiToken, CalendarFeed, Staff
from models.visit import Agreement, VisitRecord
from models.workflow_variant import WorkflowVariant

__all__ = [
    "Agreement",
    "ApiToken",
    "Appointment",
    "AppointmentAnswer",
    "AuditEntry",
    "CalendarFeed",
    "Case",
    "CaseEvent",
    "CaseNotice",
    "CaseObstacle",
    "CaseRead",
    "CaseStep",
    "Consent",
    "ConsultationBooking",
    "ConsultationClosure",
    "ConsultationContact",
    "ConsultationDuty",
    "ConsultationHour",
    "ConsentEvidence",
    "DigestDelivery",
    "Heartbeat",
    "Household",
    "HouseholdMember",
    "ObstacleKind",
    "Office",
    "OutboxMessage",
    "Partner",
    "PartnerContact",
    "Referral",
    "Reminder",
    "RoundTable",
    "RoundTableGuest",
    "RoundTableItem",
    "RoundTableItemEvent",
    "Staff",
    "SubLocation",
    "VisitRecord",
    "Volunteer",
    "VolunteerSuggestion",
    "Visitor",
    "WorkflowVariant",
]
