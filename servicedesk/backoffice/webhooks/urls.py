from django.urls import path

from servicedesk.backoffice.webhooks import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook_new"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/secret/", views.webhook_secret, name="webhook_secret"),
    path("webhooks/<int:pk>/ping/", views.webhook_ping_view, name="webhook_ping"),
    path("webhooks/<int:pk>/pause/", views.webhook_pause_view, name="webhook_pause"),
    path("webhooks/<int:pk>/resume/", views.webhook_resume_view, name="webhook_resume"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete_view, name="webhook_delete"),
    path("webhooks/deliveries/<int:pk>/", views.delivery_detail, name="webhook_delivery"),
    path("webhooks/deliveries/<int:pk>/resend/", views.delivery_resend_view, name="webhook_resend"),
]
