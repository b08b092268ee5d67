"""The survey's criteria are a reference list, edited in the Django admin like the others."""

from django.contrib import admin

from servicedesk.conversations.models import SurveyCriterion
from servicedesk.customers.admin import ReferenceAdmin

admin.site.register(SurveyCriterion, ReferenceAdmin)
