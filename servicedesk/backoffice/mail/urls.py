from django.urls import path

from servicedesk.backoffice.mail import inbound, mailboxes, views

urlpatterns = [
    path("mail/outbound/", views.outbound_list, name="outbound_mail"),
    path("mail/outbound/<int:pk>/retry/", views.outbound_retry, name="outbound_retry"),
    # Incoming mail: the health page, the messages, the mailboxes' settings.
    path("mail/", inbound.health, name="mail_health"),
    path("mail/inbound/", inbound.inbound_list, name="inbound_mail"),
    path("mail/inbound/<int:pk>/", inbound.inbound_detail, name="inbound_detail"),
    path("mail/inbound/<int:pk>/raw/", inbound.inbound_raw, name="inbound_raw"),
    path(
        "mail/inbound/<int:pk>/reprocess/",
        inbound.inbound_reprocess_view,
        name="inbound_reprocess",
    ),
    path("mail/inbound/<int:pk>/reject/", inbound.inbound_reject, name="inbound_reject"),
    path("mail/inbound/<int:pk>/ticket/", inbound.inbound_ticket, name="inbound_ticket"),
    path("mail/mailboxes/", mailboxes.mailbox_list, name="mailboxes"),
    path("mail/mailboxes/new/", mailboxes.mailbox_new, name="mailbox_new"),
    path("mail/mailboxes/test/", mailboxes.mailbox_test, name="mailbox_test_new"),
    path("mail/mailboxes/<int:pk>/", mailboxes.mailbox_edit, name="mailbox_edit"),
    path("mail/mailboxes/<int:pk>/test/", mailboxes.mailbox_test, name="mailbox_test"),
    path("mail/mailboxes/<int:pk>/token/", mailboxes.mailbox_token, name="mailbox_token"),
    path("mail/mailboxes/<int:pk>/senders/new/", mailboxes.rule_new, name="sender_new"),
    path("mail/senders/<int:pk>/", mailboxes.rule_edit, name="sender_edit"),
    path("mail/senders/<int:pk>/move/", mailboxes.rule_move, name="sender_move"),
    path("mail/senders/<int:pk>/delete/", mailboxes.rule_delete, name="sender_delete"),
    path("mail/senders/test/", mailboxes.rule_test, name="sender_test"),
]
