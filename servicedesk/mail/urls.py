from django.urls import path

from servicedesk.mail import views

app_name = "mail"
urlpatterns = [
    path("inbound/<int:mailbox_id>/", views.inbound_webhook, name="inbound_webhook"),
]
