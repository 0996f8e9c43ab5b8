from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from clinic.core.errors import Forbidden
from clinic.patients.selectors import patient_for_user


class PublicApi(APIView):
    """No token needed (login, sign-up); no session either, so no CSRF to trip on."""

    authentication_classes = []
    permission_classes = [AllowAny]


class PatientApi(APIView):
    """An endpoint about the caller's own patient records; `self.patient` is theirs."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.patient = patient_for_user(user=request.user)
        if self.patient is None:
            raise Forbidden("This account has no patient profile.")
