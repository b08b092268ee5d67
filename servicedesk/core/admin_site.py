from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ServicedeskAdminSite(admin.AdminSite):
    """Django admin for the provider's administrators only.

    Login goes through allauth's page, so the admin is covered by the same failed-login throttling.
    """

    site_header = _("Servicedesk administration")
    site_title = _("Servicedesk")
    index_title = _("Reference data and settings")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("accounts.use_django_admin"))

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not an administrator: the admin does not exist for them.
            raise Http404
        return redirect_to_login(request.get_full_path(), reverse("account_login"))
