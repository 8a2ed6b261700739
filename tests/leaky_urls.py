"""A URLconf with deliberately broken views, to prove that the isolation walker catches them."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.generic import DetailView

from wijken.models import Wijk


class LeakyWijkDetail(DetailView):
    model = Wijk

    def get(self, request, pk):
        wijk = Wijk._base_manager.get(pk=pk)  # bypasses the scoped manager: the bug under test
        return HttpResponse(wijk.name)


def leaky_list(request):
    return JsonResponse({"names": list(Wijk._base_manager.values_list("name", flat=True))})


class SafeWijkDetail(DetailView):
    model = Wijk

    def get(self, request, pk):
        return HttpResponse(get_object_or_404(Wijk.objects, pk=pk).name)


def unknown_kwarg(request, mystery):
    return HttpResponse("?")


urlpatterns = [
    path("leaky/wijk/<int:pk>/", LeakyWijkDetail.as_view()),
    path("leaky/wijken/", leaky_list),
    path("leaky/safe/<int:pk>/", SafeWijkDetail.as_view()),
    path("leaky/mystery/<int:mystery>/", unknown_kwarg),
]


# Plain error pages: the project's templates link to routes that this URLconf does not have.
def plain_error(request, exception=None):
    status = 403 if exception.__class__.__name__ == "PermissionDenied" else 404
    return HttpResponse(status=status)


handler403 = plain_error
handler404 = plain_error
