"""Every change to people and their access: creation, invitations, passwords, deactivation,
conversion between employee and customer, access requests. Each records an AuditEvent.
One module per concern (audit, users, passwords, invitations, access_requests), all
re-exported here: callers import from `servicedesk.accounts.services`.

Views, the import and management commands call these; permission checks ("may this staff
member manage that user") are the caller's, through `user.has_perm("accounts.manage_user", u)`.
"""

from servicedesk.accounts.services.access_requests import (
    access_request_approve,
    access_request_create,
    access_request_reject,
)
from servicedesk.accounts.services.api_tokens import (
    NewToken,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from servicedesk.accounts.services.audit import audit_record, client_ip
from servicedesk.accounts.services.invitations import (
    invitation_accept,
    invitation_find,
    invitation_renew_request,
    invitation_send,
)
from servicedesk.accounts.services.passwords import (
    user_password_set,
    user_temporary_password_issue,
)
from servicedesk.accounts.services.users import (
    USER_EDITABLE_FIELDS,
    MembershipData,
    user_convert,
    user_create,
    user_deactivate,
    user_hourly_rate_set,
    user_reactivate,
    user_role_set,
    user_update,
)

__all__ = [
    "USER_EDITABLE_FIELDS",
    "MembershipData",
    "NewToken",
    "access_request_approve",
    "access_request_create",
    "access_request_reject",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "audit_record",
    "client_ip",
    "invitation_accept",
    "invitation_find",
    "invitation_renew_request",
    "invitation_send",
    "user_convert",
    "user_create",
    "user_deactivate",
    "user_hourly_rate_set",
    "user_password_set",
    "user_reactivate",
    "user_role_set",
    "user_temporary_password_issue",
    "user_update",
]
