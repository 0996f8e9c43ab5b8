from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.accounts.models import User


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
