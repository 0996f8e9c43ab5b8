from django.urls import path

from clinic.portal.views import (
    appointments,
    auth,
    booking,
    dashboard,
    family,
    move,
    password_reset,
    profile,
    public,
    records,
    verify,
    waitlist,
)

app_name = "portal"
urlpatterns = [
    path("", public.home, name="home"),
    path("doctors/", public.doctors, name="doctors"),
    path("doctors/<int:doctor_id>/", public.doctor, name="doctor"),
    # Account
    path("register/", auth.register, name="register"),
    path("claim/", auth.claim, name="claim"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/forgot/", password_reset.forgot, name="password_forgot"),
    path("password/code/", password_reset.verify, name="password_verify"),
    path("password/new/", password_reset.new_password, name="password_new"),
    # The patient's own pages
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("viewing/", family.acting_set, name="acting_set"),
    path("profile/", profile.profile, name="profile"),
    path("profile/edit/", profile.profile_edit, name="profile_edit"),
    path("profile/picture/", profile.profile_picture, name="profile_picture"),
    path("profile/password/", profile.password_change, name="password_change"),
    path("profile/verify/<str:channel>/", verify.verify, name="verify"),
    path("book/", booking.book, name="book"),
    path("book/<int:doctor_id>/", booking.book_doctor, name="book_doctor"),
    path("book/<int:doctor_id>/confirm/", booking.book_confirm, name="book_confirm"),
    path("appointments/", appointments.appointments, name="appointments"),
    path("appointments/past/", appointments.appointments_past, name="appointments_past"),
    path(
        "appointments/<int:appointment_id>/",
        appointments.appointment_detail,
        name="appointment_detail",
    ),
    path(
        "appointments/<int:appointment_id>/move/",
        move.appointment_move,
        name="appointment_move",
    ),
    path(
        "appointments/<int:appointment_id>/move/confirm/",
        move.appointment_move_confirm,
        name="appointment_move_confirm",
    ),
    path(
        "appointments/<int:appointment_id>/cancel/",
        appointments.appointment_cancel_view,
        name="appointment_cancel",
    ),
    path("waitlist/", waitlist.waitlist, name="waitlist"),
    path("waitlist/join/", waitlist.waitlist_join_view, name="waitlist_join"),
    path("waitlist/<int:entry_id>/claim/", waitlist.waitlist_claim_view, name="waitlist_claim"),
    path("waitlist/<int:entry_id>/leave/", waitlist.waitlist_leave_view, name="waitlist_leave"),
    path("consultations/", records.consultations, name="consultations"),
    path(
        "consultations/<int:consultation_id>/prescription/",
        records.prescription,
        {"mode": "view"},
        name="prescription_view",
    ),
    path(
        "consultations/<int:consultation_id>/prescription/download/",
        records.prescription,
        {"mode": "download"},
        name="prescription_download",
    ),
    path("reports/", records.reports, name="reports"),
    path("reports/<int:report_id>/", records.report_file, {"mode": "view"}, name="report_view"),
    path(
        "reports/<int:report_id>/download/",
        records.report_file,
        {"mode": "download"},
        name="report_download",
    ),
]
