from django.urls import include, path

from servicedesk.backoffice import messages, views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("messages/", messages.messages_inbox, name="messages"),
    path("messages/read-all/", messages.messages_read_all, name="messages_read_all"),
    path("pulse/", messages.pulse, name="pulse"),
    # Import/export before people/<int:pk>/: "import" is not a number, but keep the order obvious.
    path("", include("servicedesk.backoffice.imports.urls")),
    path("", include("servicedesk.backoffice.people.urls")),
    path("", include("servicedesk.backoffice.access_requests.urls")),
    path("", include("servicedesk.backoffice.tickets.urls")),
    path("", include("servicedesk.backoffice.works.urls")),
    path("", include("servicedesk.backoffice.notifications.urls")),
    path("", include("servicedesk.backoffice.sla.urls")),
    path("", include("servicedesk.backoffice.mail.urls")),
    path("", include("servicedesk.backoffice.acts.urls")),
    path("", include("servicedesk.backoffice.equipment.urls")),
    path("", include("servicedesk.backoffice.reports.urls")),
    path("", include("servicedesk.backoffice.knowledge.urls")),
    path("", include("servicedesk.backoffice.webforms.urls")),
    path("", include("servicedesk.backoffice.webhooks.urls")),
]
