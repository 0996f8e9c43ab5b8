from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.accounts.services import token_revoke
from clinic.api.shapes import MessageSerializer, errors


class LogoutApi(APIView):
    """Revoke the caller's API token; the next login issues a new one."""

    @extend_schema(
        operation_id="logout",
        summary="Revoke the caller's API token",
        request=None,
        responses={200: MessageSerializer, **errors(401)},
    )
    def post(self, request):
        token_revoke(user=request.user)
        return Response({"MSG": "Logged Out"})
