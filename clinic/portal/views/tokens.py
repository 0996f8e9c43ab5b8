"""The patient's API tokens (one per app or device that signed in): list and revoke.

Only knox's plain lookup prefix identifies a token here; the token itself is
never stored and its digest never leaves the database.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.accounts.selectors import api_tokens_of
from clinic.accounts.services import token_revoke_own, tokens_revoke_own_all
from clinic.core.errors import NotFound
from clinic.portal.decorators import patient_required


@patient_required
def api_tokens(request):
    tokens = list(api_tokens_of(user=request.user))
    return render(request, "portal/profile/tokens.html", {"tokens": tokens})


@require_POST
@patient_required
def api_token_revoke(request, token_key: str):
    try:
        token_revoke_own(user=request.user, token_key=token_key)
    except NotFound:
        raise Http404("No such token.") from None
    messages.success(request, "That device is signed out.")
    return redirect("portal:api_tokens")


@require_POST
@patient_required
def api_tokens_revoke_all(request):
    count = tokens_revoke_own_all(user=request.user)
    messages.success(
        request, f"Signed out of {count} device{'s' if count != 1 else ''}." if count else
        "No device was signed in."
    )
    return redirect("portal:api_tokens")
