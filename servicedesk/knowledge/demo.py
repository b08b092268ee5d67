"""Demo articles for `manage.py demo_data`: a few Russian and English articles in nested
categories, public, for customers, for one company and internal, two of them linked as
translations, one attached to the demo till ticket — so `make run` shows a living knowledge base.

Idempotent: nothing is added when an article with a demo title exists already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from servicedesk.customers.models import Company, Product
from servicedesk.knowledge import services
from servicedesk.knowledge.models import Article, Category

if TYPE_CHECKING:
    from servicedesk.accounts.models import User
    from servicedesk.tickets.models import Ticket

MARKER = "Касса не печатает чек: что проверить"

TILL_RU = """Если касса перестала печатать чеки, чаще всего дело в бумаге или в крышке принтера.

## Что проверить

1. **Чековая лента** вставлена термослоем наружу и не закончилась.
2. Крышка принтера закрыта до щелчка.
3. На дисплее нет ошибки «Нет бумаги» или «Крышка открыта».

## Если не помогло

- Выключите кассу на 30 секунд и включите снова.
- Проверьте, что печатающая головка чистая: протрите её спиртовой салфеткой.

> Если ошибка повторяется, создайте заявку и укажите серийный номер кассы — инженер привезёт
> запасную термоголовку.
"""

TILL_EN = """If the till stopped printing receipts, it is usually the paper or the printer cover.

## What to check

1. The **receipt roll** is loaded with the thermal side out and has not run out.
2. The printer cover is closed until it clicks.
3. The display shows no "Out of paper" or "Cover open" error.

## If that did not help

- Switch the till off for 30 seconds and on again.
- Make sure the print head is clean: wipe it with an alcohol wipe.

> If the error comes back, file a ticket with the till's serial number — the engineer will bring
> a spare print head.
"""

AC_RU = """Кондиционер дует тёплым воздухом — проверьте режим и фильтры, прежде чем вызывать
инженера.

| Признак | Что сделать |
|---|---|
| На пульте режим «Обогрев» или «Авто» | Переключите в «Охлаждение» |
| Фильтры забиты пылью | Снимите и промойте тёплой водой |
| Наружный блок в снегу или листве | Очистите решётку |

Видео о чистке фильтров:

https://www.youtube.com/watch?v=dQw4w9WgXcQ
"""

LEAK_RU = """Если под котлом появилась вода и давление падает:

1. Перекройте подпитку и подачу холодной воды.
2. Не доливайте систему до приезда инженера.
3. Сфотографируйте место течи и приложите фото к заявке.
"""

INTERNAL_RU = """Порядок замены термоголовки на кассах АТОЛ 55Ф (для инженеров).

1. Снять крышку принтера, отключить шлейф.
2. Открутить два винта крепления, заменить головку.
3. Выполнить тест печати из сервисного меню (удерживать кнопку промотки при включении).
"""

FAQ_EN = """Our engineers work Monday to Friday, 9:00–18:00 (Moscow time). Emergency tickets
(criticality «Авария») are taken around the clock.

File a ticket in the portal, by email or by phone — every ticket gets a number you can follow.
"""


def load_demo(*, by: User, company: Company | None = None, ticket: Ticket | None = None) -> None:
    if Article.objects.filter(title=MARKER).exists():
        return
    equipment = services.category_save(Category(name="Оборудование", position=10))
    tills = services.category_save(Category(name="Кассы", parent=equipment, position=10))
    climate = services.category_save(Category(name="Климат", parent=equipment, position=20))
    general = services.category_save(Category(name="Общие вопросы", position=20))
    products = {p.code: p for p in Product.objects.filter(code__in=["pos", "hvac"])}

    def made(title: str, body: str, **fields: object) -> Article:
        product = fields.pop("product", None)
        article = services.article_save(
            article=None,
            by=by,
            title=title,
            body=body,
            products=[products[str(product)]] if product in products else [],
            **fields,  # type: ignore[arg-type]
        )
        return services.article_publish(article=article, by=by)

    till_ru = made(
        MARKER,
        TILL_RU,
        summary="Бумага, крышка принтера и термоголовка: три шага до заявки.",
        category=tills,
        visibility="public",
        product="pos",
    )
    till_en = made(
        "The till does not print receipts: what to check",
        TILL_EN,
        summary="Paper, the printer cover and the print head: three steps before a ticket.",
        category=tills,
        visibility="public",
        language="en",
        product="pos",
    )
    services.article_link_translation(article=till_ru, translation=till_en, by=by)
    ac = made(
        "Кондиционер дует тёплым воздухом",
        AC_RU,
        summary="Режим, фильтры и наружный блок.",
        category=climate,
        visibility="customers",
        product="hvac",
    )
    internal = made(
        "Замена термоголовки АТОЛ 55Ф",
        INTERNAL_RU,
        summary="Для инженеров: порядок работ и тест печати.",
        category=tills,
        visibility="internal",
        product="pos",
    )
    made(
        "Working hours and emergency tickets",
        FAQ_EN,
        summary="When engineers work and how to reach them.",
        category=general,
        visibility="public",
        language="en",
    )
    if company is not None:
        made(
            "Течь в котельной: первые действия",
            LEAK_RU,
            summary="Пока едет инженер.",
            category=general,
            visibility="companies",
            companies=[company],
        )
    till_ru.related.set([ac, internal])
    if ticket is not None:
        services.ticket_article_attach(ticket=ticket, article=till_ru, by=by)
