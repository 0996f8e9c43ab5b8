"""Access to the workspace: a staff login that passed its second factor, with permissions.

    @staff_view("appointments.change_visit_state")
    def mark(request, appointment_id): ...

    class BoardView(StaffViewMixin, TemplateView):
        staff_permissions = ("appointments.view_appointment",)

Anyone else is sent to the staff sign-in (an htmx request gets a 401 whose
HX-Redirect header takes the whole page there); a patient's login, or staff
without the permissions, get the workspace's 403 page. `request.staff_roles`
lists the caller's roles (clinic.staff.roles.Role values).
"""

from functools import wraps
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from clinic.staff.selectors import staff_roles_of
from clinic.staff.signin import is_verified_staff


def _to_signin(request):
    url = f"{reverse('workspace:login')}?next={quote(request.get_full_path())}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def staff_refused(request):
    """The workspace's 403 page: the login's role does not cover this."""
    return render(request, "workspace/403.html", {"reason": "permission"}, status=403)


def staff_refusal(request, permissions):
    """The response refusing `request`, or None when it may go on."""
    user = request.user
    if not is_verified_staff(user):
        if user.is_authenticated and not user.is_staff:
            return render(request, "workspace/403.html", {"reason": "patient"}, status=403)
        return _to_signin(request)
    if permissions and not user.has_perms(permissions):
        return staff_refused(request)
    request.staff_roles = SimpleLazyObject(lambda: staff_roles_of(user))
    return None


def staff_view(*permissions: str):
    """Require a verified staff login holding every one of `permissions` (none: any staff)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = staff_refusal(request, permissions)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class StaffViewMixin:
    """staff_view for class-based views: set `staff_permissions`."""

    staff_permissions: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        refusal = staff_refusal(request, self.staff_permissions)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)
