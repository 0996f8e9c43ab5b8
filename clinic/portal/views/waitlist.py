"""The waitlist in the portal: join for a doctor and dates, see entries and offers,
claim an offer (the link in the offer's message lands here), leave.

Every rule (dates, overlaps, holds, who gets an offer, claim against lapse) is
clinic.waitlist.services'; these views parse input and show the outcome.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.core.errors import ApplicationError
from clinic.doctors.selectors import doctor_list
from clinic.portal.decorators import patient_required
from clinic.portal.errors import form_add_error, user_message
from clinic.portal.forms import WaitlistJoinForm
from clinic.waitlist.selectors import waitlist_entries_for
from clinic.waitlist.services import waitlist_claim, waitlist_join, waitlist_leave

# waitlist_join names its fields as the API does.
_JOIN_FIELDS = {"from": "first_day", "to": "last_day", "doc_id": "doctor"}


@patient_required
def waitlist(request):
    return render(
        request,
        "portal/waitlist/list.html",
        {"tab": "waitlist", "entries": waitlist_entries_for(patient=request.patient)},
    )


@patient_required
def waitlist_join_view(request):
    initial = {}
    if request.GET.get("doctor", "").isdigit():
        initial["doctor"] = int(request.GET["doctor"])
    if request.GET.get("date"):
        initial["first_day"] = request.GET["date"]
    form = WaitlistJoinForm(request.POST or None, initial=initial, doctors=doctor_list())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waitlist_join(
                patient=request.patient,
                doctor=data["doctor"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                actor=request.user,
            )
        except ApplicationError as exc:
            form_add_error(form, exc, field_map=_JOIN_FIELDS)
        else:
            messages.success(
                request,
                f"You are on {data['doctor'].name}'s waitlist. When a slot frees up, "
                "we send you an offer by email and SMS.",
            )
            return redirect("portal:waitlist")
    return render(request, "portal/waitlist/join.html", {"form": form})


def _entry_or_404(patient, entry_id: int):
    entry = waitlist_entries_for(patient=patient).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such waitlist entry.")
    return entry


@patient_required
def waitlist_claim_view(request, entry_id: int):
    """GET shows the offer (a link opened by a mail scanner claims nothing); POST claims."""
    entry = _entry_or_404(request.patient, entry_id)
    if request.method == "POST":
        try:
            appointment = waitlist_claim(
                patient=request.patient, entry_id=entry.pk, actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, user_message(exc))
            return redirect("portal:waitlist_claim", entry_id=entry.pk)
        messages.success(request, "The slot is yours: your appointment is booked.")
        detail = reverse("portal:appointment_detail", kwargs={"appointment_id": appointment.pk})
        return redirect(f"{detail}?booked=1")
    return render(request, "portal/waitlist/claim.html", {"entry": entry})


@require_POST
@patient_required
def waitlist_leave_view(request, entry_id: int):
    entry = _entry_or_404(request.patient, entry_id)
    try:
        waitlist_leave(patient=request.patient, ids=[entry.pk], actor=request.user)
    except ApplicationError as exc:
        messages.error(request, user_message(exc))
    else:
        messages.success(request, f"You have left {entry.doctor.name}'s waitlist.")
    return redirect("portal:waitlist")
