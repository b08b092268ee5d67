"""Pages for people who are not signed in: invitations and access requests."""

from django.urls import path, re_path

from servicedesk.web import public as views

app_name = "access"

urlpatterns = [
    path("invite/accept/", views.invitation_accept, name="invitation_accept"),
    path("invite/invalid/", views.invitation_invalid, name="invitation_invalid"),
    # `[^/]*`, not `<str:token>`: an empty token (/invite//) gets the "not valid" page too.
    re_path(r"^invite/(?P<token>[^/]*)/$", views.invitation_open, name="invitation_open"),
    path("access/request/", views.access_request_new, name="access_request"),
    path("access/request/sent/", views.access_request_sent, name="access_request_sent"),
]
