"""Which role may do what: the one place that maps roles to permissions.

Views, templates and the API ask `user.has_perm("portal.access")` and friends; nothing else
looks at `user.role`. Object-level access (which company's data) is the scoping layer's job:
`<Model>.objects.visible_to(user)` and the `access_*` functions.
"""

from typing import Any

import rules

from servicedesk.accounts.models import Role


@rules.predicate
def is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role_{'_or_'.join(roles)}")
    def predicate(user: Any) -> bool:
        return getattr(user, "role", None) in roles

    return is_active_user & predicate


is_admin = _has_role(Role.ADMIN)
is_dispatcher = _has_role(Role.DISPATCHER)
is_engineer = _has_role(Role.ENGINEER)
is_customer = _has_role(Role.CUSTOMER)
is_provider_staff = _has_role(Role.ADMIN, Role.DISPATCHER, Role.ENGINEER)

rules.add_perm("portal.access", is_customer)
rules.add_perm("backoffice.access", is_provider_staff)
rules.add_perm("accounts.use_django_admin", is_admin)


@rules.predicate
def target_is_customer(user: Any, target: Any) -> bool:
    return bool(target is not None and getattr(target, "role", None) == Role.CUSTOMER)


# People: administrators manage everyone; dispatchers manage customers (and see the lists).
rules.add_perm("accounts.view_people", is_admin | is_dispatcher)
rules.add_perm("accounts.manage_user", is_admin | (is_dispatcher & target_is_customer))
rules.add_perm("accounts.manage_staff", is_admin)
rules.add_perm("accounts.decide_access_requests", is_admin | is_dispatcher)
rules.add_perm("accounts.view_audit_log", is_admin)
rules.add_perm("accounts.import_people", is_admin | is_dispatcher)
rules.add_perm("portal.request_colleague_access", is_customer)
