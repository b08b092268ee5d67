"""The interactive docs page (Swagger UI) from our own static files.

django-ninja serves its local copy only when "ninja" is an installed app and otherwise a page
that loads Swagger UI from a CDN with an inline script, both refused by our CSP. Ninja is not
an installed app (importing it at every process start cost ~2 s under load), so this renders
ninja's local template — found through TEMPLATES' DIRS and its static files through
STATICFILES_DIRS (config/settings.py) — whatever INSTALLED_APPS says."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            # The page calls the API with the visitor's session: writes need the CSRF token.
            "add_csrf": True,
        }
        return render(request, self.template, context)
