"""The people import and export pages: upload → preview → apply → summary, bad files, the
template, the export with the People list's filters, and who may use them."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import AuditEvent, Membership, Role, User
from tests.conftest import login
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.fixtures.imports import (
    EN,
    OLE2,
    PNG,
    csv_bytes,
    csv_rows,
    xlsx_bytes,
    xlsx_rows,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

IMPORT = reverse("backoffice:people_import")
APPLY = reverse("backoffice:people_import_apply")
DONE = reverse("backoffice:people_import_done")
TEMPLATE = reverse("backoffice:people_import_template")
EXPORT = reverse("backoffice:people_export")

IVAN = ["Ivanov", "Ivan", "ivan@alfa.test", "+7 912 345-67-89", "customer", "", "alfa", "Buyer"]
PETR = ["Petrov", "Petr", "petr@beta.test", "", "Заказчик", "", "Beta Works", ""]
OLGA = ["Orlova", "Olga", "olga@provider.test", "", "employee", "engineer", "", ""]
BAD = ["Bad", "Row", "not-an-email", "", "customer", "", "alfa", ""]


@pytest.fixture(autouse=True)
def companies(db):
    return {
        "alfa": CompanyFactory(code="alfa", name="Alfa Retail"),
        "beta": CompanyFactory(code="beta", name="Beta Works"),
    }


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


@pytest.fixture
def admin(client):
    user = UserFactory(admin=True, language="en")
    login(client, user)
    return user


@pytest.fixture
def dispatcher(client):
    user = UserFactory(dispatcher=True, language="en")
    login(client, user)
    return user


def upload(client, data: bytes, name="people.csv", *, invite=True):
    fields = {"file": SimpleUploadedFile(name, data)}
    if invite:
        fields["send_invitations"] = "on"
    return client.post(IMPORT, fields)


def preview(client, data: bytes, name="people.csv", *, invite=True):
    response = upload(client, data, name, invite=invite)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == IMPORT
    return client.get(IMPORT)


def apply(client, response, capture):
    token = client.session["people_import"]["token"]
    with capture(execute=True):
        return client.post(APPLY, {"token": token, "apply": "1"})


def shown_actions(response):
    return [(row.line, row.action) for row in response.context["page"]]


# --- The journey -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name"), [(csv_bytes, "people.csv"), (xlsx_bytes, "people.xlsx")], ids=["csv", "xlsx"]
)
def test_admin_previews_and_applies_a_good_file(
    client, admin, companies, make, name, django_capture_on_commit_callbacks
):
    existing = MembershipFactory(
        company=companies["beta"], user__email="petr@beta.test", user__full_name="Petr Old"
    ).user

    response = preview(client, make([IVAN, PETR, OLGA]), name)

    assert shown_actions(response) == [(2, "create"), (3, "update"), (4, "create")]
    html = response.content.decode()
    assert "Name: Petr Old → Petrov Petr" in html
    assert 'data-testid="apply"' in html
    assert "An invitation will be sent to 1 new customer." in html
    assert User.objects.count() == 2  # nothing yet

    response = apply(client, response, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == DONE
    ivan = User.objects.get(email="ivan@alfa.test")
    olga = User.objects.get(email="olga@provider.test")
    existing.refresh_from_db()
    assert existing.full_name == "Petrov Petr"
    assert [(m.user.email, m.company.code) for m in Membership.objects.order_by("user__email")] == [
        ("ivan@alfa.test", "alfa"),
        ("petr@beta.test", "beta"),
    ]
    assert (ivan.role, olga.role) == (Role.CUSTOMER, Role.ENGINEER)
    assert [m.to for m in mail.outbox] == [["ivan@alfa.test"]]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORTED)
    assert (event.actor, event.details["created"], event.details["updated"]) == (admin, 2, 1)
    assert event.details["file"] == name
    assert "people_import" not in client.session

    summary = client.get(DONE)
    assert [p.email for p in summary.context["created"]] == ["ivan@alfa.test", "olga@provider.test"]
    assert [p.email for p in summary.context["updated"]] == ["petr@beta.test"]
    html = summary.content.decode()
    assert 'data-testid="count-created">2<' in html
    assert 'data-testid="count-invited">1<' in html


def test_no_invitations_when_the_box_is_off(client, dispatcher, django_capture_on_commit_callbacks):
    response = preview(client, csv_bytes([IVAN, PETR]), invite=False)
    assert "No invitations will be sent." in response.content.decode()
    apply(client, response, django_capture_on_commit_callbacks)
    assert User.objects.filter(role=Role.CUSTOMER).count() == 2
    assert mail.outbox == []


def test_reimporting_the_same_file_shows_everyone_unchanged(
    client, admin, django_capture_on_commit_callbacks
):
    data = csv_bytes([IVAN, PETR, OLGA])
    apply(client, preview(client, data), django_capture_on_commit_callbacks)
    count, mails = User.objects.count(), len(mail.outbox)

    response = preview(client, data)

    assert shown_actions(response) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    html = response.content.decode()
    assert 'data-testid="nothing-to-do"' in html
    assert 'data-testid="apply"' not in html
    assert (User.objects.count(), len(mail.outbox)) == (count, mails)


def test_one_bad_row_among_good_ones_stops_everything(
    client, admin, django_capture_on_commit_callbacks
):
    response = preview(client, csv_bytes([IVAN, BAD, PETR]))

    assert shown_actions(response) == [(2, "create"), (3, "error"), (4, "create")]
    html = response.content.decode()
    assert "Email: “not-an-email” is not a valid address." in html
    assert "1 row has errors." in html
    assert 'data-testid="apply"' not in html

    # Applying anyway (a hand-made POST) changes nothing.
    response = apply(client, response, django_capture_on_commit_callbacks)
    assert response["Location"] == IMPORT
    assert User.objects.count() == 1
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORTED).exists()
    page = client.get(IMPORT)
    assert "Some rows are no longer valid; nothing was imported." in page.content.decode()


def test_the_preview_filters_rows_by_what_will_happen(client, admin):
    preview(client, csv_bytes([IVAN, BAD, PETR]))
    response = client.get(IMPORT, {"show": "error"})
    assert shown_actions(response) == [(3, "error")]
    response = client.get(IMPORT, {"show": "create"})
    assert shown_actions(response) == [(2, "create"), (4, "create")]


def test_a_dispatchers_employee_rows_are_errors(client, dispatcher):
    response = preview(client, csv_bytes([IVAN, OLGA]))
    assert shown_actions(response) == [(2, "create"), (3, "error")]
    assert "Only administrators can import employees; you can import customers." in (
        response.content.decode()
    )
    assert 'data-testid="apply"' not in response.content.decode()


def test_people_changed_since_the_preview(
    client, admin, companies, django_capture_on_commit_callbacks
):
    response = preview(client, csv_bytes([IVAN]))
    MembershipFactory(company=companies["alfa"], user__email="ivan@alfa.test")
    response = apply(client, response, django_capture_on_commit_callbacks)
    assert response["Location"] == IMPORT
    assert User.objects.filter(email="ivan@alfa.test").count() == 1
    assert mail.outbox == []
    page = client.get(IMPORT)
    assert "People changed since the preview" in page.content.decode()
    assert shown_actions(page) == [(2, "update")]


def test_an_old_or_forged_token_applies_nothing(client, admin, django_capture_on_commit_callbacks):
    preview(client, csv_bytes([IVAN]))
    response = client.post(APPLY, {"token": "forged", "apply": "1", "rows": "[]"})
    assert response["Location"] == IMPORT
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    token = client.session["people_import"]["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(APPLY, {"token": token, "apply": "1"})
        client.post(APPLY, {"token": token, "apply": "1"})  # a double click
    assert User.objects.filter(email="ivan@alfa.test").count() == 1
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORTED).count() == 1


def test_discard(client, admin):
    preview(client, csv_bytes([IVAN]))
    token = client.session["people_import"]["token"]
    client.post(APPLY, {"token": token, "discard": "1"})
    assert "people_import" not in client.session
    assert not User.objects.filter(email="ivan@alfa.test").exists()


# --- Bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "people.csv", "The submitted file is empty."),
        (b"\xef\xbb\xbf\r\n", "people.csv", "The file is empty."),
        (csv_bytes([]), "people.csv", "The file has a header but no rows to import."),
        (PNG, "people.csv", "This is not a CSV or XLSX file."),
        (zip_bytes(), "people.xlsx", "This ZIP archive is not an Excel workbook."),
        (OLE2, "people.xls", "This is an old Excel (.xls) or a password-protected workbook."),
        (b"Surname;Name\n\x98\xff;x\n", "people.csv", "neither UTF-8 nor Windows-1251"),
        (csv_bytes([["a", "b"]], ["Name", "Salary"]), "people.csv", "Unknown column “Salary”."),
        (csv_bytes([IVAN[:3]], EN[:3]), "people.csv", "Missing columns: Kind."),
    ],
    ids=[
        "zero-bytes", "blank", "header-only", "png", "zip", "xls", "encoding",
        "unknown-column", "missing-column",
    ],
)  # fmt: skip
@pytest.mark.parametrize("invite", [True, False])
def test_a_bad_file_is_refused_with_a_clear_message(client, admin, data, name, message, invite):
    response = upload(client, data, name, invite=invite)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="file-error"' in html
    assert message in html
    assert "Nothing was imported." in html
    checkbox = response.context["form"]["send_invitations"]
    assert checkbox.value() is invite
    assert ("checked" in str(checkbox)) is invite
    assert "people_import" not in client.session
    assert User.objects.count() == 1


def test_a_file_over_the_size_limit(client, admin, settings):
    settings.PEOPLE_IMPORT_MAX_BYTES = 100
    response = upload(client, csv_bytes([IVAN, PETR]))
    assert "The file is larger than 100\xa0bytes." in response.content.decode()
    assert User.objects.count() == 1


def test_a_file_over_the_row_limit(client, admin, settings):
    settings.PEOPLE_IMPORT_MAX_ROWS = 2
    response = upload(client, csv_bytes([IVAN, PETR, OLGA]))
    assert "The file has more than 2 rows; split it into several files." in (
        response.content.decode()
    )
    assert User.objects.count() == 1


def test_a_formula_in_a_workbook_is_an_error_of_its_row(client, admin):
    data = xlsx_bytes([IVAN, PETR], formulas=[(3, 8, '=HYPERLINK("http://evil.test","x")')])
    response = preview(client, data, "people.xlsx")
    assert shown_actions(response) == [(2, "create"), (3, "error")]
    assert "Position: formulas are not allowed" in response.content.decode()
    assert 'data-testid="apply"' not in response.content.decode()


# --- Template ------------------------------------------------------------------------------------


def test_the_template_in_english(client, admin):
    response = client.get(TEMPLATE, {"format": "csv"})
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert data == ("\ufeff" + ",".join(EN) + "\r\n").encode()
    assert f"people-template-{timezone.localdate():%Y-%m-%d}.csv" in response["Content-Disposition"]
    response = client.get(TEMPLATE, {"format": "xlsx"})
    assert xlsx_rows(b"".join(response.streaming_content)) == [EN]


def test_the_template_in_russian_uses_semicolons_for_russian_excel(client, admin):
    admin.language = "ru"
    admin.save()
    data = b"".join(client.get(TEMPLATE, {"format": "csv"}).streaming_content)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").count(";") == 7


def test_the_template_needs_a_known_format(client, admin):
    assert client.get(TEMPLATE, {"format": "pdf"}).status_code == 404


# --- Export --------------------------------------------------------------------------------------


def export(client, file_format="csv", **params):
    response = client.get(EXPORT, {"format": file_format, **params})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    return csv_rows(data) if file_format == "csv" else xlsx_rows(data)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_neutralises_formulas(client, admin, companies, file_format):
    MembershipFactory(
        company=companies["alfa"],
        user__full_name='=HYPERLINK("http://evil.test","click") Eve',
        user__email="eve@alfa.test",
        user__phone="+79123456789",
        user__position="@SUM(A1)",
    )
    rows = export(client, file_format, kind="customers")
    assert rows == [
        EN,
        ['\'=HYPERLINK("http://evil.test","click")', "Eve", "eve@alfa.test", "'+7 912 345-67-89",
         "Customer", "Customer", "alfa", "'@SUM(A1)"],
    ]  # fmt: skip


def test_an_exported_workbook_holds_no_formulas(client, admin, companies):
    import io

    import openpyxl

    MembershipFactory(company=companies["alfa"], user__full_name="=1+2 Eve")
    data = b"".join(client.get(EXPORT, {"format": "xlsx"}).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert sheet["A2"].value == "'=1+2"


@pytest.fixture
def people(companies):
    now = timezone.now()
    a1 = MembershipFactory(
        company=companies["alfa"],
        user__email="a1@alfa.test",
        user__full_name="Anna Alfa",
        user__activated_at=now,
    ).user
    a2 = MembershipFactory(
        company=companies["alfa"], user__email="a2@alfa.test", user__full_name="Boris Alfa"
    ).user
    b1 = MembershipFactory(
        company=companies["beta"],
        user__email="b1@beta.test",
        user__full_name="Vera Beta",
        user__is_active=False,
        user__activated_at=now,
    ).user
    UserFactory(engineer=True, email="eng@provider.test", activated_at=now)
    UserFactory(dispatcher=True, email="disp@provider.test", activated_at=now)
    return {"a1": a1, "a2": a2, "b1": b1}  # fmt: skip


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({}, ["a1@alfa.test", "a2@alfa.test", "b1@beta.test"]),
        ({"kind": "customers", "company": "alfa"}, ["a1@alfa.test", "a2@alfa.test"]),
        ({"status": "invited"}, ["a2@alfa.test"]),
        ({"status": "inactive"}, ["b1@beta.test"]),
        ({"status": "active", "q": "alfa"}, ["a1@alfa.test", "a2@alfa.test"]),
        ({"q": "vera"}, ["b1@beta.test"]),
        ({"order": "-full_name"}, ["b1@beta.test", "a2@alfa.test", "a1@alfa.test"]),
        ({"kind": "employees", "role": "engineer"}, ["eng@provider.test"]),
    ],
)
def test_the_export_respects_the_people_list_filters(
    client, admin, people, companies, params, emails
):
    if params.get("company") == "alfa":
        params = {**params, "company": str(companies["alfa"].pk)}
    rows = export(client, **params)
    assert [row[2] for row in rows[1:]] == emails


def test_the_export_of_employees_lists_staff_without_companies(client, admin, people):
    rows = export(client, kind="employees", order="email")
    assert [(r[2], r[4], r[5], r[6]) for r in rows[1:]] == [
        ("disp@provider.test", "Employee", "Dispatcher", ""),
        ("eng@provider.test", "Employee", "Engineer", ""),
        (admin.email, "Employee", "Administrator", ""),
    ]


@pytest.mark.parametrize("size", [3, 40])
def test_the_export_runs_a_bounded_number_of_queries(
    client, admin, companies, size, django_assert_max_num_queries
):
    for n in range(size):
        membership = MembershipFactory(company=companies["alfa"], user__email=f"c{n}@alfa.test")
        Membership.objects.create(user=membership.user, company=companies["beta"])
    for file_format in ("csv", "xlsx"):
        # session, user, people, their memberships with companies
        with django_assert_max_num_queries(4):
            response = client.get(EXPORT, {"format": file_format})
            data = b"".join(response.streaming_content)
        rows = csv_rows(data) if file_format == "csv" else xlsx_rows(data)
        assert len(rows) == size + 1
        assert rows[1][6] == "alfa; beta"


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["engineer", "customer"])
@pytest.mark.parametrize(
    ("method", "url", "params"),
    [
        ("get", IMPORT, {}),
        ("post", IMPORT, {"file": "x"}),
        ("post", APPLY, {"token": "x"}),
        ("get", DONE, {}),
        ("get", TEMPLATE, {"format": "csv"}),
        ("get", EXPORT, {"format": "csv"}),
        ("get", EXPORT, {"format": "xlsx", "kind": "employees"}),
    ],
)
def test_engineers_and_customers_get_404(client, companies, who, method, url, params):
    user = (
        UserFactory(engineer=True)
        if who == "engineer"
        else MembershipFactory(company=companies["alfa"]).user
    )
    login(client, user)
    if method == "post" and "file" in params:
        params = {"file": SimpleUploadedFile("p.csv", csv_bytes([IVAN])), "send_invitations": "on"}
    response = getattr(client, method)(url, params)
    assert response.status_code == 404
    assert not User.objects.filter(email="ivan@alfa.test").exists()
    assert mail.outbox == []


def test_anonymous_is_sent_to_sign_in(client):
    for url in (IMPORT, TEMPLATE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
