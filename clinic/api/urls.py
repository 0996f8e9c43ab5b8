from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from clinic.api.views.booking import BookingApi
from clinic.api.views.calendar import CalendarApi
from clinic.api.views.consultations import ConsultationsApi
from clinic.api.views.doctor import DoctorApi
from clinic.api.views.history import HistoryApi
from clinic.api.views.login import LoginApi
from clinic.api.views.logout import LogoutApi
from clinic.api.views.not_found import not_found
from clinic.api.views.otp import OtpSendApi, OtpVerifyApi, PasswordResetApi
from clinic.api.views.patient import PatientProfileApi
from clinic.api.views.reports import ReportsApi
from clinic.api.views.reschedule import RescheduleApi
from clinic.api.views.signup import SignupApi
from clinic.api.views.slots import SlotsApi
from clinic.api.views.waitlist import WaitlistApi, WaitlistClaimApi

app_name = "api"
urlpatterns = [
    path("login/", LoginApi.as_view(), name="login"),
    path("logout/", LogoutApi.as_view(), name="logout"),
    path("signup/", SignupApi.as_view(), name="signup"),
    path("patient/", PatientProfileApi.as_view(), name="patient"),
    path("doctor/", DoctorApi.as_view(), name="doctor"),
    path("slots/", SlotsApi.as_view(), name="slots"),
    path("booking/", BookingApi.as_view(), name="booking"),
    path("reschedule/", RescheduleApi.as_view(), name="reschedule"),
    path("waitlist/", WaitlistApi.as_view(), name="waitlist"),
    path("waitlist/claim/", WaitlistClaimApi.as_view(), name="waitlist-claim"),
    path("calendar/", CalendarApi.as_view(), name="calendar"),
    path("history/", HistoryApi.as_view(), name="history"),
    path("consultations/", ConsultationsApi.as_view(), name="consultations"),
    path("reports/", ReportsApi.as_view(), name="reports"),
    path("api-get-otp/", OtpSendApi.as_view(), name="otp-send"),
    path("verify-otp/", OtpVerifyApi.as_view(), name="otp-verify"),
    path("reset-password/", PasswordResetApi.as_view(), name="password-reset"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Last: any other path under /cms-api/ is a JSON 404, never Django's HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
