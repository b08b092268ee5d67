"""The import/export package without HTTP: reading files, checking rows, applying, exporting."""

import pytest
from django.core import mail

from servicedesk.accounts import imports
from servicedesk.accounts.imports import columns
from servicedesk.accounts.models import AuditEvent, Membership, Role, User
from servicedesk.accounts.selectors import user_list
from tests.factories import CompanyFactory, MembershipFactory, SiteFactory, UserFactory
from tests.fixtures.imports import EN, OLE2, PNG, RU, csv_bytes, xlsx_bytes, zip_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

IVAN = ["Ivanov", "Ivan", "ivan@alfa.test", "+7 912 345-67-89", "customer", "", "alfa", "Buyer"]
PETR = ["Petrov", "Petr", "", "+7 912 000-00-01", "customer", "", "alfa; beta", ""]
OLGA = ["Orlova", "Olga", "olga@provider.test", "", "employee", "engineer", "", "Field engineer"]


@pytest.fixture
def companies():
    return {
        "alfa": CompanyFactory(code="alfa", name="Alfa Retail"),
        "beta": CompanyFactory(code="beta", name="Beta Works"),
    }


@pytest.fixture
def admin():
    return UserFactory(admin=True, email="boss@provider.test")


def plan_for(data: bytes, by, max_rows: int = 100):
    return imports.import_plan(
        imports.source_rows(imports.read_table(data, max_rows=max_rows)), by=by
    )


@pytest.fixture(autouse=True)
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "servicedesk.core.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


@pytest.fixture
def apply(django_capture_on_commit_callbacks):
    """Read, check and apply a file, running what the apply queues for after its commit."""

    def run(data: bytes, by, *, invite=True):
        rows = imports.source_rows(imports.read_table(data, max_rows=100))
        plan = imports.import_plan(rows, by=by)
        with django_capture_on_commit_callbacks(execute=True):
            return imports.people_import_apply(
                by=by, rows=rows, previewed_actions=plan.actions, send_invitations=invite
            )

    return run


# --- Reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "file_format", "encoding"),
    [
        (csv_bytes([IVAN]), "csv", "utf-8-sig"),
        (csv_bytes([IVAN], encoding="utf-8"), "csv", "utf-8-sig"),
        (csv_bytes([IVAN], RU, delimiter=";", encoding="cp1251"), "csv", "cp1251"),
        (csv_bytes([IVAN], delimiter="\t", encoding="utf-16"), "csv", "utf-16"),
        (xlsx_bytes([IVAN]), "xlsx", ""),
    ],
    ids=["utf8-bom", "utf8", "cp1251-semicolon", "utf16-tab", "xlsx"],
)
def test_reads_csv_in_every_encoding_and_xlsx(data, file_format, encoding):
    table = imports.read_table(data, max_rows=10)
    assert (table.file_format, table.encoding) == (file_format, encoding)
    assert table.rows == [(2, IVAN)]


def test_a_workbook_formula_is_read_as_its_formula():
    data = xlsx_bytes([IVAN], formulas=[(2, 8, '=HYPERLINK("http://evil.test")')])
    table = imports.read_table(data, max_rows=10)
    assert table.rows[0][1][7] == '=HYPERLINK("http://evil.test")'


def test_blank_lines_are_skipped_and_lines_keep_their_numbers():
    data = b"\r\n" + csv_bytes([IVAN, ["", "", ""], PETR], encoding="utf-8")
    table = imports.read_table(data, max_rows=10)
    assert [line for line, _cells in table.rows] == [3, 5]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n  \r\n", "empty"),
        (csv_bytes([]), "no_rows"),
        (PNG, "not_a_table"),
        (b"abc\x00def\n", "not_a_table"),
        (zip_bytes(), "not_xlsx"),
        (b"PK\x03\x04 broken", "bad_zip"),
        (OLE2, "xls"),
        (b"Surname,First name\n\x98\x98,\xff\n", "encoding"),
        (csv_bytes([IVAN] * 4), "too_many_rows"),
    ],
)
def test_bad_files_are_refused_as_a_whole(data, code):
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_table(data, max_rows=3)
    assert caught.value.code == code


def test_columns_are_matched_in_either_language_whatever_the_case():
    header = ["ФАМИЛИЯ", "имя", "E-mail", "phone", "Kind", "РОЛЬ", "Компания", " должность "]
    rows = imports.source_rows(imports.read_table(csv_bytes([IVAN], header), max_rows=5))
    assert rows == [{"line": 2, "cells": dict(zip(columns.COLUMN_KEYS, IVAN, strict=True))}]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["Surname", "First name", "Email", "Kind", "Salary"], "Unknown column “Salary”."),
        (["Surname", "First name", "Email", "Email", "Kind"], "The column “Email” appears twice."),
        (["Surname", "Email", "Kind"], "Missing columns: First name."),
        (["Surname", "First name", "Kind"], "Missing columns: Email or Phone."),
    ],
)
def test_wrong_or_missing_columns_are_refused(header, message):
    table = imports.read_table(csv_bytes([["x"] * len(header)], header), max_rows=5)
    with pytest.raises(imports.ImportFileError) as caught:
        imports.source_rows(table)
    assert caught.value.code == "columns"
    assert message in str(caught.value.message)
    assert "The template's columns are: Surname, First name, Email" in str(caught.value.message)


# --- Checking rows -------------------------------------------------------------------------------


def test_plan_says_what_each_row_would_do(companies, admin):
    existing = MembershipFactory(
        company=companies["alfa"], user__email="anna@alfa.test", user__full_name="Anna Old"
    ).user
    same = MembershipFactory(
        company=companies["beta"], user__email="same@beta.test", user__full_name="Same Person"
    ).user
    data = csv_bytes(
        [
            IVAN,
            ["Annova", "Anna", "ANNA@alfa.test", "", "Заказчик", "", "Alfa Retail", "Chief"],
            ["Same", "Person", "same@beta.test", "", "customer", "customer", "BETA", ""],
            OLGA,
        ]
    )
    plan = plan_for(data, admin)
    assert plan.actions == ["create", "update", "unchanged", "create"]
    assert plan.rows[1].user == existing
    assert plan.rows[1].changes == [
        "Name: Anna Old → Annova Anna",
        "Position: — → Chief",
    ]
    assert plan.rows[2].user == same
    assert plan.rows[0].phone == "+79123456789"
    assert plan.rows[0].companies == [companies["alfa"]]
    assert (plan.rows[3].kind, plan.rows[3].role) == ("employee", Role.ENGINEER)
    assert plan.is_valid


def test_an_existing_person_is_matched_by_phone_when_the_email_is_new(companies, admin):
    person = MembershipFactory(
        company=companies["alfa"], user__email=None, user__phone="+79120000001"
    ).user
    plan = plan_for(csv_bytes([[*PETR[:2], "petr@alfa.test", *PETR[3:]]]), admin)
    assert plan.rows[0].user == person
    assert plan.rows[0].changes == [
        f"Name: {person.full_name} → Petrov Petr",
        "Email: — → petr@alfa.test",
        "Company: Alfa Retail → Alfa Retail; Beta Works",
    ]


def row(**cells):
    """A good customer row with some cells changed."""
    base = dict(
        zip(
            columns.COLUMN_KEYS,
            ["A", "B", "a@alfa.test", "", "customer", "", "alfa", ""],
            strict=True,
        )
    )
    return list({**base, **cells}.values())


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        (row(surname="", first_name=""), ["Give the surname or the first name."]),
        (row(email=""), ["Give an email address or a phone number."]),
        (row(email="not-an-email"), ["Email: “not-an-email” is not a valid address."]),
        (row(phone="12345"), ["Phone: “12345” is not a valid number."]),
        (row(company="alfa; gamma"), ["Company: unknown “gamma”."]),
        (row(kind="partner"), ["Kind: unknown “partner”; write Customer or Employee."]),
        (
            row(kind="employee", role="boss", company=""),
            ["Role: unknown “boss”; write Administrator, Dispatcher, Engineer or Customer."],
        ),
        (row(kind=""), ["Give the kind: Customer or Employee."]),
        (row(company=""), ["Company: a customer needs at least one company."]),
        (row(company=" ; "), ["Company: a customer needs at least one company."]),
        (
            row(role="engineer"),
            ["Role: “engineer” is an employee's role; a customer's role is Customer."],
        ),
        (
            row(kind="employee", company=""),
            ["Role: give the employee's role (Administrator, Dispatcher or Engineer)."],
        ),
        (
            row(kind="employee", role="engineer"),
            ["Company: employees do not belong to companies; leave it empty."],
        ),
        (row(surname="=1+2"), ["Surname: formulas are not allowed (“=1+2”)."]),
        (row(company="@SUM(A1)"), ["Company: formulas are not allowed (“@SUM(A1)”)."]),
        (row(position="+SUM(1)"), ["Position: formulas are not allowed (“+SUM(1)”)."]),
    ],
    ids=[
        "no-name", "no-contact", "bad-email", "bad-phone", "unknown-company", "unknown-kind",
        "unknown-role", "no-kind", "customer-without-company", "customer-with-empty-companies",
        "customer-with-staff-role", "employee-without-role", "employee-with-company", "formula",
        "formula-at", "formula-plus",
    ],
)  # fmt: skip
def test_each_bad_row_gets_its_error(companies, admin, row, errors):
    plan = plan_for(csv_bytes([IVAN, row]), admin)
    assert plan.actions == ["create", "error"]
    assert plan.rows[1].errors == errors
    assert not plan.is_valid


def test_duplicates_within_the_file_are_errors(companies, admin):
    plan = plan_for(csv_bytes([IVAN, row(email="IVAN@alfa.test", phone="+79123456789")]), admin)
    assert plan.rows[1].errors == ["Email: the same as in row 2.", "Phone: the same as in row 2."]


def test_a_person_of_the_other_kind_is_not_converted_by_an_import(companies, admin):
    engineer = UserFactory(engineer=True, email="ivan@alfa.test", full_name="Ivan Engineer")
    plan = plan_for(csv_bytes([IVAN]), admin)
    assert plan.rows[0].errors == [
        "Ivan Engineer is an employee; convert them in People first, then import."
    ]
    assert plan.rows[0].user == engineer


def test_email_and_phone_of_two_different_people(companies, admin):
    UserFactory(email="ivan@alfa.test", full_name="Ivan One")
    UserFactory(email="two@alfa.test", phone="+79123456789", full_name="Ivan Two")
    plan = plan_for(csv_bytes([IVAN]), admin)
    assert plan.rows[0].errors == ["The email belongs to Ivan One and the phone to Ivan Two."]


def test_a_dispatcher_may_import_customers_but_not_employees(companies):
    dispatcher = UserFactory(dispatcher=True)
    UserFactory(engineer=True, email="eng@provider.test")
    rows = [IVAN, OLGA, ["Eng", "Existing", "eng@provider.test", "", "employee", "admin", "", ""]]
    plan = plan_for(csv_bytes(rows), dispatcher)
    refused = "Only administrators can import employees; you can import customers."
    assert plan.actions == ["create", "error", "error"]
    assert plan.rows[1].errors == [refused]
    assert plan.rows[2].errors == [refused]


def test_an_export_neutralised_cell_reads_back_as_text_and_a_raw_formula_does_not(admin, companies):
    rows = [
        [
            "'=HYPERLINK(1)",
            "Eve",
            "eve@alfa.test",
            "'+7 912 345-67-89",
            "customer",
            "",
            "alfa",
            "'-boss",
        ]
    ]
    plan = plan_for(csv_bytes(rows), admin)  # fmt: skip
    assert plan.rows[0].errors == []
    assert (plan.rows[0].full_name, plan.rows[0].phone, plan.rows[0].position) == (
        "=HYPERLINK(1) Eve",
        "+79123456789",
        "-boss",
    )


def test_the_plan_runs_a_fixed_number_of_queries(companies, admin, django_assert_num_queries):
    many = [[f"N{i}", "X", f"n{i}@alfa.test", "", "customer", "", "alfa", ""] for i in range(60)]
    MembershipFactory(user__email="n1@alfa.test", company=companies["alfa"])
    rows = imports.source_rows(imports.read_table(csv_bytes(many), max_rows=100))
    # companies, users, their memberships, membership sites, membership equipment
    with django_assert_num_queries(5):
        imports.import_plan(rows, by=admin)


# --- Applying ------------------------------------------------------------------------------------


def test_apply_creates_exactly_the_rows_with_their_companies_and_invites_new_customers(
    companies, admin, apply, sms_dir
):
    result = apply(csv_bytes([IVAN, PETR, OLGA]), admin)

    assert [u.full_name for u in result.created] == ["Ivanov Ivan", "Petrov Petr", "Orlova Olga"]
    ivan = User.objects.get(email="ivan@alfa.test")
    assert (ivan.role, ivan.phone.as_e164, ivan.position) == (
        Role.CUSTOMER,
        "+79123456789",
        "Buyer",
    )
    assert not ivan.has_usable_password()
    petr = User.objects.get(phone="+79120000001")
    assert petr.email is None
    memberships = Membership.objects.filter(user__in=[ivan, petr]).order_by(
        "user__full_name", "company__code"
    )
    assert [(m.user.full_name, m.company.code, m.scope) for m in memberships] == [
        ("Ivanov Ivan", "alfa", "company"),
        ("Petrov Petr", "alfa", "company"),
        ("Petrov Petr", "beta", "company"),
    ]  # fmt: skip
    olga = User.objects.get(email="olga@provider.test")
    assert (olga.role, olga.memberships.count()) == (Role.ENGINEER, 0)
    # Ivan by email; Petr by SMS (phone only); Olga is an employee: no invitation.
    assert [m.to for m in mail.outbox] == [["ivan@alfa.test"]]
    [sms] = list(sms_dir.iterdir())
    assert "+79120000001" in sms.read_text(encoding="utf-8")
    assert result.invited == 2
    assert olga.invitations.count() == 0
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORTED)
    assert event.actor == admin
    assert event.details == {
        "file": "", "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "invited": 2,
    }  # fmt: skip


def test_no_invitations_unless_asked(companies, admin, apply, sms_dir):
    apply(csv_bytes([IVAN, PETR]), admin, invite=False)
    assert User.objects.filter(role=Role.CUSTOMER).count() == 2
    assert mail.outbox == []
    assert not sms_dir.exists() or list(sms_dir.iterdir()) == []
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION_SENT).exists()


def test_reimporting_the_same_file_changes_nothing(companies, admin, apply):
    data = xlsx_bytes([IVAN, PETR, OLGA])
    apply(data, admin)
    count, mails = User.objects.count(), len(mail.outbox)

    assert plan_for(data, admin).actions == ["unchanged"] * 3
    result = apply(data, admin)
    assert (result.created, result.updated, result.unchanged) == ([], [], 3)
    assert (User.objects.count(), len(mail.outbox)) == (count, mails)


def test_an_update_keeps_the_scope_of_companies_the_customer_keeps(companies, admin, apply):
    site = SiteFactory(company=companies["alfa"])
    membership = MembershipFactory(
        company=companies["alfa"], user__email="ivan@alfa.test", listed=True, sites=[site],
        sees_all_tickets=False,
    )  # fmt: skip
    apply(csv_bytes([[*IVAN[:6], "alfa;beta", *IVAN[7:]]]), admin)
    kept = Membership.objects.get(pk=membership.pk)
    assert (kept.scope, list(kept.sites.all()), kept.sees_all_tickets) == ("listed", [site], False)
    added = Membership.objects.get(user=membership.user, company=companies["beta"])
    assert (added.scope, added.sees_all_tickets) == ("company", True)
    assert mail.outbox == []  # an existing person is not invited again


def test_a_staff_role_change_goes_through_the_role_service(companies, admin, apply):
    olga = UserFactory(engineer=True, email="olga@provider.test", full_name="Orlova Olga",
                       position="Field engineer")  # fmt: skip
    apply(csv_bytes([[*OLGA[:5], "dispatcher", *OLGA[6:]]]), admin)
    olga.refresh_from_db()
    assert olga.role == Role.DISPATCHER
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_CHANGED, user=olga).exists()


def test_apply_refuses_when_the_rows_no_longer_pass(companies, admin):
    rows = imports.source_rows(imports.read_table(csv_bytes([IVAN, PETR]), max_rows=10))
    actions = imports.import_plan(rows, by=admin).actions
    companies["beta"].delete()  # Petr's second company disappears after the preview

    with pytest.raises(imports.ImportNotAppliedError) as caught:
        imports.people_import_apply(by=admin, rows=rows, previewed_actions=actions,
                                    send_invitations=True)  # fmt: skip
    assert caught.value.plan.rows[1].errors == ["Company: unknown “beta”."]
    assert not User.objects.filter(role=Role.CUSTOMER).exists()
    assert mail.outbox == []


def test_apply_refuses_when_the_actions_differ_from_the_preview(companies, admin):
    rows = imports.source_rows(imports.read_table(csv_bytes([IVAN]), max_rows=10))
    MembershipFactory(company=companies["alfa"], user__email="ivan@alfa.test")
    with pytest.raises(imports.ImportNotAppliedError):
        imports.people_import_apply(by=admin, rows=rows, previewed_actions=["create"],
                                    send_invitations=True)  # fmt: skip
    assert User.objects.filter(role=Role.CUSTOMER).count() == 1
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORTED).exists()


# --- Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+7 912", "'+7 912"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ivan", "Ivan"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert columns.neutralise(value) == expected
    assert columns.unneutralise(expected) == (value, expected != value)


def test_an_export_reads_back_unchanged(companies, admin, apply):
    apply(csv_bytes([IVAN, PETR, OLGA]), admin)
    UserFactory(full_name="=HYPERLINK(\"http://evil.test\") Eve", email="eve@alfa.test",
                position="-boss")  # fmt: skip
    Membership.objects.create(
        user=User.objects.get(email="eve@alfa.test"), company=companies["beta"]
    )
    customers = list(imports.export_rows(user_list(kind="customers")))
    employees = list(imports.export_rows(user_list(kind="employees")))
    assert customers[0] == EN
    assert customers[1] == [
        "'=HYPERLINK(\"http://evil.test\")", "Eve", "eve@alfa.test", "",
        "Customer", "Customer", "beta", "'-boss",
    ]  # fmt: skip
    assert customers[2] == [
        "Ivanov", "Ivan", "ivan@alfa.test", "'+7 912 345-67-89",
        "Customer", "Customer", "alfa", "Buyer",
    ]  # fmt: skip
    assert customers[3][6] == "alfa; beta"

    for rows in (customers, employees):
        data = csv_bytes(rows[1:], header=rows[0])
        assert set(plan_for(data, admin).actions) == {"unchanged"}


@pytest.mark.parametrize(
    "token",
    ["Альфа-Ритейл", "альфа-ритейл", "АЛЬФА-РИТЕЙЛ", "ТЦ-1", "тц-1", "Ёлка Сервис", "ёлка сервис"],
)
def test_a_company_is_found_by_its_cyrillic_name_or_code_in_any_case(admin, token):
    # (SQLite folds the case of ASCII letters only: the lookup must not depend on it)
    alfa = CompanyFactory(code="ТЦ-1", name="Альфа-Ритейл")
    yolka = CompanyFactory(code="yolka", name="Ёлка Сервис")
    plan = plan_for(csv_bytes([[*IVAN[:6], token, ""]]), admin)
    assert plan.rows[0].errors == []
    expected = yolka if "лка" in token.casefold() else alfa
    assert plan.actions == ["create"]
    assert plan.rows[0].companies == [expected]
