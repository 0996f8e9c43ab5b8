import datetime as dt
import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.accounts.models import normalize_login
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput
from clinic.patients.models import Patient

PROFILE_FIELDS = ("gender", "dob", "address", "phone", "sms_opt_out")
USER_FIELDS = ("first_name", "last_name")


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
    """Create a patient's account and profile.

    A missing or taken username is replaced by a generated unique one, as the
    seed did; the email must be unused (case-insensitive).
    """
    User = get_user_model()
    # Normalised before any uniqueness check (NFKC, letter case), as User.save stores them.
    email = normalize_login(email).lower()
    username = normalize_login(username)
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput("email: An account with this email already exists.", field="email")
    if not username or User.objects.filter(username__iexact=username).exists():
        username = _generate_username(first_name=first_name, email=email)

    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    _validate_password(password, user)
    user.set_password(password)
    patient = Patient(user=user, gender=gender, dob=dob, address=address, phone=phone)
    try:
        user.full_clean(exclude=["password"])
        patient.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from None

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


@transaction.atomic
def patient_update(*, patient: Patient, actor, **changes) -> Patient:
    """Update profile fields; changing the phone clears its verification."""
    unknown = set(changes) - set(PROFILE_FIELDS) - set(USER_FIELDS)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: This field cannot be changed.")
    user = patient.user
    old_phone = patient.phone
    for name in USER_FIELDS:
        if name in changes:
            setattr(user, name, changes[name])
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(patient, name, changes[name])
    if patient.phone != old_phone:
        patient.phone_verified = False
    try:
        user.full_clean(exclude=["password"])
        patient.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise InvalidInput.from_django(exc) from None
    user.save(update_fields=list(USER_FIELDS))
    patient.save()
    audit_log(actor=actor, action="patient.updated", obj=patient, fields=sorted(changes))
    return patient


def patient_set_picture(*, patient: Patient, upload, actor) -> Patient:
    """Replace the profile picture with a cleaned copy of `upload`.

    The new file is stored under a random key; the old one is removed after commit.
    """
    from clinic.core.files import delete_after_commit, store
    from clinic.core.uploads import clean_picture

    content = clean_picture(upload)
    new_name = store(patient, "profile_pic", content)
    storage = patient.profile_pic.storage
    try:
        with transaction.atomic():
            # Read the current file under the lock, so two replacements never both keep it.
            locked = Patient.objects.select_for_update().get(pk=patient.pk)
            old_name = locked.profile_pic.name
            locked.profile_pic.name = new_name
            locked.save(update_fields=["profile_pic", "updated_at"])
            audit_log(actor=actor, action="patient.picture_set", obj=locked)
            delete_after_commit(storage, old_name)
    except BaseException:
        storage.delete(new_name)
        raise
    patient.profile_pic.name = new_name
    patient.updated_at = locked.updated_at
    return patient
