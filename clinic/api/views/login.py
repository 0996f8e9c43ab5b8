from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.accounts import throttles
from clinic.accounts.services import token_for
from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.views.base import PublicApi
from clinic.core.errors import InvalidInput


class LoginApi(PublicApi):
    """The account's API token for a username (or email) and password.

    Failed attempts are throttled per account, and all attempts per client (429)."""

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
        login, client_ip = data["username"], throttles.client_ip_of(request)
        throttles.login_attempt_check(login=login, client_ip=client_ip)
        user = authenticate(request._request, username=login, password=data["password"])
        if user is None:
            throttles.login_failure_record(login=login, client_ip=client_ip)
            raise InvalidInput("Unable to log in with the provided username and password.")
        throttles.login_success(login=login)
        return Response({"token": token_for(user=user)})
