"""Fill an empty database with a small, believable clinic to try CMS with.

    manage.py seed_demo            # on an empty database
    manage.py seed_demo --force    # add the demo beside existing data

Everything is relative to today: upcoming appointments sit on real free slots
(found by the booking selectors), past ones on real slots of the doctors' weeks;
both are inserted directly (the booking service refuses the past and would
send confirmations), within the constraints. A second run finds
the demo users and changes nothing. The logins are printed on every run.
"""

import datetime as dt
import io
import secrets

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from fpdf import FPDF
from PIL import Image, ImageDraw

from clinic.appointments.models import (
    Appointment,
    AppointmentStatusChange,
    CancelledBy,
    Status,
    VisitType,
)
from clinic.appointments.visit_types import visit_end, visit_type_default
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.management.commands._demo_staff import (
    DEMO_TOTP_SECRET,
    STAFF,
    demo_device,
    seed_staff,
)
from clinic.doctors.cache import doctors_changed
from clinic.doctors.models import Doctor, Location, TimeOff, WeeklySchedule, default_location_pk
from clinic.doctors.selectors import (
    doctor_free_slots_between,
    doctor_schedule_slots,
    slot_number,
)
from clinic.doctors.services import doctor_schedule_default
from clinic.labs.models import LabReport, LabStatus
from clinic.patients.models import Patient
from clinic.patients.services import patient_create_record, patient_register
from clinic.records.models import Consultation, PrescriptionLine

ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "admin-Clinic-2026"
DEMO_USERNAME, DEMO_PASSWORD = "demo", "demo-Patient-2026"
# RFC 2606 names: nothing seeded here can ever receive a real email.
EMAIL_DOMAIN = "cms-clinic.example"

# name, gender, specialty, years, office, birth year, bio
DOCTORS = [
    ("Dr. Asha Rao", "Female", "Cardiology", 18, "201", 1974,
     "Interventional cardiologist; heart failure and hypertension clinic."),
    ("Dr. Vikram Mehta", "Male", "General Medicine", 22, "101", 1969,
     "Family physician for adults: fevers, diabetes, blood pressure, check-ups."),
    ("Dr. Farah Siddiqui", "Female", "General Medicine", 9, "102", 1986,
     "Internal medicine; thyroid and lifestyle disorders."),
    ("Dr. Priya Nair", "Female", "Pediatrics", 14, "301", 1979,
     "Children from birth to 16: growth, vaccinations, asthma and allergies."),
    ("Dr. Arjun Iyer", "Male", "Orthopedics", 16, "401", 1976,
     "Sports injuries, back pain and joint care."),
    ("Dr. Kavita Sharma", "Female", "Dermatology", 11, "402", 1983,
     "Skin, hair and nail conditions; acne and eczema."),
    ("Dr. Rahul Desai", "Male", "Pediatrics", 7, "302", 1988,
     "Newborn care and childhood infections. Afternoon clinic."),
    ("Dr. Meera Pillai", "Female", "General Medicine", 12, "B-1", 1981,
     "Walk-in and same-day care at our Indiranagar site, every day of the week."),
]
# The one doctor with an afternoon week of their own and a week of leave.
AFTERNOON_DOCTOR = "Dr. Rahul Desai"
AFTERNOON_SESSIONS = [(day, dt.time(14, 0), dt.time(17, 0), 20) for day in (0, 2, 4)]
LEAVE_STARTS_IN_DAYS, LEAVE_DAYS = 10, 7
# The second site: the afternoon clinic, and a same-day clinic open every day, where
# the demo shows a visit today in every state.
SECOND_SITE = {
    "name": "CMS Clinic Indiranagar",
    "address": "100 Feet Road, HAL 2nd Stage, Indiranagar, Bengaluru 560038",
    "phone": "+91 80 4000 5678",
    "map_url": "https://www.openstreetmap.org/?mlat=12.9719&mlon=77.6412#map=17/12.9719/77.6412",
}
DAY_CLINIC_DOCTOR = "Dr. Meera Pillai"
DAY_CLINIC_SESSION = (dt.time(8, 0), dt.time(20, 0), 15)
# name, minutes; the default 'Consultation' (30) comes from the migrations.
VISIT_TYPES = [("Follow-up", 15), ("Extended consultation", 45)]

# username, first, last, gender, dob, phone, address
PATIENTS = [
    (DEMO_USERNAME, "Ananya", "Sen", "Female", dt.date(1991, 8, 14), "9876501234",
     "Flat 4B, Lakeview Apartments, Indiranagar, Bengaluru 560038"),
    ("rohan.gupta", "Rohan", "Gupta", "Male", dt.date(1984, 2, 3), "9845012345",
     "22 Residency Road, Bengaluru 560025"),
    ("fatima.khan", "Fatima", "Khan", "Female", dt.date(1962, 11, 21), "9900112233",
     "7 Cox Town Main Road, Bengaluru 560005"),
    ("joseph.thomas", "Joseph", "Thomas", "Male", dt.date(2017, 6, 9), "9811122233",
     "15 Koramangala 5th Block, Bengaluru 560095"),
]

# Records without a login: the demo patient's child (managed from the demo login) and
# a walk-in the front desk registered with neither email nor login.
# given, family, gender, dob, phone, allergies, alerts
DEMO_CHILD = ("Aarav", "Sen", "Male", dt.date(2019, 4, 2), "9876501234", "Peanuts", "")
WALK_IN = (
    "Lakshmi", "Iyer", "Female", dt.date(1948, 12, 5), "9844098440", "",
    "Hard of hearing: speak slowly and face her.",
)

# specialty -> (purpose, diagnosis, notes, [(medicine, dose, frequency, duration, instructions)])
VISITS = {
    "Cardiology": (
        "Palpitations and high blood pressure readings at home",
        "Stage 1 hypertension; ECG normal sinus rhythm.", "I10",
        "Reduce salt, walk 30 minutes daily. Review with home BP log in 4 weeks.",
        [("Amlodipine", "5 mg", "once a day", "30 days", "in the morning"),
         ("Atorvastatin", "10 mg", "once a day", "30 days", "at night")],
    ),
    "General Medicine": (
        "Fever and sore throat for three days",
        "Acute viral pharyngitis.", "J02.9",
        "Warm fluids and rest. Return if fever lasts beyond 5 days.",
        [("Paracetamol", "650 mg", "every 6 hours as needed", "3 days", "after food"),
         ("Cetirizine", "10 mg", "once a day", "5 days", "at bedtime")],
    ),
    "Dermatology": (
        "Itchy red patches on the forearm",
        "Tinea corporis.", "B35.4",
        "Keep the area dry; cotton clothing.",
        [("Clotrimazole 1% cream", "thin layer", "twice a day", "14 days", "on the affected skin"),
         ("Levocetirizine", "5 mg", "once a day", "7 days", "at bedtime")],
    ),
    "Orthopedics": (
        "Right knee pain after a football match",
        "Mild medial collateral ligament sprain.", "S83.4",
        "Ice packs, knee support, physiotherapy exercises handed over.",
        [("Ibuprofen", "400 mg", "three times a day", "5 days", "after food"),
         ("Pantoprazole", "40 mg", "once a day", "5 days", "before breakfast")],
    ),
    "Pediatrics": (
        "Ear pain and fever",
        "Acute otitis media (left ear).", "H66.9",
        "Weight 20 kg. Review if not better in 48 hours.",
        [("Amoxicillin syrup 250 mg/5 ml", "7.5 ml", "three times a day", "7 days", "after food"),
         ("Paracetamol syrup 250 mg/5 ml", "6 ml", "every 6 hours as needed", "3 days", "")],
    ),
}


class Command(BaseCommand):
    help = "Fill an empty database with a demo clinic (doctors, patients, visits, reports)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the demo even though the database already holds other data.",
        )

    def handle(self, *args, force: bool = False, **options):
        User = get_user_model()
        if User.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write("The demo is already in this database; nothing changed.")
            self._print_logins(admin_is_ours=True)
            return
        if _holds_data() and not force:
            raise CommandError(
                "This database already holds clinic data; seed_demo only fills an empty one. "
                "Run it with --force to add the demo beside that data."
            )
        with transaction.atomic():
            summary, admin_is_ours = _seed()
        self.stdout.write(self.style.SUCCESS(f"Demo clinic created: {summary}."))
        self._print_logins(admin_is_ours=admin_is_ours)

    def _print_logins(self, *, admin_is_ours: bool) -> None:
        admin = (
            f"{ADMIN_USERNAME} / {ADMIN_PASSWORD}"
            if admin_is_ours
            else f"{ADMIN_USERNAME} (an existing account; its password was not changed)"
        )
        staff = "".join(
            f"  workspace (/clinic/), {role.label.lower()}: {username} / {password}\n"
            for username, password, _, _, role in STAFF
        )
        self.stdout.write(
            "Logins (demo only: change or remove them before real use):\n"
            f"  admin panel (/admin/):  {admin}\n"
            f"{staff}"
            f"  patient portal and API: {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
            f"Staff and admin codes: an authenticator app on the demo key {DEMO_TOTP_SECRET},\n"
            "  or `python manage.py demo_code` prints the current one."
        )


def _holds_data() -> bool:
    models = (get_user_model(), Doctor, Patient, Appointment, Consultation, LabReport)
    return any(model.objects.exists() for model in models)


def _seed() -> tuple[str, bool]:
    today = clock.today()
    User = get_user_model()
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    admin_is_ours = admin is None
    if admin_is_ours:
        admin = User.objects.create_superuser(
            ADMIN_USERNAME, f"admin@{EMAIL_DOMAIN}", ADMIN_PASSWORD,
            first_name="Clinic", last_name="Admin",
        )
    if admin_is_ours:
        demo_device(admin)  # the admin's second factor, on the demo key
    visit_types = _seed_visit_types()
    doctors = _seed_doctors(today)
    staff = seed_staff(admin=admin, doctors=doctors, email_domain=EMAIL_DOMAIN)
    patients = _seed_patients()
    demo = patients[0]
    today_visits = _seed_today(doctors[DAY_CLINIC_DOCTOR], patients, visit_types)
    child, walk_in = _seed_records(admin=admin, guardian=demo.user)

    # Upcoming: on slots that are really free, as the booking service would pick them.
    upcoming = [
        (demo, doctors["Dr. Asha Rao"], 2, "Blood pressure review"),
        (demo, doctors["Dr. Kavita Sharma"], 6, "Skin rash follow-up"),
        (demo, doctors["Dr. Vikram Mehta"], 15, "Annual health check-up"),
        (patients[1], doctors["Dr. Arjun Iyer"], 1, "Knee review"),
        (patients[2], doctors["Dr. Asha Rao"], 2, "ECG review"),
        (patients[3], doctors["Dr. Rahul Desai"], 3, "Vaccination"),
        (child, doctors["Dr. Priya Nair"], 4, "Booster vaccination"),
        (walk_in, doctors["Dr. Vikram Mehta"], 1, "Blood sugar review"),
    ]
    booked = [
        _upcoming_appointment(patient=p, doctor=d, after=today + dt.timedelta(days=n), reason=r)
        for p, d, n, r in upcoming
    ]

    # Past: inserted directly (the service refuses the past), one distinct slot each.
    past = [
        (demo, doctors["Dr. Vikram Mehta"], 60, Status.COMPLETED),
        (demo, doctors["Dr. Asha Rao"], 35, Status.COMPLETED),
        (demo, doctors["Dr. Kavita Sharma"], 20, Status.CANCELLED),
        (demo, doctors["Dr. Arjun Iyer"], 9, Status.COMPLETED),
        (patients[1], doctors["Dr. Vikram Mehta"], 12, Status.COMPLETED),
        (patients[2], doctors["Dr. Asha Rao"], 25, Status.NO_SHOW),
        (patients[3], doctors["Dr. Priya Nair"], 5, Status.COMPLETED),
    ]
    visits = [_past_appointment(p, d, today - dt.timedelta(days=n), s) for p, d, n, s in past]
    consultations = [_consultation(a) for a in visits if a.status == Status.COMPLETED]
    _line_entered_in_error(consultations[0], admin=admin)

    reports = _seed_lab_reports(today, demo=demo, other=patients[1], doctors=doctors)
    audit_log(actor=admin, action="demo.seeded", obj=admin)
    lines = PrescriptionLine.objects.live().filter(consultation__in=consultations).count()
    summary = (
        f"{len(staff)} staff logins (one per role), "
        f"2 sites, {len(visit_types)} visit types, {len(doctors)} doctors, {len(patients)} "
        f"patients with logins and 2 without (a child of the demo login's, a walk-in), "
        f"{len(booked)} upcoming and {len(visits)} past appointments, "
        f"{len(today_visits)} today (one in every state), {len(consultations)} consultations "
        f"with {lines} prescription lines (and one entered in error), {len(reports)} lab reports"
    )
    return summary, admin_is_ours


def _seed_visit_types() -> dict[str, VisitType]:
    default = VisitType.objects.get(pk=visit_type_default().pk)
    types = {default.name: default}
    for name, minutes in VISIT_TYPES:
        types[name], _ = VisitType.objects.get_or_create(name=name, defaults={"minutes": minutes})
    return types


def _seed_doctors(today: dt.date) -> dict[str, Doctor]:
    main_site = Location.objects.get(pk=default_location_pk())
    second_site, _ = Location.objects.get_or_create(
        name=SECOND_SITE["name"], defaults=SECOND_SITE
    )
    doctors = {}
    for name, gender, specialty, years, office, born, bio in DOCTORS:
        doctor = Doctor.objects.create(
            name=name, gender=gender, specialty=specialty, experience_years=years,
            office_number=office, birth_date=dt.date(born, 6, 1), bio=bio,
        )
        if name == DAY_CLINIC_DOCTOR:
            start, end, minutes = DAY_CLINIC_SESSION
            WeeklySchedule.objects.bulk_create(
                WeeklySchedule(doctor=doctor, location=second_site, weekday=d, start=start,
                               end=end, slot_minutes=minutes)
                for d in range(7)
            )
            doctors_changed(doctor_id=doctor.pk)  # bulk_create sends no post_save
        elif name == AFTERNOON_DOCTOR:
            WeeklySchedule.objects.bulk_create(
                WeeklySchedule(doctor=doctor, location=second_site, weekday=d, start=s, end=e,
                               slot_minutes=m)
                for d, s, e, m in AFTERNOON_SESSIONS
            )
            doctors_changed(doctor_id=doctor.pk)  # bulk_create sends no post_save
            leave = today + dt.timedelta(days=LEAVE_STARTS_IN_DAYS)
            TimeOff.objects.create(
                doctor=doctor, start_date=leave,
                end_date=leave + dt.timedelta(days=LEAVE_DAYS - 1), reason="Medical conference",
            )
        else:
            doctor_schedule_default(doctor=doctor, location=main_site)
        doctors[name] = doctor
    return doctors


def _seed_today(doctor, patients, visit_types) -> list[Appointment]:
    """A visit today in every state at the same-day clinic, around the current time
    (kept within the session), with the steps each took and when. Inserted directly,
    with the steps' rows, as the state service would leave them."""
    now = clock.now()
    today = now.date()
    quarter = (now.hour * 60 + now.minute) // 15 * 15
    base = min(max(quarter, 10 * 60), 18 * 60)  # minutes after midnight

    def at(offset: int) -> dt.time:
        minutes = base + offset
        return dt.time(minutes // 60, minutes % 60)

    def stamp(when: dt.time, minutes: int = 0) -> dt.datetime:
        # Never in the future, whenever the demo is seeded.
        return min(clock.combine(today, when) + dt.timedelta(minutes=minutes), now)

    follow_up = visit_types["Follow-up"]
    consultation = next(t for t in visit_types.values() if t.is_default)
    # offset from base, patient, visit type, final state, the steps to it
    plan = [
        (-120, patients[1], consultation, [Status.ARRIVED, Status.IN_CONSULTATION,
                                           Status.COMPLETED]),
        (-90, patients[2], follow_up, [Status.NO_SHOW]),
        (-75, patients[3], follow_up, [Status.ENTERED_IN_ERROR]),
        (-60, patients[2], consultation, [Status.CANCELLED]),
        (-30, patients[3], consultation, [Status.ARRIVED, Status.IN_CONSULTATION]),
        (0, patients[1], follow_up, [Status.ARRIVED]),
        (30, patients[0], consultation, []),
    ]
    made = []
    for offset, patient, visit_type, steps in plan:
        start = at(offset)
        appointment = Appointment(
            patient=patient, doctor=doctor, visit_type=visit_type, date=today, start=start,
            end=visit_end(start, visit_type.minutes), reason=f"Same-day {visit_type.name.lower()}",
            slot_number=slot_number(doctor=doctor, day=today, at=start), status=Status.BOOKED,
        )
        changes, previous = [], Status.BOOKED
        for n, step in enumerate(steps):
            # Cancelled the evening before; arrived 10 minutes early, then 15 minutes apart.
            when = (
                clock.combine(today, dt.time(0)) - dt.timedelta(hours=4)
                if step == Status.CANCELLED
                else stamp(start, -10 + 15 * n)
            )
            field = {
                Status.ARRIVED: "arrived_at", Status.IN_CONSULTATION: "consultation_started_at",
                Status.COMPLETED: "completed_at", Status.CANCELLED: "cancelled_at",
            }.get(step)
            if field:
                setattr(appointment, field, when)
            changes.append((previous, step, when))
            previous = step
        appointment.status = previous
        if previous == Status.CANCELLED:
            appointment.cancelled_by = CancelledBy.PATIENT
            appointment.cancelled_by_user = patient.user
        appointment.save()
        AppointmentStatusChange.objects.bulk_create(
            AppointmentStatusChange(
                appointment=appointment, from_status=old, to_status=new, changed_at=when,
                changed_by=patient.user if new == Status.CANCELLED else None,
            )
            for old, new, when in changes
        )
        made.append(appointment)
    return made


def _seed_patients() -> list[Patient]:
    patients = []
    for username, first, last, gender, dob, phone, address in PATIENTS:
        password = DEMO_PASSWORD if username == DEMO_USERNAME else secrets.token_urlsafe(24)
        patient = patient_register(
            username=username, email=f"{username}@{EMAIL_DOMAIN}", password=password,
            first_name=first, last_name=last, gender=gender, dob=dob, address=address,
            phone=phone,
        )
        # A demo never texts a number it made up; the patient can turn SMS on.
        patient.email_verified = True
        patient.sms_opt_out = True
        patient.save(update_fields=["email_verified", "sms_opt_out"])
        patients.append(patient)
    return patients


def _seed_records(*, admin, guardian) -> tuple[Patient, Patient]:
    given, family, gender, dob, phone, allergies, alerts = DEMO_CHILD
    child = patient_create_record(
        actor=admin, guardian=guardian, given_name=given, family_name=family, gender=gender,
        dob=dob, phone=phone, allergies=allergies, alerts=alerts,
        address=guardian.patient.address,
    )
    given, family, gender, dob, phone, allergies, alerts = WALK_IN
    walk_in = patient_create_record(
        actor=admin, given_name=given, family_name=family, gender=gender, dob=dob,
        phone=phone, allergies=allergies, alerts=alerts,
    )
    # A demo never texts a number it made up.
    Patient.objects.filter(pk__in=[child.pk, walk_in.pk]).update(sms_opt_out=True)
    return child, walk_in


def _upcoming_appointment(*, patient, doctor, after: dt.date, reason: str) -> Appointment:
    """A booked appointment on one of the doctor's really free slots after `after`.

    Inserted directly rather than through appointment_book: the service would
    queue a confirmation email per booking, and a demo sends nothing. The free
    slots come from the same selector, and the partial unique constraints still
    decide.
    """
    free = doctor_free_slots_between(doctor=doctor, first=after, last=after + dt.timedelta(days=30))
    if not free:
        raise CommandError(f"{doctor.name} has no free slot after {after}.")
    day = min(free)
    # Mid-morning rather than always the first slot of the day.
    start = free[day][len(free[day]) // 2]
    return Appointment.objects.create(
        patient=patient, doctor=doctor, date=day, start=start, reason=reason,
        slot_number=slot_number(doctor=doctor, day=day, at=start), status=Status.BOOKED,
    )


def _past_appointment(patient, doctor, near: dt.date, status: str) -> Appointment:
    """A past appointment on a real slot of the doctor's on the nearest working day."""
    slots = doctor_schedule_slots(doctor=doctor, first=near - dt.timedelta(days=7), last=near)
    day = max(slots)
    times = slots[day]
    start = times[(patient.pk + doctor.pk) % len(times)]
    appointment = Appointment.objects.create(
        patient=patient, doctor=doctor, date=day, start=start,
        slot_number=times.index(start) + 1, status=Status.BOOKED, reason="Consultation",
    )
    if status == Status.CANCELLED:
        appointment.cancelled_at = clock.combine(day, start) - dt.timedelta(days=2)
        appointment.cancelled_by = CancelledBy.PATIENT
        appointment.cancelled_by_user = patient.user
    appointment.status = status
    appointment.save()
    return appointment


def _consultation(appointment: Appointment) -> Consultation:
    purpose, diagnosis, icd10, notes, medicines = VISITS[appointment.doctor.specialty]
    consultation = Consultation.objects.create(
        patient=appointment.patient, doctor=appointment.doctor, appointment=appointment,
        date=appointment.date, purpose=purpose, diagnosis=diagnosis, icd10=icd10, notes=notes,
    )
    PrescriptionLine.objects.bulk_create(
        PrescriptionLine(
            consultation=consultation, position=i, medicine=m, dose=d, frequency=f,
            duration=t, instructions=x,
        )
        for i, (m, d, f, t, x) in enumerate(medicines, start=1)
    )
    return consultation


def _line_entered_in_error(consultation: Consultation, *, admin) -> PrescriptionLine:
    """A line kept in the record but struck out: staff see it, the patient does not."""
    return PrescriptionLine.objects.create(
        consultation=consultation, position=9, medicine="Amoxicillin", dose="500 mg",
        frequency="three times a day", duration="5 days", instructions="after food",
        entered_in_error_at=clock.combine(consultation.date, dt.time(18, 0)),
        entered_in_error_by=admin,
        error_reason="Prescribed by mistake: a viral infection needs no antibiotic.",
    )


def _seed_lab_reports(today, *, demo, other, doctors) -> list[LabReport]:
    """Reports in every state: released (the patient sees them), resulted (awaiting the
    doctor's review), ordered, and one entered in error (kept, hidden from the patient)."""
    day = dt.timedelta(days=1)
    with_files = [
        (demo, doctors["Dr. Vikram Mehta"], "Complete blood count (CBC)", today - 58 * day, "pdf",
         LabStatus.RELEASED),
        (demo, doctors["Dr. Asha Rao"], "ECG", today - 35 * day, "png", LabStatus.RELEASED),
        (demo, doctors["Dr. Asha Rao"], "Lipid profile", today - 33 * day, "pdf",
         LabStatus.RELEASED),
        (other, doctors["Dr. Vikram Mehta"], "Throat swab culture", today - 10 * day, "pdf",
         LabStatus.RELEASED),
        (demo, doctors["Dr. Arjun Iyer"], "Vitamin D (25-OH)", today - 2 * day, "pdf",
         LabStatus.RESULTED),
        (demo, doctors["Dr. Vikram Mehta"], "Urine routine", today - 40 * day, "pdf",
         LabStatus.ENTERED_IN_ERROR),
    ]
    ordered = [
        (demo, doctors["Dr. Arjun Iyer"], "X-ray right knee (AP/lateral)", today - 9 * day),
        (demo, doctors["Dr. Asha Rao"], "HbA1c", today - 1 * day),
    ]
    reports = []
    for patient, doctor, test, date, kind, status in with_files:
        at = clock.combine(date, dt.time(17, 0))
        report = LabReport(patient=patient, doctor=doctor, test=test, date=date, status=status,
                           resulted_at=at)
        if status != LabStatus.RESULTED:  # reviewed by the ordering doctor the next morning
            report.released_at, report.released_by = at + dt.timedelta(hours=16), doctor
        if status == LabStatus.ENTERED_IN_ERROR:
            report.entered_in_error_at = at + dt.timedelta(days=1)
            report.error_reason = "Sample labelled with another patient's name."
        data = _report_pdf(report) if kind == "pdf" else _ecg_png()
        report.original_name = f"{test.split(' (')[0].replace(' ', '-').lower()}.{kind}"
        # Stored through the FileField: the default storage, under a random key.
        report.file.save(report.original_name, ContentFile(data), save=True)
        reports.append(report)
    for patient, doctor, test, date in ordered:
        reports.append(LabReport.objects.create(patient=patient, doctor=doctor, test=test,
                                                date=date, status=LabStatus.ORDERED))
    return reports


def _report_pdf(report: LabReport) -> bytes:
    """A one-page lab report: letterhead, patient, a small results table."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "CMS Clinic Laboratory", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, f"Test: {report.test}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, f"Patient: {report.patient.name}   Date: {report.date:%d %b %Y}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, f"Ordered by: {report.doctor.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    rows = [("Parameter", "Result", "Reference"), ("Haemoglobin", "13.4 g/dL", "12.0-15.5"),
            ("Total cholesterol", "182 mg/dL", "< 200"), ("Fasting glucose", "94 mg/dL", "70-99")]
    for i, row in enumerate(rows):
        pdf.set_font("Helvetica", "B" if i == 0 else "", 10)
        for text, width in zip(row, (50, 35, 35), strict=True):
            pdf.cell(width, 7, text, border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.cell(0, 5, "Demo data generated by CMS seed_demo.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _ecg_png() -> bytes:
    """A small ECG-like strip: grid and a repeating beat."""
    width, height, mid = 360, 120, 70
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 12):
        draw.line([(x, 0), (x, height)], fill=(255, 205, 205))
    for y in range(0, height, 12):
        draw.line([(0, y), (width, y)], fill=(255, 205, 205))
    beat = [(0, 0), (10, -4), (16, 0), (22, 0), (25, 6), (28, -45), (31, 14), (34, 0), (48, -8),
            (58, 0), (72, 0)]
    points = [(start + dx, mid + dy) for start in range(0, width, 72) for dx, dy in beat]
    draw.line(points, fill=(20, 20, 20), width=2)
    draw.text((6, 4), "Lead II  25 mm/s", fill=(60, 60, 60))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
