"""The equipment's passport in the back office: its QR code (SVG, PNG), label sheets as PDF for
a selection, replacing the token (old labels stop working) and the photo. Administrators and
dispatchers (`customers.manage_passport`); the QR itself is shown to all staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.accounts.decorators import AuthenticatedHttpRequest, backoffice_view
from servicedesk.core.errors import ApplicationError
from servicedesk.core.forms import pk_or_none
from servicedesk.core.pdf import pdf_from_html
from servicedesk.customers import passport
from servicedesk.customers.access import access_equipment
from servicedesk.customers.models import Equipment

MANAGE = "customers.manage_passport"
LABELS_MAX = 400


@dataclass(frozen=True)
class LabelLayout:
    code: str
    label: str
    columns: int
    rows: int
    width: float  # mm
    height: float  # mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:  # the sheet's margins: the grid centred on A4
        return (210 - self.columns * self.width) / 2

    @property
    def top(self) -> float:
        return (297 - self.rows * self.height) / 2


LAYOUTS = {
    layout.code: layout
    for layout in (
        LabelLayout("70x37", "70 × 37 mm, 3 × 8", 3, 8, 70, 37),
        LabelLayout("52x30", "52.5 × 29.7 mm, 4 × 10", 4, 10, 52.5, 29.7),
        LabelLayout("105x74", "105 × 74 mm, 2 × 4", 2, 4, 105, 74.25),
    )
}
DEFAULT_LAYOUT = "70x37"
LAYOUTS_TITLE = gettext_lazy("Label size")


def _manage(request: AuthenticatedHttpRequest) -> None:
    if not request.user.has_perm(MANAGE):
        raise Http404


@dataclass(frozen=True)
class PlacedLabel:
    equipment: Equipment
    qr: str
    left: float
    top: float


def labels_pdf(items: list[Equipment], layout: LabelLayout) -> bytes:
    pages: list[list[PlacedLabel]] = []
    for index, item in enumerate(items):
        slot = index % layout.per_page
        if slot == 0:
            pages.append([])
        column, row = slot % layout.columns, slot // layout.columns
        pages[-1].append(
            PlacedLabel(
                equipment=item,
                qr=passport.qr_svg_inline(passport.passport_url(item)),
                left=layout.left + column * layout.width,
                top=layout.top + row * layout.height,
            )
        )
    html = render_to_string(
        "backoffice/equipment/labels_pdf.html",
        {"pages": pages, "layout": layout, "qr_size": min(layout.height - 4, layout.width / 2)},
    )
    return pdf_from_html(html)


@backoffice_view
@require_GET
def equipment_labels(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A PDF of labels (name, serial, site, QR) for the equipment ticked in the list."""
    _manage(request)
    ids = [pk for pk in (pk_or_none(value) for value in request.GET.getlist("ids")) if pk]
    layout = LAYOUTS.get(request.GET.get("layout", ""), LAYOUTS[DEFAULT_LAYOUT])
    if not ids:
        messages.error(request, _("Tick the equipment to print labels for."))
        return redirect("backoffice:equipment_list")
    if len(ids) > LABELS_MAX:
        messages.error(request, _("At most %(max)s labels at a time.") % {"max": LABELS_MAX})
        return redirect("backoffice:equipment_list")
    items = list(
        Equipment.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("company", "site")
        .order_by("company__name", "name", "id")
    )
    response = HttpResponse(labels_pdf(items, layout), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="labels-{layout.code}.pdf"'
    return response


@backoffice_view
@require_http_methods(["GET", "POST"])
def equipment_passport_rotate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Replace the passport token: asks first (the printed labels stop working)."""
    _manage(request)
    equipment = access_equipment(request.user, pk)
    if request.method == "POST":
        passport.passport_token_rotate(obj=equipment)
        messages.success(
            request,
            _("The passport has a new QR code. Print new labels: the old ones no longer work."),
        )
        return redirect("backoffice:equipment_detail", pk=equipment.pk)
    return render(
        request,
        "backoffice/equipment/passport_rotate.html",
        {"section": "equipment", "equipment": equipment},
    )


@backoffice_view
@require_POST
def equipment_photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    equipment = access_equipment(request.user, pk)
    upload = request.FILES.get("photo")
    remove = request.POST.get("remove") == "1"
    if upload is None and not remove:
        messages.error(request, _("Choose a photo."))
        return redirect("backoffice:equipment_detail", pk=equipment.pk)
    try:
        passport.equipment_photo_set(equipment=equipment, upload=None if remove else upload)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The photo is removed.") if remove else _("The photo is saved.")
        )
    return redirect("backoffice:equipment_detail", pk=equipment.pk)


@backoffice_view
@require_GET
def equipment_photo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    equipment = access_equipment(request.user, pk)
    if not equipment.photo:
        raise Http404
    with equipment.photo.open("rb") as photo:  # at most PHOTO_MAX_SIDE wide: read at once
        response = HttpResponse(photo.read(), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
