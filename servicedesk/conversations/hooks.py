"""Moments in a conversation other apps act on (the pattern of tickets/hooks.py): the service
calls the hook on one visible line inside its transaction; the apps that act on it connect in
their AppConfig.ready() and defer their work to after the commit."""

from servicedesk.tickets.hooks import Hook

# message=Message — a message (public, or an internal note) was posted on a ticket.
message_posted = Hook("message_posted")
# response=SurveyResponse — a customer rated a ticket.
survey_answered = Hook("survey_answered")
