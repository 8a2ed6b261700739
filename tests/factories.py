"""factory_boy factories for every tenant-owned model (the isolation test builds one zone-A object of each).

Names carry `SENTINEL` so that a page or API answer that leaks them to another zone is easy to detect."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from wijken import models as wm

SENTINEL = "SENTINEL"


def square(x: float, y: float, size: float = 0.01) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x, y, x + size, y + size)), srid=4326)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Zone

    name = factory.Sequence(lambda n: f"Zone {n}")
    slug = factory.Sequence(lambda n: f"zone-{n}")
    code = factory.Sequence(lambda n: f"Z{n:04d}")
    country = wm.Zone.Country.BE
    languages = ["nl", "fr", "en"]
    non_emergency_number = "0900 00 000"
    boundary = factory.LazyFunction(lambda: square(3.0, 51.0, 0.2))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Membership

    zone = factory.SubFactory(ZoneFactory)
    user = factory.SubFactory(UserFactory)
    role = wm.Role.WIJKINSPECTEUR


class WijkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Wijk

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"{SENTINEL} wijk {n}")
    code = factory.Sequence(lambda n: f"W{n:04d}")
    boundary = factory.LazyFunction(lambda: square(3.05, 51.05))
    inhabitants = 4200


class WijkinspecteurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Wijkinspecteur

    zone = factory.SubFactory(ZoneFactory)
    display_name = factory.Sequence(lambda n: f"{SENTINEL} Inspecteur {n}")
    rank = "Inspecteur"
    phone = "059 00 00 00"
    email = factory.Sequence(lambda n: f"inspecteur{n}@example.org")
    introduction = "Ik ben uw wijkinspecteur."
    languages = ["nl", "fr"]


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Assignment

    zone = factory.SubFactory(ZoneFactory)
    wijk = factory.SubFactory(WijkFactory, zone=factory.SelfAttribute("..zone"))
    wijkinspecteur = factory.SubFactory(WijkinspecteurFactory, zone=factory.SelfAttribute("..zone"))
    role = wm.Assignment.AssignmentRole.WIJKINSPECTEUR
    starts_on = datetime.date(2024, 1, 1)


class ContactpuntFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Contactpunt

    zone = factory.SubFactory(ZoneFactory)
    wijk = factory.SubFactory(WijkFactory, zone=factory.SelfAttribute("..zone"))
    kind = wm.Contactpunt.Kind.ANTENNEPUNT
    name = factory.Sequence(lambda n: f"{SENTINEL} Antennepunt {n}")
    street = "Kerkstraat"
    house_number = "1"
    postcode = "8400"
    municipality = "Oostende"
    point = factory.LazyFunction(lambda: Point(3.055, 51.055, srid=4326))


class SpreekuurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.Spreekuur

    zone = factory.SubFactory(ZoneFactory)
    contactpunt = factory.SubFactory(ContactpuntFactory, zone=factory.SelfAttribute("..zone"))
    weekday = 2
    starts_at = datetime.time(10, 0)
    ends_at = datetime.time(12, 0)


class SpreekuurExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.SpreekuurException

    zone = factory.SubFactory(ZoneFactory)
    contactpunt = factory.SubFactory(ContactpuntFactory, zone=factory.SelfAttribute("..zone"))
    date = datetime.date(2026, 12, 25)
    reason = f"{SENTINEL} Kerstmis"


class ContactMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = wm.ContactMessage

    zone = factory.SubFactory(ZoneFactory)
    wijkinspecteur = factory.SubFactory(WijkinspecteurFactory, zone=factory.SelfAttribute("..zone"))
    name = f"{SENTINEL} Burger"
    email = "burger@example.org"
    message = f"{SENTINEL} Er staat al weken een auto zonder nummerplaat."


# The factories of the higher apps live beside this file, one module per app; importing them here lets the
# isolation test find every factory in one place.
from tests.factories_partners import *  # noqa: E402, F403
from tests.factories_sectorscans import *  # noqa: E402, F403
