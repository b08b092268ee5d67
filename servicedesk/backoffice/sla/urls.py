from django.urls import path

from servicedesk.backoffice.sla import views

urlpatterns = [
    path("sla/calendars/", views.calendar_list_view, name="sla_calendars"),
    path("sla/calendars/new/", views.calendar_new, name="sla_calendar_new"),
    path("sla/calendars/<int:pk>/", views.calendar_detail, name="sla_calendar_detail"),
    path("sla/calendars/<int:pk>/edit/", views.calendar_edit, name="sla_calendar_edit"),
    path("sla/calendars/<int:pk>/holidays/", views.holiday_add, name="sla_holiday_add"),
    path(
        "sla/calendars/<int:pk>/holidays/import/",
        views.holiday_import,
        name="sla_holiday_import",
    ),
    path(
        "sla/calendars/<int:pk>/holidays/<int:holiday_pk>/delete/",
        views.holiday_delete,
        name="sla_holiday_delete",
    ),
    path("sla/rules/", views.rule_list_view, name="sla_rules"),
    path("sla/rules/new/", views.rule_new, name="sla_rule_new"),
    path("sla/rules/<int:pk>/edit/", views.rule_edit, name="sla_rule_edit"),
]
