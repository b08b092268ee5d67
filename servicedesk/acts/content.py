"""What an act says, made from plain data: the input (one `WorkInput` per completed work), the
content (`ActContent`), the function that makes one from the other, and the content's JSON and
hash. No ORM: the works app and the tests call `act_content_build` with plain values.

The content is a document, complete in itself: it is rendered as it is (acts/rendering.py),
and a signed version will keep its JSON and hash, so every value in it is already what the act
shows: amounts rounded, totals and VAT computed, the total in words in the act's language,
instants in UTC with the time zone to show them in. Labels («Материалы:», «Исполнитель:», the
columns) are not content: the template words them in `content.language`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from servicedesk.acts import numbering
from servicedesk.acts.money import VatMode, amount_in_words, line_amount, money, vat_totals

SCHEMA = 1  # bump when the content's shape changes; old JSON stays readable by its number

# --- Input ---------------------------------------------------------------------------------------


def _check_amount(what: str, value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ValueError(f"{what} must be a non-negative Decimal, not {value!r}")


@dataclasses.dataclass(frozen=True)
class EngineerInput:
    """An engineer on a work: hours (already rounded up to whole hours) × hourly rate."""

    name: str
    hours: int
    rate: Decimal
    amount: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.hours, bool) or not isinstance(self.hours, int) or self.hours < 0:
            raise ValueError(f"hours must be a non-negative int, not {self.hours!r}")
        _check_amount("rate", self.rate)
        _check_amount("amount", self.amount)
        if money(self.amount) != line_amount(self.hours, self.rate):
            raise ValueError(f"{self.name}: amount {self.amount} is not hours × rate")

    @classmethod
    def of(cls, name: str, hours: int, rate: Decimal) -> EngineerInput:
        return cls(name=name, hours=hours, rate=rate, amount=line_amount(hours, rate))


@dataclasses.dataclass(frozen=True)
class MaterialInput:
    """A material used: quantity (in `unit`) × price."""

    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    amount: Decimal

    def __post_init__(self) -> None:
        _check_amount("quantity", self.quantity)
        _check_amount("price", self.price)
        _check_amount("amount", self.amount)
        if money(self.amount) != line_amount(self.quantity, self.price):
            raise ValueError(f"{self.name}: amount {self.amount} is not quantity × price")

    @classmethod
    def of(cls, name: str, quantity: Decimal, unit: str, price: Decimal) -> MaterialInput:
        return cls(name, quantity, unit, price, line_amount(quantity, price))


@dataclasses.dataclass(frozen=True)
class WorkInput:
    """One completed work: its work type (`title`, priced or not), when and where, who did it
    for how long, what was used, and the comment the customer may read."""

    title: str
    started_at: datetime
    finished_at: datetime
    place: str
    work_price: Decimal | None
    engineers: tuple[EngineerInput, ...] = ()
    materials: tuple[MaterialInput, ...] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        for moment in (self.started_at, self.finished_at):
            if moment.tzinfo is None:
                raise ValueError("started_at and finished_at must be aware datetimes")
        if self.finished_at < self.started_at:
            raise ValueError("A work cannot finish before it starts")
        if self.work_price is not None:
            _check_amount("work_price", self.work_price)


@dataclasses.dataclass(frozen=True)
class Requisites:
    """A party's requisites as the act prints them (blank: not printed)."""

    name: str
    legal_name: str = ""
    inn: str = ""
    kpp: str = ""
    address: str = ""
    bank_name: str = ""
    bik: str = ""
    settlement_account: str = ""
    correspondent_account: str = ""
    phone: str = ""
    email: str = ""


@dataclasses.dataclass(frozen=True)
class TicketFacts:
    """What the act takes from its ticket (acts.selectors.ticket_facts reads them off a
    Ticket): the customer and the place the works were done in."""

    number: str
    subject: str
    description: str
    customer: Requisites
    site_name: str = ""
    site_address: str = ""
    equipment_name: str = ""
    equipment_model: str = ""
    equipment_serial: str = ""
    contract_number: str = ""
    contract_name: str = ""


@dataclasses.dataclass(frozen=True)
class ActSettings:
    """How acts are numbered and taxed (from «Наша компания»)."""

    number_mask: str = numbering.DEFAULT_MASK
    vat_mode: VatMode = VatMode.NONE
    vat_rate: Decimal = Decimal(20)


# --- Content -------------------------------------------------------------------------------------


class LineKind(StrEnum):
    WORK = "work"  # the work type: quantity 1 × its price
    MATERIAL = "material"  # quantity (in unit) × price
    ENGINEER = "engineer"  # hours × hourly rate


@dataclasses.dataclass(frozen=True)
class ActLine:
    """A row of a work's table «Наименование | Кол-во | Стоимость | Сумма»."""

    kind: LineKind
    name: str
    quantity: Decimal  # an engineer's hours
    unit: str  # a material's unit; blank for the others
    price: Decimal | None  # None: a work type without a price (the row only names the work)
    amount: Decimal | None


@dataclasses.dataclass(frozen=True)
class ActWork:
    title: str
    started_at: datetime  # UTC
    finished_at: datetime  # UTC
    place: str
    comment: str
    lines: tuple[ActLine, ...]  # the work type's row, then the materials, then the engineers
    total: Decimal

    def _of(self, kind: LineKind) -> tuple[ActLine, ...]:
        return tuple(line for line in self.lines if line.kind == kind)

    @property
    def work_lines(self) -> tuple[ActLine, ...]:
        return self._of(LineKind.WORK)

    @property
    def materials(self) -> tuple[ActLine, ...]:
        return self._of(LineKind.MATERIAL)

    @property
    def engineers(self) -> tuple[ActLine, ...]:
        return self._of(LineKind.ENGINEER)


@dataclasses.dataclass(frozen=True)
class ActContent:
    """An act of completed work, ready to print; see the module's docstring."""

    number: str
    date: date
    language: str  # "ru" or "en": the act's labels, words and formats
    time_zone: str  # the instants are shown in it
    provider: Requisites
    ticket: TicketFacts
    works: tuple[ActWork, ...]
    subtotal: Decimal  # the works' sum
    vat_mode: VatMode
    vat_rate: Decimal
    vat_amount: Decimal | None  # None without VAT
    net_amount: Decimal  # without VAT: total − vat_amount
    total: Decimal  # «Итого к оплате»
    total_in_words: str

    @property
    def customer(self) -> Requisites:
        return self.ticket.customer


def _quantity(value: Decimal | int) -> Decimal:
    """One spelling per quantity (1.50 and 1.5 are the same content, and hash the same)."""
    return Decimal(format(Decimal(value).normalize(), "f"))


def work_content(work: WorkInput) -> ActWork:
    """A work's rows «Наименование | Кол-во | Стоимость | Сумма» and its total: the one place
    that turns a work into lines and money (the single act and the batch forms both use it)."""
    price = None if work.work_price is None else money(work.work_price)
    lines = [ActLine(LineKind.WORK, work.title, Decimal(1), "", price, price)]
    lines += [
        ActLine(
            LineKind.MATERIAL,
            m.name,
            _quantity(m.quantity),
            m.unit,
            money(m.price),
            money(m.amount),
        )
        for m in work.materials
    ]
    lines += [
        ActLine(LineKind.ENGINEER, e.name, Decimal(e.hours), "", money(e.rate), money(e.amount))
        for e in work.engineers
    ]
    total = sum((line.amount for line in lines if line.amount is not None), Decimal("0.00"))
    return ActWork(
        title=work.title,
        started_at=work.started_at.astimezone(UTC),
        finished_at=work.finished_at.astimezone(UTC),
        place=work.place,
        comment=work.comment,
        lines=tuple(lines),
        total=money(total),
    )


def act_content_build(
    *,
    ticket: TicketFacts,
    works: Sequence[WorkInput],
    provider: Requisites,
    settings: ActSettings,
    language: str,
    day: date,
    time_zone: str,
    seq: int | None = None,
) -> ActContent:
    """The act of `works` done on `ticket`, dated `day`, in `language` ("ru" or "en").
    `seq` is the act's running number, needed when the number mask has {seq}
    (acts.services.act_sequence_next gives it)."""
    if not works:
        raise ValueError("An act needs at least one completed work")
    language = "en" if language.startswith("en") else "ru"
    acted = tuple(work_content(work) for work in works)
    subtotal = sum((work.total for work in acted), Decimal("0.00"))
    rate = _quantity(settings.vat_rate)
    totals = vat_totals(subtotal, settings.vat_mode, rate)
    return ActContent(
        number=numbering.act_number(settings.number_mask, ticket=ticket.number, day=day, seq=seq),
        date=day,
        language=language,
        time_zone=time_zone,
        provider=provider,
        ticket=ticket,
        works=acted,
        subtotal=totals.subtotal,
        vat_mode=VatMode(settings.vat_mode),
        vat_rate=rate,
        vat_amount=totals.vat,
        net_amount=totals.net,
        total=totals.total,
        total_in_words=amount_in_words(totals.total, language),
    )


# --- JSON and hash -------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int):
        return value
    raise TypeError(f"Cannot keep {type(value).__name__} in an act's content")


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _decode(inner, value)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        return tuple(_decode(inner, item) for item in value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)}
        )
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, StrEnum | str | int):
        return kind(value)
    raise TypeError(f"Cannot read {kind!r} from an act's content")


def content_to_json(content: ActContent) -> str:
    """Canonical JSON: keys sorted, no spaces, UTF-8 text, decimals as strings."""
    data = {"schema": SCHEMA, "act": _encode(content)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_from_json(text: str) -> ActContent:
    data = json.loads(text)
    if data.get("schema") != SCHEMA:
        raise ValueError(f"Unknown act content schema {data.get('schema')!r}")
    result: ActContent = _decode(ActContent, data["act"])
    return result


def content_hash(content: ActContent) -> str:
    """SHA-256 of the canonical JSON, hex: what a signature will be bound to."""
    return hashlib.sha256(content_to_json(content).encode()).hexdigest()
