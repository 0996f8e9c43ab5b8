"""The sign-up throttle, shared by the API and the web portal.

Logins have their own sequence (clinic.accounts.login); both count with the
one atomic counter of clinic.core.throttle.
"""

from clinic.accounts.login import client_ip_of
from clinic.core.throttle import throttle_check

__all__ = ["client_ip_of", "signup_attempt_check"]


def signup_attempt_check(*, client_ip: str) -> None:
    """Count a sign-up attempt for the client; raise Throttled over the (generous) limit."""
    throttle_check(
        scope="signup_client",
        ident=client_ip or "unknown",
        message="Too many sign-ups from this address. Try again later.",
    )
