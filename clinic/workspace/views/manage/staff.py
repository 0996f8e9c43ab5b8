"""Staff accounts: list, create, change roles and doctor link, deactivate, reset the
second factor. Every change goes through clinic.staff.services (audited there)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.core.errors import InvalidInput
from clinic.portal.errors import form_add_error
from clinic.staff.selectors import staff_accounts, staff_roles_of
from clinic.staff.services import (
    staff_create,
    staff_reset_second_factor,
    staff_set_active,
    staff_update,
)
from clinic.workspace.decorators import staff_view
from clinic.workspace.manage_forms import StaffCreateForm, StaffRolesForm


def _staff_or_404(user_id: int):
    return get_object_or_404(
        get_user_model().objects.filter(is_staff=True).select_related("doctor"), pk=user_id
    )


@staff_view("accounts.view_user")
def staff_list(request):
    accounts = staff_accounts().annotate(
        has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    return render(request, "workspace/manage/staff_list.html", {"accounts": accounts})


@sensitive_post_parameters("password")
@staff_view("accounts.add_user")
def staff_new(request):
    form = StaffCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = staff_create(
                    actor=request.user, username=data["username"], email=data["email"],
                    first_name=data["first_name"], last_name=data["last_name"],
                    roles=data["roles"], password=data["password"], doctor=data["doctor"],
                )
            except InvalidInput as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, f"{user.display_name} can now sign in with the "
                                          "first password; they set up two-step sign-in then.")
                return redirect("workspace:manage_staff")
    return render(request, "workspace/manage/staff_form.html", {"form": form}, status=status)


@staff_view("accounts.change_user")
def staff_edit(request, user_id: int):
    account = _staff_or_404(user_id)
    doctor = getattr(account, "doctor", None)
    initial = {"first_name": account.first_name, "last_name": account.last_name,
               "roles": staff_roles_of(account), "doctor": doctor}
    form = StaffRolesForm(request.POST or None, initial=initial, user=account)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                staff_update(actor=request.user, user=account, roles=data["roles"],
                             doctor=data["doctor"], first_name=data["first_name"],
                             last_name=data["last_name"])
            except InvalidInput as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, f"{account.display_name}'s account is saved.")
                return redirect("workspace:manage_staff")
    has_authenticator = TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    context = {"form": form, "account": account, "has_authenticator": has_authenticator}
    return render(request, "workspace/manage/staff_form.html", context, status=status)


@require_POST
@staff_view("accounts.change_user")
def staff_active(request, user_id: int):
    account = _staff_or_404(user_id)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose to deactivate or reactivate the account.")
        return redirect("workspace:manage_staff_edit", account.pk)
    try:
        staff_set_active(actor=request.user, user=account, active=wanted == "1")
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("workspace:manage_staff_edit", account.pk)
    done = "reactivated" if wanted == "1" else "deactivated: it can no longer sign in"
    messages.success(request, f"{account.display_name}'s account is {done}.")
    return redirect("workspace:manage_staff")


@require_POST
@staff_view("accounts.change_user")
def staff_reset_two_step(request, user_id: int):
    account = _staff_or_404(user_id)
    try:
        staff_reset_second_factor(actor=request.user, user=account)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{account.display_name} sets up two-step sign-in again "
                                  "at their next sign-in.")
    return redirect("workspace:manage_staff_edit", account.pk)
