from django.urls import path

from servicedesk.backoffice.mail import views

urlpatterns = [
    path("mail/outbound/", views.outbound_list, name="outbound_mail"),
    path("mail/outbound/<int:pk>/retry/", views.outbound_retry, name="outbound_retry"),
]
