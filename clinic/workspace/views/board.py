"""The day board: one site's day by doctor and time, with one-click visit steps.

The page polls its grid (`board_grid`) with the header X-Background-Refresh, which
the idle timeout does not count as activity (clinic.staff.middleware). A step is an
htmx POST answered with the grid as it now is; the step itself is the visit-state
service's to allow or refuse.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_change_status
from clinic.core import clock
from clinic.core.errors import ApplicationError, InvalidInput
from clinic.workspace.board import BOARD_STEPS, board_for
from clinic.workspace.decorators import staff_view

VIEW = "appointments.view_appointment"
CHANGE_STATE = "appointments.change_visit_state"
# How often an open board fetches its grid again (seconds).
REFRESH_SECONDS = 30
STEP_NAMES = dict(BOARD_STEPS)


class BadQuery(ValueError):
    pass


def _wanted(params) -> tuple[dt.date, int | None]:
    """The day and site asked for (?date=YYYY-MM-DD&location=<id>); today and the default site."""
    day, location = params.get("date") or "", params.get("location") or ""
    try:
        day = dt.date.fromisoformat(day) if day else clock.today()
    except ValueError:
        raise BadQuery("The date must be a day such as 2030-01-07.") from None
    if location and not location.isdigit():
        raise BadQuery("Choose a site from the list.")
    return day, int(location) if location else None


def _context(request, *, day, location_id, notice=None) -> dict:
    board = board_for(day=day, location_id=location_id)
    query = {"date": day.isoformat()}
    if board.location is not None:
        query["location"] = board.location.pk
    return {
        "board": board,
        "query": urlencode(query),
        "can_mark": request.user.has_perm(CHANGE_STATE),
        "notice": notice,
        "refresh_seconds": REFRESH_SECONDS,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "today": clock.today(),
    }


def _refused(request, template: str, message: str):
    return render(request, template, {"error": message}, status=400)


@require_GET
@staff_view(VIEW)
def board(request):
    try:
        day, location_id = _wanted(request.GET)
    except BadQuery as error:
        return _refused(request, "workspace/board/bad_query.html", str(error))
    context = _context(request, day=day, location_id=location_id)
    if location_id is not None and context["board"].location is None:
        return _refused(request, "workspace/board/bad_query.html", "There is no such site.")
    return render(request, "workspace/board/page.html", context)


@require_GET
@staff_view(VIEW)
def board_grid(request):
    """The grid alone: the page's automatic refresh (and the answer to a step)."""
    try:
        day, location_id = _wanted(request.GET)
    except BadQuery as error:
        return _refused(request, "workspace/board/bad_query_fragment.html", str(error))
    return render(
        request, "workspace/board/grid.html", _context(request, day=day, location_id=location_id)
    )


@require_POST
@staff_view(CHANGE_STATE)
def mark(request, appointment_id: int):
    """Move a visit one step (status=arrived|in_consultation|completed|no_show)."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    status = request.POST.get("status", "")
    location_id = request.POST.get("location", "")
    location_id = int(location_id) if location_id.isdigit() else None
    status_code, notice = 200, None
    if status not in STEP_NAMES:
        status_code, notice = 400, ("danger", "Choose arrived, in consultation, done or no-show.")
    else:
        try:
            appointment_change_status(appointment=appointment, status=status, actor=request.user)
        except ApplicationError as error:
            # Refused by the state rules (or changed meanwhile): nothing was written.
            status_code = 400 if isinstance(error, InvalidInput) else 409
            notice = ("danger", f"Not changed. {appointment.patient.name}: {error.message}")
        else:
            label = Status(status).label.lower() if status != Status.COMPLETED else "done"
            notice = ("success", f"{appointment.patient.name} is marked {label}.")
    if not request.headers.get("HX-Request"):
        query = {"date": appointment.date.isoformat()}
        if location_id:
            query["location"] = location_id
        url = reverse("workspace:board") + "?" + urlencode(query)
        if notice:
            level = messages.SUCCESS if notice[0] == "success" else messages.ERROR
            messages.add_message(request, level, notice[1])
        return redirect(url)
    context = _context(request, day=appointment.date, location_id=location_id, notice=notice)
    return render(request, "workspace/board/grid.html", context, status=status_code)
