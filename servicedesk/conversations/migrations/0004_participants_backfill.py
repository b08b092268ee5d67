"""Participant rows for the conversations that existed before them: the contact, the assignee,
the followers and every author of each ticket with messages. What was said before is taken as
read (no one's badge fills with old messages on the day of the upgrade); each row's latest
message is the newest one that person may see (a customer's: the newest public one).

Done in chunks of tickets, a few queries each, whatever the number of messages. Reversing it
leaves the rows (the previous schema has the table and ignores them)."""

from django.db import migrations
from django.db.models import Max, Q

STAFF_ROLES = ("admin", "dispatcher", "engineer")
CHUNK = 2000


def backfill(apps, schema_editor):
    message = apps.get_model("conversations", "Message")
    participant = apps.get_model("conversations", "Participant")
    ticket_model = apps.get_model("tickets", "Ticket")
    follower = apps.get_model("tickets", "TicketFollower")
    user_model = apps.get_model("accounts", "User")
    db = schema_editor.connection.alias
    last = 0
    while True:
        ids = list(
            message.objects.using(db)
            .filter(ticket_id__gt=last)
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)
            .distinct()[:CHUNK]
        )
        if not ids:
            return
        last = ids[-1]
        _chunk(db, ids, message, participant, ticket_model, follower, user_model)


def _chunk(db, ids, message, participant, ticket_model, follower, user_model):
    newest_any = dict(
        message.objects.using(db)
        .filter(ticket_id__in=ids)
        .values("ticket_id")
        .annotate(top=Max("id"))
        .values_list("ticket_id", "top")
    )
    newest_public = dict(
        message.objects.using(db)
        .filter(ticket_id__in=ids, is_internal=False)
        .values("ticket_id")
        .annotate(top=Max("id"))
        .values_list("ticket_id", "top")
    )
    moments = dict(
        message.objects.using(db)
        .filter(id__in={*newest_any.values(), *newest_public.values()})
        .values_list("id", "created_at")
    )
    people = {}  # ticket id -> user ids
    for pk, contact, assignee in (
        ticket_model.objects.using(db)
        .filter(pk__in=ids)
        .values_list("pk", "contact_id", "assignee_id")
    ):
        people[pk] = {contact, assignee} - {None}
    for pk, user in (
        follower.objects.using(db).filter(ticket_id__in=ids).values_list("ticket_id", "user_id")
    ):
        people[pk].add(user)
    for pk, user in (
        message.objects.using(db)
        .filter(ticket_id__in=ids)
        .values_list("ticket_id", "author_id")
        .distinct()
    ):
        people[pk].add(user)
    everyone = {user for users in people.values() for user in users}
    staff = set(
        user_model.objects.using(db)
        .filter(pk__in=everyone)
        .filter(Q(role__in=STAFF_ROLES))
        .values_list("pk", flat=True)
    )
    rows = []
    for ticket_id, users in people.items():
        for user in users:
            top = newest_any.get(ticket_id) if user in staff else newest_public.get(ticket_id)
            rows.append(
                participant(
                    ticket_id=ticket_id,
                    user_id=user,
                    last_message_id=top,
                    last_message_at=moments.get(top),
                    last_read_id=top or 0,
                    unread=0,
                )
            )
    participant.objects.using(db).bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0003_default_survey_criterion"),
        ("tickets", "0008_attachment_message"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
