from django.urls import path

from servicedesk.portal.tickets import act, create, suggest, survey, views

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("tickets/new/", create.ticket_new, name="ticket_new"),
    path("tickets/new/options/", create.ticket_form_options, name="ticket_form_options"),
    path("tickets/new/suggest/", suggest.ticket_suggest, name="ticket_suggest"),
    path("tickets/new/deflect/<int:pk>/", suggest.ticket_deflect, name="ticket_deflect"),
    path("tickets/products/", create.product_search, name="product_search"),
    path("tickets/<str:number>/created/", create.ticket_created, name="ticket_created"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
    path(
        "tickets/<str:number>/files/<int:attachment_id>/",
        views.ticket_attachment,
        name="ticket_attachment",
    ),
    path(
        "tickets/<str:number>/files/", views.ticket_attachments_add, name="ticket_attachments_add"
    ),
    path("tickets/<str:number>/follow/", views.ticket_follow, name="ticket_follow"),
    path("tickets/<str:number>/message/", views.ticket_message, name="ticket_message"),
    path(
        "tickets/<str:number>/messages/",
        views.ticket_messages_earlier,
        name="ticket_messages_earlier",
    ),
    path(
        "tickets/<str:number>/messages/poll/",
        views.ticket_messages_poll,
        name="ticket_messages_poll",
    ),
    path("tickets/<str:number>/accept/", views.ticket_accept, name="ticket_accept"),
    path("tickets/<str:number>/survey/", survey.ticket_survey, name="ticket_survey"),
    path("tickets/<str:number>/print/", views.ticket_print, name="ticket_print"),
    path("tickets/<str:number>/pdf/", views.ticket_pdf, name="ticket_pdf"),
    path("tickets/<str:number>/act/", act.ticket_act, name="ticket_act"),
    path("tickets/<str:number>/act/pdf/", act.ticket_act_pdf, name="ticket_act_pdf"),
    path("tickets/<str:number>/act/sign/", act.ticket_act_sign, name="ticket_act_sign"),
    path("tickets/<str:number>/act/dispute/", act.ticket_act_dispute, name="ticket_act_dispute"),
    path(
        "tickets/<str:number>/act/v<int:version>/",
        act.ticket_act_version,
        name="ticket_act_version",
    ),
    path(
        "tickets/<str:number>/act/v<int:version>/pdf/",
        act.ticket_act_version_pdf,
        name="ticket_act_version_pdf",
    ),
]
