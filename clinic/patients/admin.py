from django.contrib import admin

from clinic.core.admin import AuditedAdminMixin, TimestampedAdminMixin
from clinic.patients.models import Patient

# Every admin that picks a patient searches these (autocomplete_fields).
PATIENT_SEARCH_FIELDS = [
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__email",
    "phone",
]


def patient_search_fields(prefix: str) -> list[str]:
    """The patient search fields as seen from a model that points at a patient."""
    return [f"{prefix}__{name}" for name in PATIENT_SEARCH_FIELDS]


@admin.register(Patient)
class PatientAdmin(AuditedAdminMixin, TimestampedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "username",
        "email",
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
    autocomplete_fields = ["user"]
    readonly_fields = ["age"]
    fieldsets = [
        (None, {"fields": ["user", "gender", "dob", "age", "address", "phone", "profile_pic"]}),
        ("Verification and preferences", {
            "fields": ["email_verified", "phone_verified", "sms_opt_out"],
        }),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(ordering="user__first_name")
    def name(self, obj):
        return obj.name

    @admin.display(ordering="user__username")
    def username(self, obj):
        return obj.user.username

    @admin.display(ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="age")
    def age(self, obj):
        return obj.age if obj.dob else None
