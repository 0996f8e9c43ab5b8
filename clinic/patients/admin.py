from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.core.admin import AuditedAdminMixin, TimestampedAdminMixin
from clinic.core.errors import InvalidInput, Throttled
from clinic.patients.invitations import patient_invite
from clinic.patients.models import Patient
from clinic.patients.phones import phone_parse
from clinic.patients.services import (
    contacts_changed,
    patient_contacts_unverify_changed,
    patient_create_record,
)

# Every admin that picks a patient searches these (autocomplete_fields).
PATIENT_SEARCH_FIELDS = [
    "record_number",
    "given_name",
    "family_name",
    "user__username",
    "email",
    "user__email",
    "phone",
]

# What patient_create_record takes from the add form.
RECORD_FIELDS = [
    "given_name",
    "family_name",
    "gender",
    "dob",
    "address",
    "phone",
    "email",
    "allergies",
    "alerts",
]


def patient_search_fields(prefix: str) -> list[str]:
    """The patient search fields as seen from a model that points at a patient."""
    return [f"{prefix}__{name}" for name in PATIENT_SEARCH_FIELDS]


class PatientAdminForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["phone"]  # the admin adds the rest from its fieldsets

    def clean_phone(self):
        # The same rule as every other way in: valid in the clinic's region, ASCII digits.
        raw = self.data.get(self.add_prefix("phone"), "")
        if not raw.strip():
            return ""
        try:
            return phone_parse(raw)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.fields["phone"][0]) from None

    def clean(self):
        cleaned = super().clean()
        stored = self.instance  # still the saved values: the form writes to it after clean()
        if stored.pk is None or "phone" not in cleaned:
            return cleaned
        user = cleaned.get("user")
        # Cleared here too, not only in save_model: a new number still ticked as verified
        # would otherwise trip the one-verified-holder constraint before the save.
        for flag in contacts_changed(
            old_email=stored.contact_email,
            new_email=user.email if user else cleaned.get("email", ""),
            old_phone=stored.phone,
            new_phone=cleaned["phone"],
        ):
            cleaned[flag] = False
        return cleaned


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, TimestampedAdminMixin, SimpleHistoryAdmin):
    form = PatientAdminForm
    list_display = [
        "record_number",
        "name",
        "username",
        "contact_email",
        "phone",
        "gender",
        "age",
        "email_verified",
        "phone_verified",
        "sms_opt_out",
        "created_at",
    ]
    list_filter = ["gender", "email_verified", "phone_verified", "sms_opt_out"]
    search_fields = PATIENT_SEARCH_FIELDS
    list_select_related = ["user"]
    autocomplete_fields = ["user", "guardians"]
    readonly_fields = ["record_number", "age"]
    actions = ["invite_by_email", "invite_by_sms"]
    fieldsets = [
        # Allergies and alerts come first: they are what a doctor must not miss.
        ("Alerts", {"fields": ["allergies", "alerts"]}),
        (
            None,
            {
                "fields": [
                    "record_number",
                    "given_name",
                    "family_name",
                    "gender",
                    "dob",
                    "age",
                    "address",
                    "phone",
                    "email",
                    "profile_pic",
                ]
            },
        ),
        ("Portal access and family", {"fields": ["user", "guardians"]}),
        (
            "Verification and preferences",
            {
                "fields": ["email_verified", "phone_verified", "sms_opt_out"],
            },
        ),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            stored = Patient.objects.select_related("user").get(pk=obj.pk)
            # A changed email or phone is unproven, even if the form still says verified.
            patient_contacts_unverify_changed(
                patient=obj, old_email=stored.contact_email, old_phone=stored.phone
            )
            return super().save_model(request, obj, form, change)
        # A new record goes through the front desk's service (numbering, audit).
        data = {name: form.cleaned_data.get(name) for name in RECORD_FIELDS}
        data["phone"] = str(data["phone"]) if data["phone"] else ""
        patient = patient_create_record(actor=request.user, **data)
        extra = {
            name: form.cleaned_data[name]
            for name in ("user", "profile_pic", "email_verified", "phone_verified", "sms_opt_out")
            if form.cleaned_data.get(name)
        }
        for name, value in extra.items():
            setattr(patient, name, value)
        if extra:
            patient.save()
        obj.pk, obj.record_number = patient.pk, patient.record_number
        form.instance = patient

    def _invite(self, request, queryset, channel: str) -> None:
        sent = 0
        for patient in queryset:
            try:
                patient_invite(patient=patient, channel=channel, actor=request.user)
            except (InvalidInput, Throttled) as exc:
                self.message_user(request, f"{patient}: {exc.message}", level="error")
            else:
                sent += 1
        if sent:
            self.message_user(request, f"Sent {sent} portal invitation(s) with a one-time code.")

    @admin.action(description="Invite to the portal by email (one-time code)")
    def invite_by_email(self, request, queryset):
        self._invite(request, queryset, "email")

    @admin.action(description="Invite to the portal by SMS (one-time code)")
    def invite_by_sms(self, request, queryset):
        self._invite(request, queryset, "sms")

    @admin.display(ordering="given_name")
    def name(self, obj):
        return obj.name

    @admin.display(ordering="user__username")
    def username(self, obj):
        return obj.user.username if obj.user_id else "—"

    @admin.display(description="email", ordering="email")
    def contact_email(self, obj):
        return obj.contact_email

    @admin.display(description="age")
    def age(self, obj):
        return obj.age if obj.dob else None
