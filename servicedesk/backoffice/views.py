from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import User
from servicedesk.conversations.survey_selectors import survey_averages
from servicedesk.customers.selectors import customer_data_counts


@backoffice_view
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = customer_data_counts()
    counts["customers"] = User.objects.filter(role="customer", is_active=True).count()
    context = {"counts": counts, "section": "dashboard", "survey_averages": survey_averages()}
    return render(request, "backoffice/dashboard.html", context)
