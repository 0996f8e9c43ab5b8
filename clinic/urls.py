from django.contrib import admin
from django.urls import include, path

from clinic.accounts.forms import AdminLoginForm
from clinic.appointments.views import calendar_feed
from clinic.core.views import healthz
from clinic.doctors.pictures import doctor_picture

admin.site.site_header = "CMS clinic administration"
admin.site.site_title = "CMS admin"
admin.site.login_form = AdminLoginForm  # the throttled login of every form

urlpatterns = [
    path("admin/", admin.site.urls),
    path("cms-api/", include("clinic.api.urls")),
    # Public content: no signed link, cacheable (clinic/doctors/pictures.py).
    path("files/doctors/<str:key>", doctor_picture, name="doctor_picture"),
    path("files/", include("clinic.core.urls")),
    path("prescriptions/", include("clinic.records.urls")),
    path("healthz", healthz, name="healthz"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("", include("clinic.portal.urls")),
]
