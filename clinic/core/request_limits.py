"""The request body's size is checked before anything reads it."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

API_PREFIX = "/cms-api/"


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is over MAX_REQUEST_BYTES with a 413, unread.

    Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded
    files to disk whatever their size; the largest accepted upload plus a little
    form data bounds every request instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            message = "The request body is too large."
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"ERR": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)
