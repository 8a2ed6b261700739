"""Demo step of the sectorscans app: the default questionnaire in two versions and two years of scans of the
partner contacts that exist, with believable trends (seeded, so every run gives the same data):

- the first wijk (by code) improves on traffic, the second worsens on drugs and nuisance;
- nuisance and youth nuisance are worse in summer, lighting in winter;
- every contact is visited about once a year, some are late, a few were never visited.
"""

from __future__ import annotations

import datetime
import math
import random

from django.utils import timezone
from django_scopes import scope

from partners.models import ContactPerson
from wijken.demo import DemoContext, demo_step
from wijken.models import Assignment, Wijkinspecteur, Zone

from .models import Question, Questionnaire, Scan, Status, Theme
from .services import (
    questionnaire_copy_default,
    questionnaire_new_version,
    questionnaire_publish,
    scan_confirm,
    scan_take,
)

PROBLEM_NOTES = {
    "verkeer": "Sluipverkeer en te hoge snelheid in de schoolomgeving.",
    "overlast": "Geluidsoverlast 's avonds rond het plein.",
    "jeugdoverlast": "Groep jongeren hangt rond aan het speelplein, vuurwerk.",
    "inbraak": "Meerdere woninginbraken in de straat.",
    "drugs": "Dealen aan de achteringang, spuiten gevonden.",
    "vandalisme": "Bushokje en fietsenstalling vernield.",
    "zwerfvuil": "Sluikstort aan de glasbol.",
    "verlichting": "Straatlampen in de steeg al weken kapot.",
    "sociale_cohesie": "Weinig contact tussen nieuwe en oude bewoners.",
    "veiligheidsgevoel": "Bewoners voelen zich 's avonds onveilig.",
}


def _level(rng: random.Random, theme: str, wijk_rank: int, years: float, month: int) -> float:
    """How good (0..1) a theme is in a wijk at a moment: a base, a trend per wijk, the season and noise."""
    level = 0.66 + (0.04 if wijk_rank % 3 == 2 else 0.0)
    if wijk_rank == 0 and theme == "verkeer":
        level += -0.22 + 0.20 * years  # traffic measures take effect
    if wijk_rank == 1 and theme in ("drugs", "overlast"):
        level += 0.05 - 0.17 * years  # a dealing spot settles in
    summer = math.cos((month - 7) / 12 * 2 * math.pi)  # 1 in July, -1 in January
    if theme in ("overlast", "jeugdoverlast"):
        level -= 0.07 * summer
    if theme == "verlichting":
        level += 0.07 * summer
    return min(1.0, max(0.0, level + rng.gauss(0, 0.07)))


def _answer(rng: random.Random, question: Question, level: float):
    x = level if question.higher_is_better else 1 - level
    if question.kind == Question.Kind.SCORE_0_10:
        return max(0, min(10, round(10 * x + rng.gauss(0, 0.6))))
    if question.kind == Question.Kind.AGREE_1_5:
        return max(1, min(5, round(1 + 4 * x + rng.gauss(0, 0.4))))
    if question.kind == Question.Kind.YES_NO:
        return "yes" if rng.random() < x else "no"
    return "Meer blauw op straat en betere verlichting." if rng.random() < 0.15 else None


def _questionnaires(zone: Zone, switch_on: datetime.date) -> tuple[Questionnaire, Questionnaire]:
    """Version 1 (the default) and version 2 (a copy, published a year ago): scans on both compare by key."""
    versions = list(Questionnaire.objects.filter(zone=zone).order_by("version"))
    if not versions:
        first = questionnaire_copy_default(zone=zone)
        draft = questionnaire_new_version(zone=zone, source=first)
        # The second version rewords one question; keys stay, so comparisons run across the versions.
        question = Question.objects.get(theme__questionnaire=draft, theme__key="verlichting", key="voldoende")
        question.texts = {**question.texts, "nl": "De straatverlichting is voldoende, ook in zijstraten."}
        question.save(update_fields=["texts"])
        questionnaire_publish(zone=zone, questionnaire=draft)
        published = timezone.make_aware(datetime.datetime.combine(switch_on, datetime.time(9)))
        Questionnaire.objects.filter(pk=first.pk).update(published_at=published - datetime.timedelta(days=365))
        Questionnaire.objects.filter(pk=draft.pk).update(published_at=published)
        versions = [first, draft]
    return versions[0], versions[-1]


def _inspecteur_by_wijk(zone: Zone) -> tuple[dict[int, Wijkinspecteur], Wijkinspecteur | None]:
    found = {}
    for a in Assignment.objects.active().filter(zone=zone).select_related("wijkinspecteur").order_by("role", "pk"):
        found.setdefault(a.wijk_id, a.wijkinspecteur)
    return found, Wijkinspecteur.objects.filter(zone=zone, is_active=True).order_by("pk").first()


@demo_step(60, "sectorscans")
def load_sectorscans(ctx: DemoContext) -> None:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=730)
    for zone in Zone.objects.filter(slug__in=["oostende", "deventer"]).order_by("slug"):
        with scope(zone=zone.pk):
            first, second = _questionnaires(zone, today - datetime.timedelta(days=365))
            if Scan.objects.filter(zone=zone).exists():
                ctx.summary.append(f"sectorscans {zone.name}: {Scan.objects.filter(zone=zone).count()} (kept)")
                continue
            contacts = list(
                ContactPerson.objects.filter(zone=zone, is_active=True, partner__wijk__isnull=False)
                .select_related("partner")
                .order_by("partner__wijk__code", "partner__name", "pk")
            )
            by_wijk, fallback = _inspecteur_by_wijk(zone)
            if not contacts or (fallback is None and not by_wijk):
                ctx.summary.append(f"sectorscans {zone.name}: no partner contacts or wijkinspecteurs yet, no scans")
                continue
            wijk_rank = {w: i for i, w in enumerate(sorted({c.partner.wijk_id for c in contacts}))}
            themes = {
                q.pk: list(Theme.objects.filter(questionnaire=q).prefetch_related("questions")) for q in (first, second)
            }
            rng = random.Random(f"sectorscans-{zone.slug}")
            made = 0
            for contact in contacts:
                kind = rng.random()
                if kind < 0.08:
                    continue  # never visited yet
                inspecteur = by_wijk.get(contact.partner.wijk_id) or fallback
                day = start + datetime.timedelta(days=rng.randint(0, 320))
                late = kind > 0.82  # these fall behind: overdue now
                while day <= today:
                    questionnaire = first if day < today - datetime.timedelta(days=365) else second
                    years = (day - start).days / 365
                    answers, problems = {}, {}
                    for theme in themes[questionnaire.pk]:
                        level = _level(rng, theme.key, wijk_rank[contact.partner.wijk_id], years, day.month)
                        for question in theme.questions.all():
                            value = _answer(rng, question, level)
                            if value is not None:
                                answers[f"{theme.key}.{question.key}"] = value
                        if level < 0.45 or (level < 0.55 and rng.random() < 0.3):
                            problems[theme.key] = (True, PROBLEM_NOTES.get(theme.key, ""))
                    scan = scan_take(
                        zone=zone,
                        contact=contact,
                        wijkinspecteur=inspecteur,
                        by=inspecteur.user,
                        date=day,
                        answers=answers,
                        problems=problems,
                        notes="Sectorscan tijdens het jaarlijkse bezoek.",
                        questionnaire=questionnaire,
                    )
                    if rng.random() < 0.1:
                        # Now and then the wijkinspecteur corrects a computed status from what was said.
                        result = scan.theme_results.order_by("theme_key").first()
                        if result and result.computed_status == Status.UNCHANGED:
                            scan_confirm(zone=zone, scan=scan, statuses={result.theme_key: Status.IMPROVED})
                    made += 1
                    day += datetime.timedelta(days=365 + rng.randint(-45, 30) + (150 if late else 0))
            ctx.summary.append(f"sectorscans {zone.name}: {made} scans of {len(contacts)} contacts")
