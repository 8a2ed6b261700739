"""The admin of the sectorscans models: usable by the zone's beheerder, published versions read-only."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Permission
from django_scopes import scope, scopes_disabled

from sectorscans import services
from tests import factories as f
from tests.conftest import login
from wijken.models import Role

from .conftest import take


def test_beheerder_uses_the_admin_and_published_versions_are_read_only(world, personas):
    with scopes_disabled():
        beheerder = f.MembershipFactory(zone=world.zone, role=Role.BEHEERDER, user__is_staff=True)
    beheerder.user.user_permissions.set(Permission.objects.filter(content_type__app_label="sectorscans"))
    scan = take(world, world.contact1, date=datetime.date(2025, 5, 1), scores={"verkeer": 5})
    with scope(zone=world.zone.pk):
        draft = services.questionnaire_new_version(zone=world.zone, source=world.questionnaire)
    client = login(beheerder)
    for model in ("questionnaire", "theme", "scan", "sectorscansettings", "digestrun"):
        assert client.get(f"/admin/sectorscans/{model}/").status_code == 200, model
    assert client.get(f"/admin/sectorscans/scan/{scan.pk}/change/").status_code == 200
    published = client.get(f"/admin/sectorscans/questionnaire/{world.questionnaire.pk}/change/")
    assert published.status_code == 200 and not published.context["has_change_permission"]
    editable = client.get(f"/admin/sectorscans/questionnaire/{draft.pk}/change/")
    assert editable.status_code == 200 and editable.context["has_change_permission"]
