"""Idle staff sessions end (STAFF_IDLE_MINUTES).

A staff login stamps its session with the time of its last request
(clinic.staff.signin.staff_session_touch); a request that comes later than the
idle limit after the previous one finds the session ended, and continues as
anonymous, so the page asks for the sign-in again. Patients' sessions carry no
stamp and keep the site-wide SESSION_COOKIE_AGE.

Requests a page makes by itself (the day board's polling) send the header
`X-Background-Refresh: 1`: they are served but do not count as activity, or a
board left open would keep its session alive for ever.
"""

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN_KEY = "staff_last_seen"
IDLE_ENDED_KEY = "staff_idle_ended"
BACKGROUND_HEADER = "HTTP_X_BACKGROUND_REFRESH"


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        last_seen = session.get(LAST_SEEN_KEY) if session is not None else None
        if last_seen is not None:
            now = time.time()
            if now - last_seen > settings.STAFF_IDLE_MINUTES * 60:
                logout(request)
                # Told on the sign-in page; the new, empty session holds only this.
                request.session[IDLE_ENDED_KEY] = True
            elif request.META.get(BACKGROUND_HEADER) != "1":
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
