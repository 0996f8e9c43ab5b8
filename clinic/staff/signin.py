"""The staff sign-in: the throttled password check, then a TOTP code (django-otp).

1. staff_signin_start: the password through clinic.accounts.login.account_login
   (django-axes and the ceilings, as every login form). Nothing is logged in yet:
   the session only remembers whose code it waits for, for STAFF_SIGNIN_STEP_SECONDS.
2. An account without a confirmed authenticator sets one up first
   (staff_totp_enrolment shows its secret; staff_totp_confirm takes its first code),
   otherwise staff_totp_verify checks the code.
3. staff_signin_finish logs the account in, marked verified by that device.

Wrong codes are limited twice: the device's own back-off (django-otp doubles the
wait after each failure) and MAX_CODE_TRIES per password, after which the password
is asked again, and so counted by axes.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.login import account_login
from clinic.core.audit import audit_log
from clinic.core.errors import InvalidInput

PENDING_KEY = "staff_signin"
MAX_CODE_TRIES = 5
PASSWORD_BACKEND = "clinic.accounts.backends.EmailOrUsernameBackend"
DEVICE_NAME = "Authenticator app"


class SigninExpired(InvalidInput):
    """The password step is missing, too old or used up: start again."""


def is_staff_account(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def is_verified_staff(user) -> bool:
    """A staff login that passed the second factor in this session."""
    is_verified = getattr(user, "is_verified", None)
    return bool(
        getattr(user, "is_authenticated", False)
        and is_staff_account(user)
        and is_verified is not None
        and is_verified()
    )


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def staff_signin_start(*, request, login: str, password: str) -> str:
    """Check the password; return the next step, "verify" or "setup".

    Raises Throttled or InvalidInput (one message for a wrong login or password,
    another for a correct one that is not a staff account's).
    """
    user = account_login(request=request, login=login, password=password)
    if not is_staff_account(user):
        raise InvalidInput(
            "This sign-in is for clinic staff. Patients log in on the patient portal."
        )
    request.session.cycle_key()  # a fresh session id for the signed-in part
    request.session[PENDING_KEY] = {"user": user.pk, "at": time.time(), "tries": 0}
    return "verify" if has_confirmed_device(user) else "setup"


def staff_signin_pending(*, request):
    """The account whose code the session waits for, or None (none, expired, used up)."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.STAFF_SIGNIN_STEP_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = get_user_model().objects.filter(pk=pending["user"]).first()
    return user if is_staff_account(user) else None


def staff_totp_enrolment(*, user) -> TOTPDevice:
    """The authenticator being set up: the account's unconfirmed device, made on first use.

    The same one until it is confirmed, so reloading the page keeps its QR code valid.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _count_try(request) -> None:
    pending = request.session[PENDING_KEY]
    pending["tries"] += 1
    if pending["tries"] >= MAX_CODE_TRIES:
        del request.session[PENDING_KEY]
        raise SigninExpired("Too many wrong codes. Sign in again with your password.")
    request.session[PENDING_KEY] = pending


def _check_code(*, request, devices, code: str) -> TOTPDevice:
    code = (code or "").replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise InvalidInput("Enter the 6-digit code from your authenticator app.", field="code")
    with transaction.atomic():
        # One check at a time per device: its back-off and last used code are read-modify-write.
        for device in devices.select_for_update().order_by("pk"):
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
            if not allowed:
                raise InvalidInput(
                    "Too many wrong codes in a row. Wait a minute and try again.", field="code"
                )
    _count_try(request)
    raise InvalidInput("That code is not right. Check the time on your phone.", field="code")


def _pending_or_expired(request):
    user = staff_signin_pending(request=request)
    if user is None:
        raise SigninExpired("Your sign-in expired. Enter your password again.")
    return user


def staff_totp_confirm(*, request, code: str) -> TOTPDevice:
    """The first code from a new authenticator: confirms it and signs the account in."""
    user = _pending_or_expired(request)
    device = _check_code(
        request=request,
        devices=TOTPDevice.objects.filter(pk=staff_totp_enrolment(user=user).pk),
        code=code,
    )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_log(actor=user, action="staff.second_factor_set_up", obj=user)
    staff_signin_finish(request=request, user=user, device=device)
    return device


def staff_totp_verify(*, request, code: str) -> TOTPDevice:
    """A code from the account's authenticator: signs the account in."""
    user = _pending_or_expired(request)
    device = _check_code(
        request=request,
        devices=TOTPDevice.objects.filter(user=user, confirmed=True),
        code=code,
    )
    staff_signin_finish(request=request, user=user, device=device)
    return device


def staff_signin_finish(*, request, user, device: TOTPDevice) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=PASSWORD_BACKEND)
    otp_login(request, device)


def staff_totp_check(*, user, code: str) -> TOTPDevice | None:
    """The confirmed device of `user` that accepts `code`, or None (the admin's login form)."""
    code = (code or "").replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    with transaction.atomic():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None
