from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.accounts.login import account_login
from clinic.accounts.services import token_for
from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.views.base import PublicApi


class LoginApi(PublicApi):
    """The account's API token for a username (or email) and password.

    Wrong passwords lock the account for the client that tried them (429 with
    Retry-After), with a higher ceiling per account; all attempts count
    against a generous per-client limit."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LoginInput"

        username = serializers.CharField(max_length=254, help_text="The username or the email.")
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LoginOutput"

        token = serializers.CharField()

    @extend_schema(
        operation_id="login",
        summary="Log in and get the account's API token",
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(429)},
        auth=[],
    )
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        user = account_login(
            request=request._request, login=data["username"], password=data["password"]
        )
        return Response({"token": token_for(user=user)})
