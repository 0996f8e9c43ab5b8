"""Visit types and sites: the clinic's catalogue (rules: clinic.appointments.visit_types,
clinic.doctors.services)."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clinic.appointments.models import VisitType
from clinic.appointments.visit_types import visit_type_save
from clinic.doctors.models import Location
from clinic.doctors.services import location_save
from clinic.workspace.decorators import staff_view
from clinic.workspace.manage_forms import SiteForm, VisitTypeForm
from clinic.workspace.views.manage.editing import form_page


@staff_view("appointments.view_visittype")
def visit_types(request):
    return render(request, "workspace/manage/visit_types.html",
                  {"visit_types": VisitType.objects.order_by("-is_default", "-is_active", "name")})


@staff_view("appointments.add_visittype")
def visit_type_new(request):
    form = VisitTypeForm(request.POST or None)
    done = reverse("workspace:manage_visit_types")

    def save(data):
        made = visit_type_save(actor=request.user, **data)
        return f"Visit type {made.name} ({made.minutes} min) added."

    return form_page(request, form=form, save=save, done=done, title="New visit type",
                     cancel=done)


@staff_view("appointments.change_visittype")
def visit_type_edit(request, visit_type_id: int):
    visit_type = get_object_or_404(VisitType, pk=visit_type_id)
    initial = {"name": visit_type.name, "minutes": visit_type.minutes,
               "is_active": visit_type.is_active}
    form = VisitTypeForm(request.POST or None, initial=initial)
    done = reverse("workspace:manage_visit_types")

    def save(data):
        visit_type_save(actor=request.user, visit_type=visit_type, **data)
        return f"Visit type {visit_type.name} saved."

    intro = "A new length applies to visits booked from now on; booked visits keep theirs."
    return form_page(request, form=form, save=save, done=done, cancel=done,
                     title=f"Visit type: {visit_type.name}", context={"intro": intro})


@staff_view("doctors.view_location")
def sites(request):
    return render(request, "workspace/manage/sites.html",
                  {"sites": Location.objects.order_by("name")})


@staff_view("doctors.add_location")
def site_new(request):
    form = SiteForm(request.POST or None, initial={"time_zone": settings.TIME_ZONE})
    done = reverse("workspace:manage_sites")

    def save(data):
        return f"Site {location_save(actor=request.user, **data).name} added."

    return form_page(request, form=form, save=save, done=done, title="New site", cancel=done)


@staff_view("doctors.change_location")
def site_edit(request, location_id: int):
    site = get_object_or_404(Location, pk=location_id)
    initial = {name: getattr(site, name) for name in SiteForm.base_fields}
    form = SiteForm(request.POST or None, initial=initial)
    done = reverse("workspace:manage_sites")

    def save(data):
        return f"Site {location_save(actor=request.user, location=site, **data).name} saved."

    return form_page(request, form=form, save=save, done=done, title=f"Site: {site.name}",
                     cancel=done)
