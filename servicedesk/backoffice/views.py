from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from servicedesk.accounts.decorators import backoffice_view
from servicedesk.accounts.models import User
from servicedesk.backoffice.tickets.queue import VIEW_LABELS
from servicedesk.conversations.survey_selectors import survey_averages
from servicedesk.customers.selectors import customer_data_counts
from servicedesk.tickets import selectors

# The queue's views the dashboard shows, with their icons; the overdue one is red when not empty.
DASHBOARD_VIEWS = (
    (selectors.QUEUE_NEW, "person-exclamation", False),
    (selectors.QUEUE_OVERDUE, "alarm", True),
    (selectors.QUEUE_DUE_SOON, "hourglass-split", False),
    (selectors.QUEUE_WAITING, "chat-left-dots", False),
    (selectors.QUEUE_MINE, "person-check", False),
)


@backoffice_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs the staff now (the queue's counts, each a link to its view), the customers'
    data and the satisfaction of the last 30 days."""
    counts = customer_data_counts()
    counts["customers"] = User.objects.filter(role="customer", is_active=True).count()
    view_counts = selectors.queue_view_counts(request.user)
    queue = [
        {
            "key": view,
            "label": VIEW_LABELS[view],
            "icon": icon,
            "alert": alert,
            "count": view_counts[view],
            "url": f"{reverse('backoffice:tickets')}?view={view}",
        }
        for view, icon, alert in DASHBOARD_VIEWS
    ]
    context = {
        "counts": counts,
        "queue": queue,
        "section": "dashboard",
        "survey_averages": survey_averages(),
    }
    return render(request, "backoffice/dashboard.html", context)
