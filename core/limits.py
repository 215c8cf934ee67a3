"""Every bound on what people may type or send, in one place: forms, the API and the services
check against these, so the database never sees a value it cannot hold.

Ids are PostgreSQL ``integer`` columns; text lengths match the models' columns.
"""

import re

MAX_ID = 2**31 - 1  # the id columns: a larger number names nothing (404), never a 500
MAX_VERSION = 2**31 - 1
MAX_PAGE = 100_000

NAME = 120  # family and given names, office and sub-location names, staff, employers
PARTNER_NAME = 160
STREET = 200  # a street, an office's address
CODE = 40  # an office's short code
EMAIL = 200
NOTE = 4000  # a note, a reason for waiving a step, a partner's reason
TRIGGER = 60
MEMBERS = 20  # household members entered at intake (form and API alike)
SEARCH = 100

# Appointments and other times staff type: far outside these years is a typo, not a plan.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

# Text without control characters (the edge refuses them); a single line also without breaks.
# JSON-schema patterns, so the OpenAPI document tells clients the same rule.
TEXT_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
LINE_PATTERN = r"^[^\x00-\x1F\x7F-\x9F]*$"


def single_line(value: str) -> bool:
    """No line break, no other control character: safe in an email header and a letter."""
    return re.fullmatch(LINE_PATTERN, value) is not None


# A whole request: an intake with every member fits in a few kilobytes.
BODY_BYTES = 256 * 1024
# A signed form, scanned or photographed (workflows.consent.evidence); only its own routes take it.
UPLOAD_BYTES = 8 * 1024 * 1024
