from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.accounts.models import User
from clinic.patients.services import patient_login_email_changed


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email", "") if change else ""
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            patient_login_email_changed(user=obj, old_email=old_email)
