from enum import StrEnum, unique

from django.utils.functional import Promise


@unique
class ErrorCode(StrEnum):
    """Why a business rule refused an action, for code to act on (pages show the message).
    The values are the codes the API and the pages have always compared (`error.code ==
    "conflict"` still holds). A code named after a field says that field's value was refused."""

    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"  # the object changed since the page asking for the change was made
    STAGE = "stage"  # not in the ticket's current status

    # Tickets: a field's value refused (field= says which, too)
    ASSIGNEE = "assignee"
    COMPANY = "company"
    CONTACT = "contact"
    CONTRACT = "contract"
    CONTRACT_COVERAGE = "contract_coverage"
    COUNTRY = "country"
    CRITICALITY = "criticality"
    DESCRIPTION = "description"
    DUE_AT = "due_at"
    EQUIPMENT = "equipment"
    EQUIPMENT_SITE = "equipment_site"
    ORIGIN = "origin"
    PRODUCT = "product"
    REASON = "reason"
    RESOLUTION = "resolution"
    SITE = "site"
    SUBJECT = "subject"
    TICKET_TYPE = "ticket_type"
    WORK_TYPE = "work_type"
    # Tickets: the change asked for
    FIELD = "field"  # a field that cannot be changed there
    UNKNOWN_TRANSITION = "unknown_transition"
    BULK_ACTION = "bulk_action"
    BULK_TOO_MANY = "bulk_too_many"
    # Files
    NO_FILE = "no_file"
    BAD_FILE = "bad_file"
    TOO_MANY_FILES = "too_many_files"

    # Completed works (works/services.py): a line's value refused, or the change itself
    WORKS_LOCKED = "works_locked"  # the act made from the works decides (works_locked)
    NO_ENGINEERS = "no_engineers"
    ENGINEER = "engineer"
    DUPLICATE_ENGINEER = "duplicate_engineer"
    PERIOD = "period"  # an end before the start
    TOO_MANY_HOURS = "too_many_hours"
    RATE = "rate"
    PRICE = "price"
    QUANTITY = "quantity"
    UNIT = "unit"
    MATERIAL = "material"
    TOO_MANY_LINES = "too_many_lines"

    # Acts (acts/services.py)
    NO_WORKS = "no_works"  # an act lists completed works: none yet
    ACT_EXISTS = "act_exists"
    NO_ACT = "no_act"  # the ticket has no act to sign, dispute or correct
    ACT_STATE = "act_state"  # not possible in the act's state (e.g. signing one being corrected)
    ACT_SIGNED = "act_signed"  # signed already (by someone else, a moment before)
    ACT_CHANGED = "act_changed"  # the act changed since the person opened it
    SIGNATURE = "signature"  # the drawn signature is refused (acts/signature.py)
    ACT_REQUIRED = "act_required"  # the ticket's type needs a signed act before this stage
    # The ticket's type needs the assigned engineer's QR scan before work starts
    # (tickets/presence.py)
    PRESENCE_REQUIRED = "presence_required"

    # Conversations and surveys
    EMPTY = "empty"  # also an empty import file
    TOO_LONG = "too_long"
    INTERNAL = "internal"
    RATED = "rated"
    NO_CRITERIA = "no_criteria"
    CRITERIA_CHANGED = "criteria_changed"

    # Outgoing webhooks (webhooks/services.py)
    WEBHOOK_URL = "webhook_url"  # not http(s), a port not allowed, or a private address
    WEBHOOK_EVENTS = "webhook_events"

    # Accounts: people, memberships, invitations, access requests (accounts/services.py)
    ALREADY_ACTIVATED = "already_activated"
    DECIDED = "decided"
    DUPLICATE_COMPANY = "duplicate_company"
    DUPLICATE_NAME = "duplicate_name"  # a name that must be unique among the person's own
    EMPTY_SCOPE = "empty_scope"
    FOREIGN_SCOPE = "foreign_scope"
    INACTIVE = "inactive"
    INVALID_LINK = "invalid_link"
    NO_ADDRESS = "no_address"
    NO_COMPANY = "no_company"
    NO_REASON = "no_reason"
    NOT_A_STAFF_ROLE = "not_a_staff_role"
    SAME_KIND = "same_kind"
    SELF = "self"  # not to oneself

    # Accounts: importing people from a file (accounts/imports/)
    BAD_XLSX = "bad_xlsx"
    BAD_ZIP = "bad_zip"
    COLUMNS = "columns"
    CSV = "csv"
    ENCODING = "encoding"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    NOT_A_TABLE = "not_a_table"
    NOT_APPLIED = "not_applied"
    NOT_XLSX = "not_xlsx"
    ROW_FAILED = "row_failed"
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    XLS = "xls"

    # Intake: filing without an account (intake/services.py, the web form)
    EXISTING_ACCOUNT = "existing_account"  # the address is an account's that may not file so
    PHONE = "phone"
    EMAIL = "email"
    RATE_LIMITED = "rate_limited"
    CAPTCHA = "captcha"


class ApplicationError(Exception):
    """A business rule refused an action. Pages show `message`; the API returns `code`."""

    def __init__(
        self,
        message: str | Promise,
        *,
        code: ErrorCode = ErrorCode.INVALID,
        field: str | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
