from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import BaseBackend
from rules.permissions import ObjectPermissionBackend

from servicedesk.accounts.models import Role, User


class RoleBackend(BaseBackend):
    """Grants permissions by role: the admin role holds every permission (model permissions
    included, so the Django admin works for them); other roles hold what accounts/rules.py says.
    Authentication itself is allauth's job."""

    _rules = ObjectPermissionBackend()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not getattr(user_obj, "is_active", False):
            return False
        if getattr(user_obj, "role", None) == Role.ADMIN:
            return True
        return bool(self._rules.has_perm(user_obj, perm, obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return bool(getattr(user_obj, "is_active", False) and user_obj.role == Role.ADMIN)


class EmailBackend(AuthenticationBackend):
    """allauth's login by email, without Django's per-user and per-group permission tables:
    permissions here come from roles (RoleBackend), so asking the database is a wasted query
    on every page."""

    def authenticate(self, request: Any, **credentials: Any) -> Any:
        phone = credentials.get("phone")
        if phone is None:
            return super().authenticate(request, **credentials)
        password = credentials.get("password") or ""
        from servicedesk.accounts.login import phone_credential

        valid = phone_credential(phone) == phone
        user = User.objects.filter(phone=phone).first() if valid else None
        if user is None:
            # Same work as a real check, so timing does not tell whether the phone exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
