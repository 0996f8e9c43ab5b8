"""The patient's profile: details, picture and password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.accounts.services import password_set
from clinic.core.errors import InvalidInput
from clinic.patients.services import patient_set_picture, patient_update
from clinic.portal.decorators import patient_required
from clinic.portal.errors import form_add_error, user_message
from clinic.portal.forms import BootstrapMixin, PictureForm, ProfileForm


class PortalPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    pass


def _profile_initial(patient) -> dict:
    return {
        "first_name": patient.given_name,
        "last_name": patient.family_name,
        "gender": patient.gender,
        "dob": patient.dob,
        "phone": patient.phone_national,
        "address": patient.address,
        "sms_opt_out": patient.sms_opt_out,
    }


@patient_required
def profile(request):
    return render(
        request, "portal/profile/profile.html",
        {"patient": request.own_patient, "picture_form": PictureForm()},
    )


@patient_required
def profile_edit(request):
    patient = request.own_patient
    form = ProfileForm(request.POST or None, initial=_profile_initial(patient))
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if form.initial.get(k) != v}
        try:
            if changes:
                patient_update(patient=patient, actor=request.user, **changes)
        except InvalidInput as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request, "Your profile has been updated." if changes else "Nothing to change."
            )
            return redirect("portal:profile")
    return render(request, "portal/profile/edit.html", {"form": form})


@require_POST
@patient_required
def profile_picture(request):
    form = PictureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            patient_set_picture(
                patient=request.own_patient, upload=form.cleaned_data["picture"], actor=request.user
            )
        except InvalidInput as exc:  # includes PayloadTooLarge and UnsupportedMedia
            form.add_error("picture", user_message(exc))
        else:
            messages.success(request, "Your picture has been updated.")
            return redirect("portal:profile")
    return render(
        request, "portal/profile/profile.html",
        {"patient": request.own_patient, "picture_form": form}, status=400,
    )


@sensitive_post_parameters()
@patient_required
def password_change(request):
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # password_set also revokes the account's API tokens and audits the change.
        password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, "Your password has been changed.")
        return redirect("portal:profile")
    return render(request, "portal/profile/password.html", {"form": form})
