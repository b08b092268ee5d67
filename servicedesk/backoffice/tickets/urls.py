from django.urls import path

from servicedesk.backoffice.tickets import chat, detail, guest, knowledge, queue, views

urlpatterns = [
    path("tickets/", queue.ticket_queue, name="tickets"),
    path("tickets/bulk/", queue.ticket_bulk, name="ticket_bulk"),
    path("tickets/companies/", queue.company_options, name="queue_company_options"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/new/options/", views.ticket_form_options, name="ticket_form_options"),
    path("tickets/products/", views.product_search, name="product_search"),
    path("tickets/<str:number>/created/", views.ticket_created, name="ticket_created"),
    path("tickets/<str:number>/", detail.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/kb/", knowledge.ticket_kb, name="ticket_kb"),
    path(
        "tickets/<str:number>/kb/<int:pk>/attach/",
        knowledge.ticket_kb_attach,
        name="ticket_kb_attach",
    ),
    path("tickets/<str:number>/assign/", detail.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/move/", detail.ticket_move, name="ticket_move"),
    path("tickets/<str:number>/transition/", detail.ticket_transition, name="ticket_transition"),
    path("tickets/<str:number>/message/", chat.ticket_message, name="ticket_message"),
    path(
        "tickets/<str:number>/messages/",
        chat.ticket_messages_earlier,
        name="ticket_messages_earlier",
    ),
    path(
        "tickets/<str:number>/messages/poll/",
        chat.ticket_messages_poll,
        name="ticket_messages_poll",
    ),
    path(
        "tickets/<str:number>/files/<int:attachment_id>/",
        chat.ticket_attachment,
        name="ticket_attachment",
    ),
    path("tickets/<str:number>/edit/", detail.ticket_edit, name="ticket_edit"),
    path(
        "tickets/<str:number>/guest-link/revoke/",
        guest.ticket_guest_link_revoke,
        name="ticket_guest_link_revoke",
    ),
    path(
        "tickets/<str:number>/guest-link/send/",
        guest.ticket_guest_link_send,
        name="ticket_guest_link_send",
    ),
]
