"""Tenancy never breaks: every route, as a user of zone B, against objects of zone A (DESIGN §4)."""

from __future__ import annotations

import inspect

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django_scopes import scopes_disabled

from tests import factories
from tests.conftest import login
from tests.isolation import find_leaks, project_tenant_models, walk
from wijken.models import Zone


def tenant_factories() -> dict:
    found = {}
    for _name, obj in inspect.getmembers(factories, inspect.isclass):
        if (
            issubclass(obj, factories.factory.django.DjangoModelFactory)
            and obj is not factories.factory.django.DjangoModelFactory
        ):
            found[obj._meta.model] = obj
    return found


@pytest.fixture
def zone_a_objects(personas) -> dict:
    """One object of every tenant-owned model in zone A, plus zone A itself."""
    available = tenant_factories()
    objects = {Zone: personas.zone_a}
    # A fixture that writes zone A's rows while no request is active.
    with scopes_disabled():
        for model in project_tenant_models():
            objects[model] = available[model](zone=personas.zone_a)
    return objects


@pytest.fixture
def outsider(personas):
    """olivia, beheerder of zone B, with every model permission of the project: only tenancy stops her."""
    user = personas.olivia.user
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=[
                "wijken",
                "partners",
                "sectorscans",
                "meldingen",
                "buurtgesprekken",
                "rapportage",
            ]
        )
    )
    return login(personas.olivia)


def test_every_tenant_model_has_a_factory():
    missing = [m.__name__ for m in project_tenant_models() if m not in tenant_factories()]
    assert not missing, f"add factories for {missing} so the isolation test can build them"


def test_zone_b_user_gets_404_on_every_route_for_zone_a_objects(zone_a_objects, outsider):
    leaks, checked = find_leaks(outsider, zone_a_objects)
    assert not leaks, "\n".join(map(str, leaks))
    # The walk really covers the project: every route of the resolver (less the public ones) was called.
    assert checked >= sum(1 for _ in walk()) // 2


def test_walker_catches_a_route_that_forgot_to_filter(zone_a_objects, outsider):
    with override_settings(ROOT_URLCONF="tests.leaky_urls"):
        leaks, checked = find_leaks(outsider, zone_a_objects)
    reported = {leak.route for leak in leaks}
    wijk = zone_a_objects[factories.WijkFactory._meta.model]
    assert f"/leaky/wijk/{wijk.pk}/" in reported  # the detail view that skipped the scope
    assert "/leaky/wijken/" in reported  # the list that skipped the scope
    assert f"/leaky/safe/{wijk.pk}/" not in reported  # the correct view passes
    assert any("cannot fill" in leak.detail for leak in leaks)  # an unknown kwarg is reported, not skipped
