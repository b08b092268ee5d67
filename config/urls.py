from django.contrib import admin
from django.urls import include, path, re_path

from servicedesk.api.main import api
from servicedesk.api.main import not_found as api_not_found
from servicedesk.core.views import favicon, healthz, page_not_found_view
from servicedesk.web import surveys as survey_views
from servicedesk.web.me import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name none (error pages, files).
    path("favicon.ico", favicon, name="favicon"),
    # A person's login address is managed by the provider (People section), not by themselves.
    path("accounts/email/", page_not_found_view, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("servicedesk.web.me_urls")),
    path("", include("servicedesk.web.public_urls")),
    path("", include("servicedesk.web.knowledge_urls")),
    # The satisfaction survey from the email link (no sign-in; surveys.py makes the link).
    path("survey/invalid/", survey_views.survey_invalid, name="survey_invalid"),
    path("survey/thanks/", survey_views.survey_thanks, name="survey_thanks"),
    # `[^/]*`, not `<str:token>`: an empty token (/survey//) gets the "not valid" page too.
    re_path(r"^survey/(?P<token>[^/]*)/$", survey_views.survey, name="survey"),
    path("portal/", include("servicedesk.portal.urls")),
    path("backoffice/", include("servicedesk.backoffice.urls")),
    # The inbound mail webhook (token-authenticated, servicedesk/mail/views.py).
    path("mail/", include("servicedesk.mail.urls")),
    path("admin/", admin.site.urls),
    # The REST API (servicedesk/api): OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
]
