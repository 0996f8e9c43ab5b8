"""SMART on FHIR scopes: what an app may ask for, in plain words, and what each allows.

A scope is `<context>/<type>.<permission>`: context `patient` (the signed-in patient's
compartment) or `user` (everything the signed-in login may see); type a FHIR resource
type or `*`; permission `read`, `write` or `*` (SMART 1), or letters of `cruds` (SMART 2:
`rs` reads, `cud` writes). Apps ask only for the scopes in SCOPES; the resource server
checks each request with `scope_allows`.
"""

from collections.abc import Iterable

from oauth2_provider.scopes import BaseScopes

SCOPES = {
    "openid": "Know who you are",
    "fhirUser": "Know which patient record is yours",
    "launch/patient": "Know which patient record it is working with",
    "offline_access": "Keep access when you are not using it, until you revoke it",
    "patient/*.read": "Read your records: appointments, visits, prescriptions and lab reports",
    "patient/Appointment.write": "Book and cancel appointments for you",
    "user/*.read": "Read everything you can see in the portal, including your family's records",
}
DEFAULT_SCOPES = ["launch/patient", "patient/*.read"]

READ, WRITE = "read", "write"
_LETTERS = {READ: set("rs"), WRITE: set("cud")}


class SmartScopes(BaseScopes):
    """django-oauth-toolkit's scope backend: the same list for every app, except `openid`."""

    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        # An id_token must be signed: an app registered without an algorithm asking for
        # `openid` gets invalid_scope rather than a server error at the token exchange.
        if application is not None and not application.algorithm:
            return [scope for scope in SCOPES if scope != "openid"]
        return list(SCOPES)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return list(DEFAULT_SCOPES)


def _grants(permission: str, action: str) -> bool:
    if permission in ("*", action):
        return True
    letters = set(permission)
    # SMART 2 letters: only a clean subset of "cruds" counts ("rs" reads, "cud" writes).
    return letters <= set("cruds") and bool(letters & _LETTERS[action])


def scope_allows(scopes: str | Iterable[str], *, resource_type: str, action: str) -> bool:
    """Whether any of `scopes` lets an app `action` ("read" or "write") `resource_type`.

    `patient/*.read` reads any type in the patient's compartment, `patient/Appointment.write`
    books and cancels, `user/*.read` reads what the login may see. Which rows are in reach
    is still decided by the caller's own access rules; scopes only narrow them.
    """
    if action not in _LETTERS:
        raise ValueError(f"Unknown action {action!r}")
    if isinstance(scopes, str):
        scopes = scopes.split()
    for scope in scopes:
        context, _, rest = scope.partition("/")
        wanted_type, dot, permission = rest.rpartition(".")
        if context not in ("patient", "user") or not dot:
            continue
        if wanted_type in ("*", resource_type) and _grants(permission, action):
            return True
    return False
