from django.urls import include, path

from servicedesk.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Import/export before people/<int:pk>/: "import" is not a number, but keep the order obvious.
    path("", include("servicedesk.backoffice.imports.urls")),
    path("", include("servicedesk.backoffice.people.urls")),
    path("", include("servicedesk.backoffice.access_requests.urls")),
    path("", include("servicedesk.backoffice.tickets.urls")),
    path("", include("servicedesk.backoffice.notifications.urls")),
    path("", include("servicedesk.backoffice.sla.urls")),
]
    path("", include("servicedesk.backoffice.mail.urls")),
