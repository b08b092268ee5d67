from django.contrib import admin
from django.urls import include, path

from servicedesk.accounts.views import home
from servicedesk.core.views import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("servicedesk.accounts.urls")),
    path("portal/", include("servicedesk.portal.urls")),
    path("backoffice/", include("servicedesk.backoffice.urls")),
    path("admin/", admin.site.urls),
]
