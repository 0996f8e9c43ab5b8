from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /cms-api/ that is no endpoint: 404 in the API's error shape, any method.

    A plain view, not an APIView: it needs no credentials and reads no body, so
    an unknown path is a 404 whoever asks and however.
    """
    message = f"No such endpoint: {request.path}"
    if not request.path.endswith("/") and _is_endpoint(f"{request.path}/"):
        message += f" (did you mean {request.path}/?)"
    return JsonResponse({"ERR": message}, status=404)


def _is_endpoint(path: str) -> bool:
    try:
        return resolve(path).url_name != "not-found"
    except Resolver404:
        return False
