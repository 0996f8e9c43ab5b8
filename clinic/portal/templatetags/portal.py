from django import template

from clinic.core import clock
from clinic.core.downloads import file_url as _file_url
from clinic.doctors.pictures import doctor_picture_url as _doctor_picture_url

register = template.Library()


@register.simple_tag(takes_context=True)
def file_url(context, fieldfile, filename=None):
    """A short-lived link for the viewer to a private file, or an empty string."""
    request = context.get("request")
    # Private files are never part of a page an anonymous visitor can see.
    if not fieldfile or request is None or not request.user.is_authenticated:
        return ""
    return _file_url(fieldfile, user=request.user, filename=filename) or ""


@register.simple_tag
def doctor_picture_url(doctor):
    """The public URL of a doctor's picture, or an empty string."""
    return _doctor_picture_url(doctor) or ""


@register.filter
def initials(name: str) -> str:
    words = [w for w in (name or "").replace("Dr.", "").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def slot(at) -> str:
    """A time as the clinic's 12-hour slot label, e.g. 09:30 AM."""
    return clock.slot_label(at) if at else ""
