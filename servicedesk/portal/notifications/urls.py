from django.urls import path

from servicedesk.portal.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]
