"""Every upload in every form runs the same checks as patient pictures (clinic.core.uploads)."""

import inspect

from django import forms
from django.contrib import admin
from django.core.files.storage import default_storage
from django.test import RequestFactory

from clinic.core.tests.admin_cases import AdminTestCase
from clinic.core.tests.files_helpers import OwnMediaMixin, image_bytes, stored_files, upload
from clinic.doctors.models import Doctor

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _checked(field) -> bool:
    from clinic.core.uploads import CheckedFileFormField

    return isinstance(field, CheckedFileFormField)


def _file_fields(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.FileField)
    }


class EveryUploadIsCheckedTests(AdminTestCase):
    def test_every_admin_form_checks_its_uploads(self):
        """Each file field of each admin form and inline goes through the upload checks."""
        request = RequestFactory().get("/admin/")
        request.user = self.staff
        seen = []
        for model, model_admin in admin.site._registry.items():
            forms_of_admin = [model_admin.get_form(request)]
            forms_of_admin += [
                inline.get_formset(request).form
                for inline in model_admin.get_inline_instances(request)
            ]
            for form_class in forms_of_admin:
                for name, field in _file_fields(form_class).items():
                    seen.append(f"{model._meta.label}.{name}")
                    with self.subTest(form=f"{model._meta.label}.{name}"):
                        self.assertIs(_checked(field), True)
        # The uploads the admin has today: doctors' and patients' pictures, scans, lab files.
        for label in (
            "doctors.Doctor.profile_pic",
            "patients.Patient.profile_pic",
            "records.Consultation.scan",
            "labs.LabReport.upload",
        ):
            self.assertIn(label, seen)

    def test_every_portal_form_checks_its_uploads(self):
        """The portal's forms with a file field use the checked fields too."""
        from clinic.portal import forms as portal_forms

        found = 0
        for _, form_class in inspect.getmembers(portal_forms, inspect.isclass):
            if issubclass(form_class, forms.BaseForm) and hasattr(form_class, "base_fields"):
                for name, field in _file_fields(form_class).items():
                    found += 1
                    with self.subTest(form=f"{form_class.__name__}.{name}"):
                        self.assertIs(_checked(field), True)
        self.assertGreaterEqual(found, 1)


class DoctorPictureAdminTests(OwnMediaMixin, AdminTestCase):
    def post_doctor(self, data: bytes, name: str, content_type: str):
        from clinic.doctors.tests.test_admin import DOCTORS, doctor_form

        return self.client.post(
            f"{DOCTORS}add/",
            doctor_form(profile_pic=upload(data, name, content_type)),
        )

    def test_an_html_picture_is_refused_and_nothing_is_stored(self):
        """An HTML file as a doctor's picture: a form error, no doctor, no file."""
        response = self.post_doctor(HTML, "evil.html", "text/html")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not a JPEG, PNG or WebP image")
        self.assertIs(Doctor.objects.filter(name="Dr. New Joiner").exists(), False)
        self.assertEqual(stored_files(), [])

    def test_an_html_file_named_like_a_picture_is_refused(self):
        """The type comes from the content: HTML named .png is refused as well."""
        response = self.post_doctor(HTML, "evil.png", "image/png")
        self.assertContains(response, "not a JPEG, PNG or WebP image")
        self.assertEqual(stored_files(), [])

    def test_a_real_picture_is_stored_re_encoded(self):
        """A PNG is accepted, stored under a random .png key, re-encoded."""
        response = self.post_doctor(image_bytes("PNG"), "photo.png", "image/png")
        self.assertEqual(response.status_code, 302)
        doctor = Doctor.objects.get(name="Dr. New Joiner")
        self.assertRegex(doctor.profile_pic.name, r"^pictures/doctors/[\w-]{32}\.png$")
        from clinic.core.sniff import sniff_safe_type

        with default_storage.open(doctor.profile_pic.name, "rb") as fh:
            self.assertEqual(sniff_safe_type(fh.read(16)), "image/png")


class PatientPictureAdminTests(OwnMediaMixin, AdminTestCase):
    def test_an_html_patient_picture_is_refused(self):
        """The patient admin checks pictures as the portal does."""
        url = f"/admin/patients/patient/{self.alice.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name != "profile_pic"
        }
        data["user"] = self.alice.user_id
        data["dob"] = "1990-05-17"
        data["profile_pic"] = upload(HTML, "me.jpg", "image/jpeg")
        response = self.client.post(url, data)
        self.assertContains(response, "not a JPEG, PNG or WebP image")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.profile_pic.name, "")
        self.assertEqual(stored_files(), [])
