"""The route walker behind the isolation test (DESIGN §4).

It discovers every URL pattern from the resolver (not from a hand list), fills object kwargs with zone A's
objects and calls each route as a user of zone B:

- a route with an object in its URL must answer 404 (405 for a method the route does not have), and at
  least one method must reach the view and answer 404;
- a route without an object must not show any zone A data (the factories put SENTINEL in names).

Kept apart from the test module so that a test can run it against a deliberately leaky URLconf.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import SENTINEL

# Routes that are public or hold no zone data; each with the reason. Anything else must pass the walk.
PUBLIC_ROUTES = {
    r"/i18n/setlang/": "switches the interface language",
    r"/jsi18n/": "translation catalogue for scripts",
    r"/api/schema/": "the OpenAPI schema describes routes, not data",
    r"/api/docs/": "interactive API documentation",
    r"/login/": "login page",
    r"/logout/": "logout",
    r"/password/reset/(sent/)?": "asking for a password link by e-mail address (answers the same for any address)",
    r"/password/set/.*": "the one-time link to choose a password (a signed token, no zone data), and its confirmation",
    r"/admin/login/": "admin login page",
    r"/admin/logout/": "admin logout",
    r"/admin/password_change/(done/)?": "the user's own password",
    r"/static/.*": "static files",
    r"/media/.*": "uploaded files",
}

# Non-object kwargs and a value to put in them.
PLAIN_KWARGS = {
    "app_label": lambda: ["wijken", "partners", "sectorscans", "meldingen", "buurtgesprekken", "rapportage"],
    "url": lambda: ["no-such-page/"],  # the admin's catch-all
}

# Routes whose view does not say its model in a way the walker can read.
ROUTE_MODELS = {
    "auth_user_password_change": lambda: apps.get_model("auth", "User"),
}

OBJECT_KWARGS = {"pk", "object_id", "id"}
METHODS_API = ("get", "put", "patch", "delete")
METHODS_PAGE = ("get", "post")


@dataclass
class Route:
    regex: str  # the full pattern, joined from the resolver tree
    callback: object
    name: str | None
    kwargs: list[str]


def walk(patterns=None, prefix: str = "") -> Iterator[Route]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        regex = prefix + _regex_of(entry)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, regex)
        elif isinstance(entry, URLPattern):
            kwargs = re.findall(r"\(\?P<(\w+)>", regex)
            yield Route(regex, entry.callback, entry.name, kwargs)


def _regex_of(entry) -> str:
    regex = entry.pattern.regex.pattern
    return regex[1:] if regex.startswith("^") else regex


def full_regex(route: Route) -> str:
    return "^" + route.regex


def project_tenant_models() -> list[type[models.Model]]:
    """Every model of the project's own apps with a zone foreign key."""
    own = {"wijken", "partners", "sectorscans", "meldingen", "buurtgesprekken", "rapportage"}
    found = []
    for model in apps.get_models():
        if model._meta.app_label in own:
            try:
                field = model._meta.get_field("zone")
            except Exception:
                continue
            if field.is_relation:
                found.append(model)
    return found


def model_for_kwarg(route: Route, kwarg: str) -> type[models.Model] | None:
    callback = route.callback
    if route.name in ROUTE_MODELS:
        return ROUTE_MODELS[route.name]()
    if kwarg in OBJECT_KWARGS:
        model_admin = getattr(callback, "model_admin", None)
        if model_admin is not None:
            return model_admin.model
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is not None:
            model = getattr(view_class, "model", None)
            queryset = getattr(view_class, "queryset", None)
            return model or (queryset.model if queryset is not None else None)
        return getattr(callback, "tenant_model", None)
    if kwarg.endswith("_pk"):
        name = kwarg[: -len("_pk")].replace("_", "")
        for model in project_tenant_models():
            if model._meta.model_name == name:
                return model
    return None


def _fill(pattern: str, values: dict[str, str]) -> str:
    """Turn a full regex back into a path, with the given kwargs."""
    path = pattern
    for key, value in values.items():
        path = re.sub(rf"\(\?P<{key}>[^)]*\)", str(value), path, count=1)
    path = path.lstrip("^").rstrip("$")
    path = path.replace(r"\Z", "").replace("\\.", ".").replace("\\", "")
    return "/" + path


def is_public(regex: str) -> bool:
    path = _fill(regex, {})
    return any(re.fullmatch(public, path) for public in PUBLIC_ROUTES)


def _shows_sentinel(response) -> bool:
    body = getattr(response, "content", b"") or b""
    return SENTINEL.encode() in body


@dataclass
class Leak:
    route: str
    method: str
    detail: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}: {self.detail}"


def find_leaks(client: Client, objects: dict[type[models.Model], models.Model], patterns=None) -> tuple[list, int]:
    """Walk the routes as `client` (a user of zone B) against zone A's `objects` (one per tenant-owned model,
    plus zone A itself). Returns (leaks, paths checked). A kwarg the walker cannot fill is itself a leak, so
    a new route cannot slip through unchecked.

    A kwarg naming a global model (users, Celery schedules, login attempts) is filled with an id and must
    answer below 500 without zone A data: such rows belong to no zone."""
    leaks: list[Leak] = []
    checked = 0
    for route in walk(patterns):
        regex = full_regex(route)
        if is_public(regex) or "format" in route.kwargs:  # DRF's format-suffix twin is walked as the plain route
            continue
        methods = METHODS_API if regex.startswith("^api/") else METHODS_PAGE
        variants, problem = _kwarg_variants(route, objects)
        if problem:
            leaks.append(Leak(regex, "-", problem))
            continue
        for values, must_404 in variants:
            path = _fill(regex, values)
            checked += 1
            if must_404:
                reached = False
                for method in methods:
                    response = client.generic(method.upper(), path, b"{}", content_type="application/json")
                    if response.status_code in (301, 302) and response["Location"].startswith(path):
                        # The admin's old-style object URL redirects to its /change/ page: fine when that 404s.
                        response = client.get(response["Location"])
                    if response.status_code == 404:
                        reached = True
                    elif response.status_code != 405:
                        leaks.append(Leak(path, method, f"answered {response.status_code}, expected 404"))
                if not reached:
                    leaks.append(Leak(path, "*", "no method answered 404 (the view was never reached)"))
            else:
                response = client.get(path)
                if response.status_code >= 500:
                    leaks.append(Leak(path, "get", f"answered {response.status_code}"))
                elif _shows_sentinel(response):
                    leaks.append(Leak(path, "get", "shows zone A data"))
    return leaks, checked


def _kwarg_variants(route: Route, objects) -> tuple[list[tuple[dict, bool]], str | None]:
    """The kwarg values to call a route with, each with whether it must answer 404."""
    if "content_type_id" in route.kwargs:
        # The admin's view-on-site shortcut: every zone-A object, addressed by content type.
        from django.contrib.contenttypes.models import ContentType

        return [
            ({"content_type_id": ContentType.objects.get_for_model(model).pk, "object_id": obj.pk}, True)
            for model, obj in objects.items()
        ], None
    values: dict[str, object] = {}
    plain_variants: list[dict] = [{}]
    must_404 = False
    for kwarg in route.kwargs:
        if kwarg in PLAIN_KWARGS:
            plain_variants = [{kwarg: value} for value in PLAIN_KWARGS[kwarg]()]
            continue
        model = model_for_kwarg(route, kwarg)
        if model is None:
            return [], f"the walker cannot fill the URL kwarg '{kwarg}' (no model found for it)"
        if model in objects:
            values[kwarg] = objects[model].pk
            must_404 = True
        elif model in project_tenant_models():
            return [], f"no zone-A {model.__name__} for the URL kwarg '{kwarg}' (add a factory)"
        else:
            values[kwarg] = 1  # a global model
    return [({**values, **plain}, must_404) for plain in plain_variants], None
