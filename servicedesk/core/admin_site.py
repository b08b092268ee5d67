from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


class ServicedeskAdminSite(admin.AdminSite):
    """Django admin for the provider's administrators only.

    Login goes through allauth's page, so the admin is covered by the same failed-login throttling.
    For anyone signed in without the permission, the admin does not exist: every admin URL is 404.
    """

    site_header = _("Servicedesk administration")
    site_title = _("Servicedesk")
    index_title = _("Reference data and settings")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("accounts.use_django_admin"))

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        wrapped = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not self.has_permission(request):
                if request.user.is_authenticated:
                    raise Http404
                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            return wrapped(request, *args, **kwargs)

        return cast(_View, update_wrapper(inner, wrapped))

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            # Signed in but not an administrator: the admin does not exist for them.
            raise Http404
        return redirect_to_login(next_url, reverse("account_login"))
