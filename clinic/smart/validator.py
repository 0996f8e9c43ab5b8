"""The OAuth2 validator: SMART's launch context in the token response."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from clinic.patients.selectors import patient_for_user


class SmartOAuth2Validator(OAuth2Validator):
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
