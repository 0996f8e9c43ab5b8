"""SMART on FHIR: discovery, the portal's consent screen and Connected apps page, and /o/me."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.views import AuthorizationView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.errors import NotFound
from clinic.patients.selectors import patient_for_user
from clinic.portal.decorators import patient_required
from clinic.smart.authentication import SmartOAuth2Authentication
from clinic.smart.scopes import SCOPES
from clinic.smart.selectors import connected_apps_for
from clinic.smart.services import smart_app_revoke

CAPABILITIES = [
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-patient",
    "permission-user",
    "permission-offline",
    "sso-openid-connect",
]


@require_GET
def smart_configuration(request):
    """`/.well-known/smart-configuration` (SMART App Launch 2.x, "Conformance")."""

    def url(name):
        return request.build_absolute_uri(reverse(name))

    return JsonResponse({
        "issuer": request.build_absolute_uri("/"),
        "authorization_endpoint": url("oauth2_provider:authorize"),
        "token_endpoint": url("oauth2_provider:token"),
        "revocation_endpoint": url("oauth2_provider:revoke-token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "scopes_supported": list(SCOPES),
        "code_challenge_methods_supported": ["S256"],
        "capabilities": CAPABILITIES,
        "jwks_uri": url("oauth2_provider:jwks-info"),
    })


@method_decorator(patient_required, name="dispatch")
class PatientAuthorizationView(AuthorizationView):
    """The consent screen: only a patient signed in to the portal can connect an app."""

    template_name = "oauth2_provider/authorize.html"

    def get(self, request, *args, **kwargs):
        # The toolkit refuses "plain" only when the code is issued; say so before consent.
        method = request.GET.get("code_challenge_method", "plain")
        if "code_challenge" in request.GET and method != "S256":
            error = {"error": "invalid_request",
                     "description": 'The PKCE code_challenge_method must be "S256".'}
            return render(request, self.template_name, {"error": error}, status=400)
        return super().get(request, *args, **kwargs)


@patient_required
def connected_apps(request):
    apps = connected_apps_for(user=request.user)
    return render(request, "smart/connected_apps.html", {"apps": apps})


@require_POST
@patient_required
def connected_app_revoke(request, application_id: int):
    try:
        smart_app_revoke(user=request.user, application_id=application_id)
    except NotFound as exc:
        raise Http404("No such connected app.") from exc
    messages.success(request, "The app can no longer use your records.")
    return redirect("smart:connected_apps")


class MeView(APIView):
    """Who a bearer token stands for: its patient (FHIR id) and scopes."""

    authentication_classes = [SmartOAuth2Authentication]
    permission_classes = [IsAuthenticated]
    schema = None  # not part of /cms-api/'s OpenAPI schema

    def get(self, request):
        patient = patient_for_user(user=request.user)
        return Response({
            "patient": str(patient.pk) if patient else None,
            "fhirUser": f"Patient/{patient.pk}" if patient else None,
            "scope": request.auth.scope,
        })
