"""The OAuth2 validator: SMART's launch context in the token response and the id_token."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from clinic.patients.selectors import patient_for_user


class SmartOAuth2Validator(OAuth2Validator):
    # SMART's `fhirUser` claim is released only with the `fhirUser` scope.
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "fhirUser": "fhirUser"}

    def save_bearer_token(self, token, request, *args, **kwargs):
        """Save the tokens, then add `patient` (the Patient's FHIR id) to the response.

        oauthlib serialises `token` after this call, so the key lands in the JSON the
        app receives (SMART App Launch: the standalone launch's patient context).
        """
        result = super().save_bearer_token(token, request, *args, **kwargs)
        patient = patient_for_user(user=request.user)
        scopes = (token.get("scope") or "").split()
        if patient is not None and any(
            s == "launch/patient" or s.startswith("patient/") for s in scopes
        ):
            token["patient"] = str(patient.pk)
        return result

    def get_additional_claims(self, request):
        patient = patient_for_user(user=request.user)
        return {"fhirUser": f"Patient/{patient.pk}"} if patient is not None else {}

    def get_discovery_claims(self, request):
        # The claims depend on the login, so the toolkit cannot list them itself.
        return ["sub", "fhirUser"]

    def refresh_id_token(self, request):
        # Tokens granted `openid` to an app whose algorithm was later cleared: refresh
        # without an id_token instead of failing to sign one.
        return bool(request.client.algorithm)
