from django.urls import include, path

from servicedesk.portal import acts, analytics, knowledge, messages, views

app_name = "portal"

urlpatterns = [
    path("", include("servicedesk.portal.tickets.urls")),
    path("", include("servicedesk.portal.notifications.urls")),
    path("companies/", views.companies, name="companies"),
    path("acts/batch/", acts.acts_batch, name="acts_batch"),
    path("acts/batch/pdf/", acts.acts_batch_file, {"file_format": "pdf"}, name="acts_batch_pdf"),
    path("acts/batch/xlsx/", acts.acts_batch_file, {"file_format": "xlsx"}, name="acts_batch_xlsx"),
    path("analytics/", analytics.client_report, name="analytics"),
    path("", include("servicedesk.portal.equipment.urls")),
    path("messages/", messages.messages_inbox, name="messages"),
    path("messages/read-all/", messages.messages_read_all, name="messages_read_all"),
    path("pulse/", messages.pulse, name="pulse"),
    path("kb/", knowledge.kb_index, name="kb"),
    path("kb/<int:pk>/", knowledge.kb_article, name="kb_article"),
    path("kb/<int:pk>/feedback/", knowledge.kb_feedback, name="kb_feedback"),
    path("tickets/<str:number>/articles/", knowledge.ticket_articles, name="ticket_articles"),
    path("colleagues/request/", views.colleague_access_request, name="colleague_access"),
]
