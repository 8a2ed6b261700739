from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Role
from .navigation import actions_for, sections_for
from .tenancy import ZoneNotFound, remember_zone

ROLE_INTROS = {
    Role.BEHEERDER: "wijken/home/beheerder.html",
    Role.TEAMCHEF: "wijken/home/teamchef.html",
    Role.WIJKINSPECTEUR: "wijken/home/wijkinspecteur.html",
    Role.MEDEWERKER: "wijken/home/medewerker.html",
    Role.BESTUUR: "wijken/home/bestuur.html",
    Role.PARTNER: "wijken/home/partner.html",
}


def landing(request: HttpRequest) -> HttpResponse:
    """The public front page: citizens go to mijn buurt, staff to their home page."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "wijken/landing.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the user's role in the active zone; a clear page when the user has no zone."""
    membership = request.membership
    if membership is None:
        return render(request, "wijken/no_zone.html")
    return render(
        request,
        "wijken/home.html",
        {
            "intro_template": ROLE_INTROS[membership.role],
            "actions": actions_for(membership.role),
            "sections": sections_for(membership.role),
        },
    )


@login_required
@require_POST
def switch_zone(request: HttpRequest) -> HttpResponse:
    try:
        membership = remember_zone(request, request.POST.get("zone", ""))
    except ZoneNotFound:
        messages.error(request, _("You are not a member of that zone."))
        return redirect("home")
    messages.success(request, _("You are now working in %(zone)s.") % {"zone": membership.zone.name})
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("home")


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and container health checks; touches no database (and is the bare
    endpoint the benchmarks compare the lookup against)."""
    return JsonResponse({"status": "ok"})
