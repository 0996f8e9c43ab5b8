"""No caching of answers that may hold private data."""

from django.utils.cache import add_never_cache_headers, patch_vary_headers

from clinic.core.request_limits import API_PREFIX


class PrivateCacheMiddleware:
    """`Cache-Control: no-store` on every answer that may hold private data.

    That is every answer to a signed-in user (portal pages, admin) and every API
    answer (a token, a profile, a booking), unless the view chose its own caching
    (public doctor pictures, signed file downloads). Anonymous public pages and
    static files (served before this middleware) stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if request.path.startswith(API_PREFIX) or _signed_in(request):
            add_never_cache_headers(response)
        else:
            # A shared cache must not serve an anonymous page to a signed-in visitor.
            patch_vary_headers(response, ["Cookie"])
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
