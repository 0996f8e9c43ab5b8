from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.services import token_revoke
from clinic.api.shapes import MessageSerializer, errors


class LogoutApi(APIView):
    """Revoke the caller's API token (this device's); other devices stay logged in."""

    @extend_schema(
        operation_id="logout",
        summary="Revoke the caller's API token",
        request=None,
        responses={200: MessageSerializer, **errors(401)},
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            token_revoke(token=request.auth)
        return Response({"MSG": "Logged Out"})
