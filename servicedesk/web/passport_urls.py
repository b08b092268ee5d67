"""The equipment and site passports by QR (servicedesk/web/passport.py). `[^/]*` tokens: an
empty or odd one gets the same "not found" (and counts against the rate limit)."""

from django.urls import re_path

from servicedesk.web import passport as views

app_name = "passport"

T = r"(?P<token>[^/]*)"

urlpatterns = [
    re_path(rf"^p/site/{T}/$", views.passport_site, name="site"),
    re_path(rf"^p/{T}/$", views.passport_equipment, name="equipment"),
    re_path(rf"^p/{T}/photo\.jpg$", views.passport_photo, name="photo"),
    re_path(rf"^p/{T}/qr\.(?P<kind>svg|png)$", views.passport_qr, name="qr"),
    re_path(rf"^p/{T}/file/$", views.passport_file, name="file"),
    re_path(rf"^p/{T}/file/(?P<number>[^/]+)/$", views.passport_filed, name="filed"),
    re_path(rf"^p/{T}/register/$", views.passport_register_start, name="register"),
    re_path(rf"^p/{T}/register/confirm/$", views.passport_register_confirm, name="confirm"),
    re_path(rf"^p/{T}/join/$", views.passport_join, name="join"),
    re_path(rf"^p/{T}/guest/$", views.passport_guest, name="guest"),
]
