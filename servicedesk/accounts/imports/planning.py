"""What an import would do, row by row, without changing anything.

`source_rows` turns a read table into plain rows ({"line", "cells"}: JSON, kept in the session
between the preview and the apply); `import_plan` checks every row against the database and
the person importing, and says per row: create, update (with the changes), unchanged, or the
errors. It runs a fixed number of queries whatever the number of rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from servicedesk.accounts.imports import columns as cols
from servicedesk.accounts.imports.columns import SourceRow
from servicedesk.accounts.models import Membership, Role, User
from servicedesk.customers.models import Company

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
NAME_MAX = 200


@dataclass
class RowPlan:
    line: int
    cells: dict[str, str]
    action: str = ""
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    full_name: str = ""
    email: str = ""
    phone: str = ""  # E.164
    phone_display: str = ""
    kind: str = ""
    role: str = ""
    companies: list[Company] = field(default_factory=list)
    position: str = ""
    user: User | None = None
    formula_keys: set[str] = field(default_factory=set)
    role_changed: bool = False
    companies_changed: bool = False
    changed_fields: dict[str, str] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.errors.append(message)

    @property
    def kind_label(self) -> str:
        return str(cols.KIND_LABELS[self.kind]) if self.kind else self.cells["kind"]

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else self.cells["role"]

    @property
    def company_names(self) -> str:
        if self.companies:
            return "; ".join(c.name for c in self.companies)
        return self.cells["company"]


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    @property
    def is_valid(self) -> bool:
        return all(row.action != ERROR for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED, ERROR), 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(row.action in (CREATE, UPDATE) for row in self.rows)

    @property
    def actions(self) -> list[str]:
        return [row.action for row in self.rows]


class _Context:
    """Everything the rows are checked against, loaded in a fixed number of queries."""

    def __init__(self, rows: Sequence[SourceRow], by: User):
        self.by = by
        self.may_manage_staff = by.has_perm("accounts.manage_staff")
        self.kinds = cols.kind_lookup()
        self.roles = cols.role_lookup()
        tokens = {
            token.casefold()
            for row in rows
            for token in _company_tokens(row["cells"].get("company", ""))
        }
        # iexact, not Lower(): it folds Cyrillic on both databases (PostgreSQL's UPPER, and the
        # Unicode LIKE this project gives SQLite: core/sqlite.py); SQLite's lower() is ASCII-only.
        matching = Q()
        for token in tokens:
            matching |= Q(code__iexact=token) | Q(name__iexact=token)
        self.companies: list[Company] = list(
            Company.objects.filter(matching).only("pk", "code", "name", "is_active")
        ) if tokens else []  # fmt: skip
        emails = {r["cells"].get("email", "").strip().lower() for r in rows} - {""}
        phones = {p for r in rows if (p := _e164(r["cells"].get("phone", "")))}
        self.by_email: dict[str, User] = {}
        self.by_phone: dict[str, User] = {}
        if emails or phones:
            users = (
                User.objects.annotate(lemail=Lower("email"))
                .filter(Q(lemail__in=emails) | Q(phone__in=phones))
                .prefetch_related(
                    Prefetch(
                        "memberships",
                        queryset=Membership.objects.select_related("company").prefetch_related(
                            "sites", "equipment"
                        ),
                    )
                )
            )
            for user in users:
                if user.email:
                    self.by_email[user.email.lower()] = user
                if user.phone:
                    self.by_phone[user.phone.as_e164] = user
        self.seen_email: dict[str, int] = {}
        self.seen_phone: dict[str, int] = {}
        self.seen_user: dict[int, int] = {}

    def company(self, token: str) -> tuple[Company | None, str]:
        folded = token.casefold()
        for matches in (
            [c for c in self.companies if c.code == token],
            [c for c in self.companies if c.code.casefold() == folded],
            [c for c in self.companies if c.name.casefold() == folded],
        ):
            if len(matches) == 1:
                return matches[0], ""
            if matches:
                message = _("Company: several companies are called “%(name)s”; use the code.")
                return None, message % {"name": token}
        return None, _("Company: unknown “%(name)s”.") % {"name": token}


def _company_tokens(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(cols.COMPANY_SEPARATOR) if t.strip()]


def _phone(value: str) -> PhoneNumber | None:
    if not value:
        return None
    number = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION)
    return number if isinstance(number, PhoneNumber) and number.is_valid() else None


def _e164(value: str) -> str:
    value, _quoted = cols.unneutralise(value.strip())
    number = _phone(value)
    return number.as_e164 if number is not None else ""


def import_plan(rows: Sequence[SourceRow], *, by: User) -> ImportPlan:
    context = _Context(rows, by)
    return ImportPlan(rows=[_plan_row(row, context) for row in rows])


def _read_cells(plan: RowPlan) -> dict[str, str]:
    """The cells without an export's neutralising quote; raw formulas become errors."""
    labels = {c.key: str(c.label) for c in cols.COLUMNS}
    values: dict[str, str] = {}
    for key in cols.COLUMN_KEYS:
        value, quoted = cols.unneutralise(plan.cells.get(key, "").strip())
        if not quoted and cols.looks_like_formula(value, key):
            plan.error(
                _("%(column)s: formulas are not allowed (“%(value)s”).")
                % {"column": labels[key], "value": value[:50]}
            )
            plan.formula_keys.add(key)
            value = ""
        values[key] = value.strip()
    return values


def _plan_row(source: SourceRow, ctx: _Context) -> RowPlan:
    plan = RowPlan(line=int(source["line"]), cells=dict(source["cells"]))
    v = _read_cells(plan)
    plan.full_name = " ".join(part for part in (v["surname"], v["first_name"]) if part)
    if not plan.full_name and not plan.formula_keys & {"surname", "first_name"}:
        plan.error(_("Give the surname or the first name."))
    elif len(plan.full_name) > NAME_MAX:
        plan.error(_("The name is longer than %(max)s characters.") % {"max": NAME_MAX})
    plan.position = v["position"]
    if len(plan.position) > NAME_MAX:
        plan.error(_("The position is longer than %(max)s characters.") % {"max": NAME_MAX})
    _check_contacts(plan, v, ctx)
    _check_kind_and_role(plan, v, ctx)
    _check_companies(plan, v, ctx)
    if not plan.errors:
        _match(plan, ctx)
    if plan.errors:
        plan.action = ERROR
    return plan


def _check_contacts(plan: RowPlan, v: dict[str, str], ctx: _Context) -> None:
    if v["email"]:
        email = v["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            plan.error(_("Email: “%(value)s” is not a valid address.") % {"value": v["email"]})
        else:
            plan.email = email
            if email in ctx.seen_email:
                plan.error(
                    _("Email: the same as in row %(line)s.") % {"line": ctx.seen_email[email]}
                )
            else:
                ctx.seen_email[email] = plan.line
    if v["phone"]:
        number = _phone(v["phone"])
        if number is None:
            plan.error(_("Phone: “%(value)s” is not a valid number.") % {"value": v["phone"]})
        else:
            plan.phone = number.as_e164
            plan.phone_display = number.as_international
            if plan.phone in ctx.seen_phone:
                plan.error(
                    _("Phone: the same as in row %(line)s.") % {"line": ctx.seen_phone[plan.phone]}
                )
            else:
                ctx.seen_phone[plan.phone] = plan.line
    if not v["email"] and not v["phone"] and not plan.formula_keys & {"email", "phone"}:
        plan.error(_("Give an email address or a phone number."))


def _check_kind_and_role(plan: RowPlan, v: dict[str, str], ctx: _Context) -> None:
    kind = ctx.kinds.get(cols.normalise_word(v["kind"]), "") if v["kind"] else ""
    role = ctx.roles.get(cols.normalise_word(v["role"]), "") if v["role"] else ""
    if v["kind"] and not kind:
        plan.error(
            _("Kind: unknown “%(value)s”; write Customer or Employee.") % {"value": v["kind"]}
        )
        return
    if v["role"] and not role:
        plan.error(
            _("Role: unknown “%(value)s”; write Administrator, Dispatcher, Engineer or Customer.")
            % {"value": v["role"]}
        )
        return
    if not kind and not role:
        if plan.formula_keys & {"kind", "role"}:
            return
        plan.error(_("Give the kind: Customer or Employee."))
        return
    kind = kind or (cols.KIND_CUSTOMER if role == Role.CUSTOMER else cols.KIND_EMPLOYEE)
    plan.kind = kind
    if kind == cols.KIND_CUSTOMER:
        if role and role != Role.CUSTOMER:
            # The preview then shows the role as the file wrote it, beside this error.
            plan.error(
                _("Role: “%(value)s” is an employee's role; a customer's role is Customer.")
                % {"value": v["role"]}
            )
        else:
            plan.role = Role.CUSTOMER
    else:
        if not role:
            plan.error(_("Role: give the employee's role (Administrator, Dispatcher or Engineer)."))
        elif role == Role.CUSTOMER:
            plan.error(_("Role: an employee's role cannot be Customer."))
        plan.role = role if role != Role.CUSTOMER else ""
        if not ctx.may_manage_staff:
            plan.error(_("Only administrators can import employees; you can import customers."))


def _check_companies(plan: RowPlan, v: dict[str, str], ctx: _Context) -> None:
    tokens = _company_tokens(v["company"])
    if plan.kind == cols.KIND_EMPLOYEE:
        if tokens:
            plan.error(_("Company: employees do not belong to companies; leave it empty."))
        return
    if plan.kind == cols.KIND_CUSTOMER and not tokens and "company" not in plan.formula_keys:
        plan.error(_("Company: a customer needs at least one company."))
    for token in tokens:
        company, problem = ctx.company(token)
        if company is None:
            plan.error(problem)
        elif not company.is_active:
            plan.error(_("Company: “%(name)s” is archived.") % {"name": company.name})
        elif company not in plan.companies:
            plan.companies.append(company)


def _match(plan: RowPlan, ctx: _Context) -> None:
    """Find the person the row stands for (by email, else phone) and what would change."""
    by_email = ctx.by_email.get(plan.email) if plan.email else None
    by_phone = ctx.by_phone.get(plan.phone) if plan.phone else None
    if by_email and by_phone and by_email.pk != by_phone.pk:
        plan.error(
            _("The email belongs to %(first)s and the phone to %(second)s.")
            % {"first": by_email, "second": by_phone}
        )
        return
    user = by_email or by_phone
    if user is None:
        plan.action = CREATE
        return
    plan.user = user
    if user.pk in ctx.seen_user:
        plan.error(_("The same person as in row %(line)s.") % {"line": ctx.seen_user[user.pk]})
        return
    ctx.seen_user[user.pk] = plan.line
    if (plan.kind == cols.KIND_CUSTOMER) != user.is_customer:
        other = _("an employee") if plan.kind == cols.KIND_CUSTOMER else _("a customer")
        plan.error(
            _("%(person)s is %(other)s; convert them in People first, then import.")
            % {"person": user, "other": other}
        )
        return
    if not ctx.by.has_perm("accounts.manage_user", user):
        plan.error(_("You may not change %(person)s.") % {"person": user})
        return
    _changes(plan, user, ctx)


def _changes(plan: RowPlan, user: User, ctx: _Context) -> None:
    """Empty cells leave what is stored; the companies of a customer are replaced."""

    def note(label: str, old: str, new: str) -> None:
        plan.changes.append(f"{label}: {old or '—'} → {new}")

    labels = {c.key: str(c.label) for c in cols.COLUMNS}
    new_values = {
        "full_name": plan.full_name,
        "email": plan.email,
        "phone": plan.phone,
        "position": plan.position,
    }
    shown = {"full_name": _("Name"), **labels}
    old_values = {
        "full_name": user.full_name,
        "email": user.email or "",
        "phone": user.phone.as_e164 if user.phone else "",
        "position": user.position,
    }
    for name, new in new_values.items():
        old = old_values[name]
        if new and new != old:
            plan.changed_fields[name] = new
            if name == "phone":
                old = user.phone.as_international if user.phone else ""
                new = plan.phone_display
            note(str(shown[name]), old, new)
    if user.is_customer:
        current = [m.company for m in user.memberships.all()]
        if {c.pk for c in current} != {c.pk for c in plan.companies}:
            plan.companies_changed = True
            note(
                labels["company"],
                "; ".join(c.name for c in current),
                "; ".join(c.name for c in plan.companies),
            )
    elif plan.role != user.role:
        if user.pk == ctx.by.pk:
            plan.error(_("You cannot change your own role."))
            return
        plan.role_changed = True
        note(labels["role"], str(user.get_role_display()), str(Role(plan.role).label))
    plan.action = UPDATE if plan.changes else UNCHANGED
