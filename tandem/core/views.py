from django.http import HttpRequest, HttpResponse, JsonResponse


def health_view(request: HttpRequest) -> HttpResponse:
    """For load balancers and `make run`: no data, no session."""
    return JsonResponse({"status": "ok"})
