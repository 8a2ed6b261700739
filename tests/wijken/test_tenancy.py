"""The scope fails closed; the resolver picks the right zone; another zone answers 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import ScopeError, scope, scopes_disabled
from rest_framework.authtoken.models import Token

from tests import factories as f
from tests.conftest import login
from tests.isolation import project_tenant_models
from wijken.models import Membership, Role, Wijk


@pytest.mark.django_db
def test_unscoped_query_on_every_tenant_model_raises():
    models = project_tenant_models()
    assert Wijk in models and Membership in models
    for model in models:
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk=1).exists()


def test_scope_shows_only_the_active_zone(personas):
    with scopes_disabled():
        f.WijkFactory(zone=personas.zone_a, name="Noord")
        f.WijkFactory(zone=personas.zone_b, name="Zuid")
    with scope(zone=personas.zone_a.pk):
        assert [w.name for w in Wijk.objects.all()] == ["Noord"]
    with scope(zone=personas.zone_b.pk):
        assert [w.name for w in Wijk.objects.all()] == ["Zuid"]


def test_user_with_two_zones_switches_in_the_header(personas):
    with scopes_disabled():
        f.MembershipFactory(zone=personas.zone_b, user=personas.bob.user, role=Role.BESTUUR)
    client = login(personas.bob)
    page = client.get("/home/")
    assert page.context["active_zone"] == personas.zone_a  # first by name
    assert b'id="zone-switch"' in page.content
    response = client.post("/zone/switch/", {"zone": "bravo", "next": "/home/"})
    assert response.status_code == 302
    page = client.get("/home/")
    assert page.context["active_zone"] == personas.zone_b
    assert page.context["active_membership"].role == Role.BESTUUR


def test_switching_to_a_zone_that_is_not_yours_is_refused(personas):
    client = login(personas.alice)
    client.post("/zone/switch/", {"zone": "bravo"})
    assert client.get("/home/").context["active_zone"] == personas.zone_a


def test_api_zone_parameter_for_a_foreign_zone_answers_404(personas):
    client = login(personas.alice)
    assert client.get("/api/v1/zones/", {"zone": "bravo"}).status_code == 404
    assert client.get("/api/v1/zones/", {"zone": "alpha"}).status_code == 200


@pytest.mark.django_db
def test_user_without_zone_gets_a_clear_page():
    user = f.UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get("/home/")
    assert response.status_code == 200
    assert "wijken/no_zone.html" in [t.name for t in response.templates]


def test_token_authentication_resolves_the_zone(personas):
    token = Token.objects.create(user=personas.alice.user)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/zones/")
    assert response.status_code == 200
    assert [z["slug"] for z in response.json()["results"]] == ["alpha"]
    assert client.get(f"/api/v1/zones/{personas.zone_b.pk}/").status_code == 404


def test_an_api_error_does_not_leave_the_zone_scope_open(personas):
    """A handler that fails unexpectedly (a 500) must still leave its zone's scope: the scope lives in the
    thread's context, and the thread's next request would otherwise run inside zone A."""
    from django_scopes import get_scope
    from rest_framework.test import APIRequestFactory, force_authenticate

    from wijken.api_staff import WijkViewSet

    class Failing(WijkViewSet):
        def list(self, request, *args, **kwargs):
            assert get_scope().get("zone") == personas.zone_a.pk  # inside zone A's scope while it runs
            raise RuntimeError("boom")

    request = APIRequestFactory().get("/api/v1/wijken/")
    force_authenticate(request, user=personas.bob.user)
    with pytest.raises(RuntimeError):
        Failing.as_view({"get": "list"})(request)
    assert "zone" not in get_scope()
    with pytest.raises(ScopeError):
        list(Wijk.objects.all())
