from django.contrib.admin.apps import AdminConfig


class ServicedeskAdminConfig(AdminConfig):
    default_site = "servicedesk.core.admin_site.ServicedeskAdminSite"
