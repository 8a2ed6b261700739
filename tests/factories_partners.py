"""Factories of the partners app (see tests/factories.py)."""

from __future__ import annotations

import datetime

import factory
from django.contrib.gis.geos import Point

from partners import models as pm
from tests.factories import SENTINEL, WijkFactory, WijkinspecteurFactory, ZoneFactory


class PartnerTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.PartnerType

    zone = factory.SubFactory(ZoneFactory)
    key = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"{SENTINEL} type {n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Partner

    zone = factory.SubFactory(ZoneFactory)
    wijk = factory.SubFactory(WijkFactory, zone=factory.SelfAttribute("..zone"))
    partner_type = factory.SubFactory(PartnerTypeFactory, zone=factory.SelfAttribute("..zone"))
    name = factory.Sequence(lambda n: f"{SENTINEL} Buurtcomité {n}")
    point = factory.LazyFunction(lambda: Point(3.055, 51.055, srid=4326))


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.ContactPerson

    zone = factory.SubFactory(ZoneFactory)
    partner = factory.SubFactory(PartnerFactory, zone=factory.SelfAttribute("..zone"))
    name = factory.Sequence(lambda n: f"{SENTINEL} Contact {n}")
    function = "Voorzitter"
    lawful_basis = pm.ContactPerson.LawfulBasis.CONSENT


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Visit

    zone = factory.SubFactory(ZoneFactory)
    partner = factory.SubFactory(PartnerFactory, zone=factory.SelfAttribute("..zone"))
    wijkinspecteur = factory.SubFactory(WijkinspecteurFactory, zone=factory.SelfAttribute("..zone"))
    date = datetime.date(2026, 3, 1)
    notes = f"{SENTINEL} bezoek"


class VisitContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.VisitContact

    zone = factory.SubFactory(ZoneFactory)
    visit = factory.SubFactory(VisitFactory, zone=factory.SelfAttribute("..zone"))
    contact = factory.SubFactory(
        ContactPersonFactory, zone=factory.SelfAttribute("..zone"), partner=factory.SelfAttribute("..visit.partner")
    )


class FollowUpTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.FollowUpTask

    zone = factory.SubFactory(ZoneFactory)
    visit = factory.SubFactory(VisitFactory, zone=factory.SelfAttribute("..zone"))
    description = f"{SENTINEL} terugbellen"
    due_on = datetime.date(2026, 12, 1)


class NetworkSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.NetworkSettings

    zone = factory.SubFactory(ZoneFactory)
    visit_interval_months = 12
