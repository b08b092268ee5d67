from django.urls import path

from servicedesk.backoffice.acts import views

urlpatterns = [
    path("settings/our-company/", views.act_settings, name="act_settings"),
    path("settings/our-company/sample.pdf", views.act_settings_sample, name="act_settings_sample"),
]
