from django.urls import path

from servicedesk.backoffice.acts import batch, ticket_act, views

urlpatterns = [
    path("acts/batch/", batch.acts_batch, name="acts_batch"),
    path("acts/batch/pdf/", batch.acts_batch_file, {"file_format": "pdf"}, name="acts_batch_pdf"),
    path(
        "acts/batch/xlsx/", batch.acts_batch_file, {"file_format": "xlsx"}, name="acts_batch_xlsx"
    ),
    path("settings/our-company/", views.act_settings, name="act_settings"),
    path("settings/our-company/sample.pdf", views.act_settings_sample, name="act_settings_sample"),
    path(
        "tickets/<str:number>/act/issue/",
        ticket_act.ticket_act_issue,
        name="ticket_act_issue",
    ),
    path("tickets/<str:number>/act/", ticket_act.ticket_act, name="ticket_act"),
    path("tickets/<str:number>/act/pdf/", ticket_act.ticket_act_pdf, name="ticket_act_pdf"),
    path("tickets/<str:number>/act/sign/", ticket_act.ticket_act_sign, name="ticket_act_sign"),
    path(
        "tickets/<str:number>/act/reopen/", ticket_act.ticket_act_reopen, name="ticket_act_reopen"
    ),
    path(
        "tickets/<str:number>/act/submit/", ticket_act.ticket_act_submit, name="ticket_act_submit"
    ),
    path(
        "tickets/<str:number>/act/v<int:version>/",
        ticket_act.ticket_act_version,
        name="ticket_act_version",
    ),
    path(
        "tickets/<str:number>/act/v<int:version>/pdf/",
        ticket_act.ticket_act_version_pdf,
        name="ticket_act_version_pdf",
    ),
]
