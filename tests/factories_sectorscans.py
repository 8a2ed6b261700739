"""Factories of the sectorscans app (see tests/factories.py)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from sectorscans import models as sm
from tests.factories import SENTINEL, WijkinspecteurFactory, ZoneFactory
from tests.factories_partners import ContactPersonFactory


class SectorscanSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.SectorscanSettings

    zone = factory.SubFactory(ZoneFactory)
    interval_months = 12
    digest_days = 30
    note = f"{SENTINEL} instelling"


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Questionnaire

    zone = factory.SubFactory(ZoneFactory)
    name = f"{SENTINEL} vragenlijst"
    version = factory.Sequence(lambda n: n + 1)
    published_at = factory.LazyFunction(timezone.now)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Theme

    zone = factory.SubFactory(ZoneFactory)
    questionnaire = factory.SubFactory(QuestionnaireFactory, zone=factory.SelfAttribute("..zone"))
    key = factory.Sequence(lambda n: f"thema-{n}")
    names = factory.LazyFunction(
        lambda: {"nl": f"{SENTINEL} thema", "fr": f"{SENTINEL} thème", "en": f"{SENTINEL} theme"}
    )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Question

    zone = factory.SubFactory(ZoneFactory)
    theme = factory.SubFactory(ThemeFactory, zone=factory.SelfAttribute("..zone"))
    key = factory.Sequence(lambda n: f"vraag-{n}")
    kind = sm.Question.Kind.SCORE_0_10
    texts = factory.LazyFunction(
        lambda: {"nl": f"{SENTINEL} vraag", "fr": f"{SENTINEL} question", "en": f"{SENTINEL} question"}
    )


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Scan

    zone = factory.SubFactory(ZoneFactory)
    questionnaire = factory.SubFactory(QuestionnaireFactory, zone=factory.SelfAttribute("..zone"))
    contact = factory.SubFactory(ContactPersonFactory, zone=factory.SelfAttribute("..zone"))
    partner = factory.SelfAttribute("contact.partner")
    wijk = factory.SelfAttribute("partner.wijk")
    wijkinspecteur = factory.SubFactory(WijkinspecteurFactory, zone=factory.SelfAttribute("..zone"))
    date = datetime.date(2026, 3, 1)
    notes = f"{SENTINEL} scan"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.Answer

    zone = factory.SubFactory(ZoneFactory)
    scan = factory.SubFactory(ScanFactory, zone=factory.SelfAttribute("..zone"))
    question = factory.SubFactory(QuestionFactory, zone=factory.SelfAttribute("..zone"), kind=sm.Question.Kind.TEXT)
    value_text = f"{SENTINEL} antwoord"


class ThemeResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.ThemeResult

    zone = factory.SubFactory(ZoneFactory)
    scan = factory.SubFactory(ScanFactory, zone=factory.SelfAttribute("..zone"))
    theme_key = factory.Sequence(lambda n: f"thema-{n}")
    date = factory.SelfAttribute("scan.date")
    wijk = factory.SelfAttribute("scan.wijk")
    contact = factory.SelfAttribute("scan.contact")
    score = 0.6
    has_problem = True
    problem_note = f"{SENTINEL} probleem"
    computed_status = sm.Status.NEW


class DigestRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sm.DigestRun

    zone = factory.SubFactory(ZoneFactory)
    wijkinspecteur = factory.SubFactory(WijkinspecteurFactory, zone=factory.SelfAttribute("..zone"))
    date = datetime.date(2026, 3, 2)
