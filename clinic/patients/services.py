import datetime as dt
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.accounts.models import normalize_login
from clinic.core import clock
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput
from clinic.patients.models import Patient
from clinic.patients.phones import phone_parse

# The service's keyword names stay the seed's (first_name, last_name), as the API and
# the portal spell them; the record keeps them as given and family names.
PROFILE_FIELDS = ("gender", "dob", "address", "phone", "sms_opt_out")
NAME_FIELDS = {"first_name": "given_name", "last_name": "family_name"}
RECORD_FIELDS = (
    "given_name",
    "family_name",
    "gender",
    "dob",
    "address",
    "phone",
    "email",
    "allergies",
    "alerts",
)


def _generate_username(*, first_name: str, email: str) -> str:
    User = get_user_model()
    base = re.sub(r"[^a-z0-9]", "", (first_name or email.split("@")[0]).lower())[:20] or "patient"
    while True:
        candidate = f"{base}{secrets.randbelow(10**6):06d}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate


def _validate_password(password: str, user) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(f"password: {' '.join(exc.messages)}", field="password") from None


def _full_clean(*objects) -> None:
    try:
        for obj in objects:
            obj.full_clean(exclude=["user", "password"], validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from None


def patient_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str = "",
    gender: str,
    dob: dt.date,
    address: str,
    phone: str,
    username: str | None = None,
) -> Patient:
    """Create a patient's record with a portal login.

    A missing or taken username is replaced by a generated unique one, as the
    seed did; the email must be unused (case-insensitive). The phone is read in
    the clinic's region and stored in E.164.
    """
    User = get_user_model()
    # Normalised before any uniqueness check (NFKC, letter case), as User.save stores them.
    email = normalize_login(email).lower()
    username = normalize_login(username)
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput("email: An account with this email already exists.", field="email")
    number = phone_parse(phone)
    if not username or User.objects.filter(username__iexact=username).exists():
        username = _generate_username(first_name=first_name, email=email)

    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    _validate_password(password, user)
    user.set_password(password)
    patient = Patient(
        user=user,
        given_name=first_name,
        family_name=last_name,
        email=email,
        gender=gender,
        dob=dob,
        address=address,
        phone=number,
    )
    _full_clean(user, patient)

    try:
        with transaction.atomic():
            user.save()
            patient.user = user
            patient.save()
            audit_log(actor=user, action="patient.registered", obj=patient)
    except IntegrityError:
        # Lost a race with another signup for the same email.
        raise InvalidInput(
            "email: An account with this email already exists.", field="email"
        ) from None
    return patient


def patient_create_record(
    *,
    actor,
    given_name: str,
    family_name: str = "",
    gender: str,
    dob: dt.date,
    address: str = "",
    phone: str = "",
    email: str = "",
    allergies: str = "",
    alerts: str = "",
    guardian=None,
) -> Patient:
    """Register a patient without a portal login (front desk, a walk-in, a child).

    Email and phone are optional; a phone is read in the clinic's region. With
    `guardian` (a login), that login manages the new record as a dependant.
    """
    patient = Patient(
        given_name=(given_name or "").strip(),
        family_name=(family_name or "").strip(),
        gender=gender,
        dob=dob,
        address=address or "",
        phone=phone_parse(phone) if phone else "",
        email=(email or "").strip().lower(),
        allergies=allergies or "",
        alerts=alerts or "",
    )
    _full_clean(patient)
    with transaction.atomic():
        patient.save()
        if guardian is not None:
            patient.guardians.add(guardian)
        audit_log(actor=actor, action="patient.recorded", obj=patient)
    return patient


def patient_update(*, patient: Patient, actor, picture=None, **changes) -> Patient:
    """Update profile fields and, with `picture`, the profile picture: all or nothing.

    Everything is checked before anything is written (the picture cleaned, every
    value validated); then the rows change in one transaction. A picture stored for
    a transaction that fails is removed again. Changing the phone clears its
    verification.
    """
    from clinic.core.files import delete_after_commit, store
    from clinic.core.uploads import clean_picture

    unknown = set(changes) - set(PROFILE_FIELDS) - set(NAME_FIELDS)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: This field cannot be changed.")
    content = None
    if picture is not None:
        try:
            content = clean_picture(picture)
        except InvalidInput as exc:  # name the model's field, not the checker's "file"
            raise type(exc)(exc.message, field="profile_pic") from None
    if "phone" in changes:
        changes["phone"] = phone_parse(changes["phone"])
    old_phone = patient.phone
    for name, field in NAME_FIELDS.items():
        if name in changes:
            setattr(patient, field, changes[name])
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(patient, name, changes[name])
    patient_contacts_unverify_changed(
        patient=patient, old_email=patient.contact_email, old_phone=old_phone
    )
    user = patient.user
    if user is not None:
        # The login's own name follows the record's (the accounts admin lists it).
        user.first_name, user.last_name = patient.given_name, patient.family_name
    _full_clean(*([user] if user is not None else []), patient)

    new_name = store(patient, "profile_pic", content) if content is not None else None
    storage, previous = patient.profile_pic.storage, patient.profile_pic.name
    try:
        with transaction.atomic():
            # The current picture is read under the lock, so two replacements never both
            # keep it, and saving the other fields never writes back a stale picture name.
            locked = Patient.objects.select_for_update().only("profile_pic").get(pk=patient.pk)
            old_name = locked.profile_pic.name
            patient.profile_pic.name = new_name or old_name
            if changes:
                if user is not None:
                    user.save(update_fields=["first_name", "last_name"])
                patient.save()
                audit_log(
                    actor=actor, action="patient.updated", obj=patient, fields=sorted(changes)
                )
            if new_name:
                if not changes:
                    patient.save(update_fields=["profile_pic", "updated_at"])
                audit_log(actor=actor, action="patient.picture_set", obj=patient)
                delete_after_commit(storage, old_name)
    except BaseException:
        if new_name:
            patient.profile_pic.name = previous
            storage.delete(new_name)
        raise
    return patient


def _same_email(a: str | None, b: str | None) -> bool:
    # Addresses differing only in case reach the same mailbox in practice.
    return (a or "").strip().lower() == (b or "").strip().lower()


def contacts_changed(*, old_email, new_email, old_phone, new_phone) -> list[str]:
    """The verified flags a change of contacts clears: `email_verified` for a new
    address, `phone_verified` for a new number.

    A new address or number is unproven until a one-time code reaches it, whoever
    typed it in (the patient, the front desk, the admin): notifications go only to
    verified contacts.
    """
    changed = []
    if not _same_email(new_email, old_email):
        changed.append("email_verified")
    if str(new_phone or "") != str(old_phone or ""):
        changed.append("phone_verified")
    return changed


def patient_contacts_unverify_changed(*, patient: Patient, old_email, old_phone) -> list[str]:
    """Clear the verified flags of the contacts that changed on the (unsaved) `patient`.

    `old_email` is the contact address before the change (`contact_email`: the
    login's, else the record's). Returns the flags cleared; the caller saves.
    """
    cleared = []
    for flag in contacts_changed(
        old_email=old_email, new_email=patient.contact_email,
        old_phone=old_phone, new_phone=patient.phone,
    ):
        if getattr(patient, flag):
            setattr(patient, flag, False)
            cleared.append(flag)
    return cleared


def patient_login_email_changed(*, user, old_email: str) -> None:
    """The login's email changed (the accounts admin): its patient's address is unproven."""
    if _same_email(user.email, old_email):
        return
    Patient.objects.filter(user=user, email_verified=True).update(
        email_verified=False, updated_at=clock.now()
    )


@transaction.atomic
def patient_phone_mark_verified(*, patient: Patient) -> None:
    """Record that `patient` proved they hold their phone number (an OTP reached it).

    A number has one verified holder: whoever proved it last. Another record that
    claimed the same number earlier loses its verification (numbers change hands).
    """
    if not patient.phone:
        return
    now = clock.now()
    Patient.objects.filter(phone=patient.phone, phone_verified=True).exclude(pk=patient.pk).update(
        phone_verified=False, updated_at=now
    )
    Patient.objects.filter(pk=patient.pk).update(phone_verified=True, updated_at=now)
    patient.phone_verified = True


def patient_set_picture(*, patient: Patient, upload, actor) -> Patient:
    """Replace the profile picture with a cleaned copy of `upload` (see patient_update).

    The new file is stored under a random key; the old one is removed after commit.
    """
    return patient_update(patient=patient, actor=actor, picture=upload)
