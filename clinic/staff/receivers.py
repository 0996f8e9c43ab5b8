"""What the staff app does when someone logs in (connected in StaffConfig.ready)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from clinic.staff.middleware import LAST_SEEN_KEY


@receiver(user_logged_in, dispatch_uid="staff.stamp_session")
def stamp_staff_session(sender, request, user, **kwargs) -> None:
    """A staff login's session is one that ends when idle (StaffIdleTimeoutMiddleware),
    whichever form logged it in: the staff sign-in, the admin's or the portal's."""
    if request is not None and user.is_staff and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = time.time()
