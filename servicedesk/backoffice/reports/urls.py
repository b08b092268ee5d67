from django.urls import path

from servicedesk.backoffice.reports import views

urlpatterns = [
    path("reports/", views.provider_report, name="reports"),
]
