from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from clinic.appointments.calendar import calendar_feed_for_token


@require_GET
def calendar_feed(request, token: str):
    """A patient's private iCalendar feed: no credentials but the unguessable token."""
    body = calendar_feed_for_token(token)
    if body is None:
        raise Http404("No such calendar.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
