from django.urls import include, path

from servicedesk.portal import analytics, messages, views

app_name = "portal"

urlpatterns = [
    path("", include("servicedesk.portal.tickets.urls")),
    path("", include("servicedesk.portal.notifications.urls")),
    path("companies/", views.companies, name="companies"),
    path("analytics/", analytics.client_report, name="analytics"),
    path("", include("servicedesk.portal.equipment.urls")),
    path("messages/", messages.messages_inbox, name="messages"),
    path("messages/read-all/", messages.messages_read_all, name="messages_read_all"),
    path("pulse/", messages.pulse, name="pulse"),
    path("colleagues/request/", views.colleague_access_request, name="colleague_access"),
]
