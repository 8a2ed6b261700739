"""Writes and use cases of the sectorscans app (keyword-only, validated, atomic)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partners.models import ContactPerson, Visit
from partners.services import visit_log
from wijken.models import Wijkinspecteur, Zone
from wijken.selectors import wijken_served_per_wijkinspecteur

from .defaults import DEFAULT_NAME, DEFAULT_THEMES
from .models import (
    Answer,
    DigestRun,
    Question,
    Questionnaire,
    Scan,
    SectorscanSettings,
    Status,
    Theme,
    ThemeResult,
    localized,
)

# A theme's score (0..1) must move by at least this much (10 % of the scale) to count as improved or worse.
SCORE_THRESHOLD = 0.10
_EPSILON = 1e-9


# --- Settings -------------------------------------------------------------------------------------------


def settings_for(*, zone: Zone) -> SectorscanSettings:
    """The zone's coverage settings; the defaults (12 months, 30 days) until a beheerder changes them."""
    found = SectorscanSettings.objects.filter(zone=zone).first()
    return found or SectorscanSettings(zone=zone)


@transaction.atomic
def settings_update(*, zone: Zone, interval_months: int, digest_days: int) -> SectorscanSettings:
    obj = SectorscanSettings.objects.filter(zone=zone).first() or SectorscanSettings(zone=zone)
    obj.interval_months = interval_months
    obj.digest_days = digest_days
    obj.full_clean()
    obj.save()
    return obj


# --- Questionnaires -------------------------------------------------------------------------------------


def _next_version(zone: Zone) -> int:
    return (Questionnaire.objects.filter(zone=zone).aggregate(v=Max("version"))["v"] or 0) + 1


def _activate(zone: Zone, questionnaire: Questionnaire) -> None:
    Questionnaire.objects.filter(zone=zone, is_active=True).exclude(pk=questionnaire.pk).update(is_active=False)
    questionnaire.is_active = True
    if questionnaire.published_at is None:
        questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["is_active", "published_at"])


@transaction.atomic
def questionnaire_copy_default(*, zone: Zone, by: AbstractBaseUser | None = None) -> Questionnaire:
    """Install the default questionnaire (nl/fr/en) as the zone's newest version, published and in use."""
    language = (zone.languages or [settings.LANGUAGE_CODE])[0]
    questionnaire = Questionnaire(
        zone=zone, name=localized(DEFAULT_NAME, language), version=_next_version(zone), created_by=by
    )
    questionnaire.full_clean()
    questionnaire.save()
    for t_order, (key, names, questions) in enumerate(DEFAULT_THEMES, start=1):
        theme = Theme.objects.create(zone=zone, questionnaire=questionnaire, key=key, names=names, order=t_order * 10)
        Question.objects.bulk_create(
            Question(
                zone=zone,
                theme=theme,
                key=q_key,
                kind=kind,
                texts=texts,
                order=q_order * 10,
                higher_is_better=higher,
                counts_for_theme_score=counts,
            )
            for q_order, (q_key, kind, texts, higher, counts) in enumerate(questions, start=1)
        )
    _activate(zone, questionnaire)
    return questionnaire


@transaction.atomic
def questionnaire_new_version(
    *, zone: Zone, source: Questionnaire, by: AbstractBaseUser | None = None
) -> Questionnaire:
    """A draft copy of a version, to be adapted (admin) and then published. Theme and question keys are kept,
    so comparisons continue across versions; the source and its answers stay untouched."""
    draft = Questionnaire(
        zone=zone, name=source.name, version=_next_version(zone), copied_from=source, created_by=by, is_active=False
    )
    draft.full_clean()
    draft.save()
    themes = list(Theme.objects.filter(questionnaire=source).prefetch_related("questions"))
    for theme in themes:
        copy = Theme.objects.create(
            zone=zone, questionnaire=draft, key=theme.key, names=dict(theme.names), order=theme.order
        )
        Question.objects.bulk_create(
            Question(
                zone=zone,
                theme=copy,
                key=q.key,
                kind=q.kind,
                texts=dict(q.texts),
                order=q.order,
                higher_is_better=q.higher_is_better,
                counts_for_theme_score=q.counts_for_theme_score,
                required=q.required,
            )
            for q in theme.questions.all()
        )
    return draft


@transaction.atomic
def questionnaire_publish(*, zone: Zone, questionnaire: Questionnaire) -> Questionnaire:
    """Publish a version (immutable from now on) and use it for new scans."""
    if not Question.objects.filter(theme__questionnaire=questionnaire).exists():
        raise ValidationError({"questionnaire": _("A questionnaire without questions cannot be published.")})
    _activate(zone, questionnaire)
    return questionnaire


def questionnaire_is_editable(questionnaire: Questionnaire) -> bool:
    """Published versions are immutable: answers given under them must keep meaning what they meant."""
    return questionnaire.published_at is None


def active_questionnaire(*, zone: Zone) -> Questionnaire | None:
    return Questionnaire.objects.filter(zone=zone, is_active=True).first()


# --- Comparison -----------------------------------------------------------------------------------------


def compare(*, previous: ThemeResult | None, score: float | None, has_problem: bool) -> str:
    """The status of a theme against the contact's previous scan (the pages show the same rules):

    - no previous result for the theme: new;
    - a problem noted last time and not now: solved;
    - a problem now that was not there last time: worse;
    - otherwise the score decides: up by >= 10 % of the scale improved, down by >= 10 % worse, else unchanged.
    """
    if previous is None:
        return Status.NEW
    if previous.has_problem and not has_problem:
        return Status.SOLVED
    if has_problem and not previous.has_problem:
        return Status.WORSE
    if score is not None and previous.score is not None:
        delta = score - previous.score
        if delta >= SCORE_THRESHOLD - _EPSILON:
            return Status.IMPROVED
        if delta <= -SCORE_THRESHOLD + _EPSILON:
            return Status.WORSE
    return Status.UNCHANGED


@dataclass
class ThemeOutcome:
    theme: Theme
    score: float | None
    has_problem: bool
    problem_note: str
    previous: ThemeResult | None
    computed_status: str
    answers: list[tuple[Question, object]]

    @property
    def score10(self) -> float | None:
        return None if self.score is None else round(self.score * 10, 1)


def previous_scan(*, contact: ContactPerson, before: datetime.date, exclude_pk: int | None = None) -> Scan | None:
    """The contact's latest scan up to `before` (for an existing scan: the one before it)."""
    qs = Scan.objects.filter(contact=contact)
    if exclude_pk:
        qs = qs.filter(Q(date__lt=before) | Q(date=before, pk__lt=exclude_pk))
    else:
        qs = qs.filter(date__lte=before)
    return qs.order_by("-date", "-pk").first()


def _clean_value(question: Question, raw):
    """Turn a raw answer (form or JSON) into a typed value, or raise with a message the user can act on."""
    if raw is None or raw == "":
        return None
    if question.kind == Question.Kind.TEXT:
        return str(raw).strip()[:2000]
    if question.kind == Question.Kind.YES_NO:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "ja", "oui", "on"}:
            return True
        if text in {"0", "false", "no", "nee", "non", "off"}:
            return False
        raise ValueError(_("Answer yes or no."))
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(_("Enter a whole number.")) from None
    low, high = (1, 5) if question.kind == Question.Kind.AGREE_1_5 else (0, 10)
    if not low <= value <= high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def scan_evaluate(
    *,
    zone: Zone,
    questionnaire: Questionnaire,
    contact: ContactPerson,
    date: datetime.date,
    answers: Mapping[str, object],
    problems: Mapping[str, tuple[bool, str]],
    exclude_pk: int | None = None,
) -> tuple[list[ThemeOutcome], Scan | None]:
    """Validate the answers (keyed "theme.question") and compute every theme's score and status against the
    contact's previous scan, without saving. Used for the review step and by scan_take."""
    themes = list(Theme.objects.filter(questionnaire=questionnaire).prefetch_related("questions"))
    known = {f"{t.key}.{q.key}" for t in themes for q in t.questions.all()}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["answers"] = [_("Unknown questions: %(keys)s") % {"keys": ", ".join(unknown)}]
    unknown_themes = sorted(set(problems) - {t.key for t in themes})
    if unknown_themes:
        errors["problems"] = [_("Unknown themes: %(keys)s") % {"keys": ", ".join(unknown_themes)}]
    previous = previous_scan(contact=contact, before=date, exclude_pk=exclude_pk)
    prev_results = {r.theme_key: r for r in previous.theme_results.all()} if previous else {}
    outcomes = []
    for theme in themes:
        typed = []
        normalised = []
        for question in theme.questions.all():
            key = f"{theme.key}.{question.key}"
            try:
                value = _clean_value(question, answers.get(key))
            except ValueError as exc:
                errors[key] = [str(exc)]
                continue
            if value is None and question.required:
                errors[key] = [_("This question needs an answer.")]
            typed.append((question, value))
            x = question.normalise(value)
            if x is not None:
                normalised.append(x)
        score = sum(normalised) / len(normalised) if normalised else None
        has_problem, note = problems.get(theme.key, (False, ""))
        prev = prev_results.get(theme.key)
        note = (note or "").strip()
        if has_problem and not note and prev is not None and prev.has_problem:
            note = prev.problem_note  # carried forward until solved
        status = compare(previous=prev, score=score, has_problem=bool(has_problem))
        outcomes.append(ThemeOutcome(theme, score, bool(has_problem), note, prev, status, typed))
    if errors:
        raise ValidationError(errors)
    return outcomes, previous


def _check_statuses(statuses: Mapping[str, str], keys: set[str]) -> None:
    errors = {}
    for key, value in statuses.items():
        if key not in keys:
            errors.setdefault("statuses", []).append(_("Unknown theme: %(key)s") % {"key": key})
        elif value and value not in Status.values:
            errors.setdefault("statuses", []).append(_("Unknown status: %(value)s") % {"value": value})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scan_take(
    *,
    zone: Zone,
    contact: ContactPerson,
    wijkinspecteur: Wijkinspecteur,
    by: AbstractBaseUser | None,
    date: datetime.date,
    answers: Mapping[str, object],
    problems: Mapping[str, tuple[bool, str]] | None = None,
    statuses: Mapping[str, str] | None = None,
    notes: str = "",
    questionnaire: Questionnaire | None = None,
) -> Scan:
    """Record a sectorscan: log the visit (partners.visit_log), store the answers and one result per theme
    with its status against the previous scan. `statuses` are the wijkinspecteur's confirmations or
    corrections per theme key."""
    problems = problems or {}
    statuses = statuses or {}
    questionnaire = questionnaire or active_questionnaire(zone=zone)
    if questionnaire is None:
        raise ValidationError({"questionnaire": _("This zone has no questionnaire in use yet.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("A scan cannot be dated in the future.")})
    if not contact.is_active:
        raise ValidationError({"contact": _("This contact person is no longer active.")})
    outcomes, previous = scan_evaluate(
        zone=zone, questionnaire=questionnaire, contact=contact, date=date, answers=answers, problems=problems
    )
    _check_statuses(statuses, {o.theme.key for o in outcomes})
    partner = contact.partner
    visit = visit_log(
        zone=zone,
        partner=partner,
        wijkinspecteur=wijkinspecteur,
        by=by,
        date=date,
        kind=Visit.Kind.SECTORSCAN,
        contacts=[contact],
        notes=notes,
    )
    scan = Scan(
        zone=zone,
        questionnaire=questionnaire,
        contact=contact,
        partner=partner,
        wijk_id=partner.wijk_id,
        visit=visit,
        wijkinspecteur=wijkinspecteur,
        date=date,
        notes=notes,
        previous=previous,
        created_by=by,
    )
    scan.full_clean()
    scan.save()
    answer_rows = []
    result_rows = []
    for o in outcomes:
        for question, value in o.answers:
            if value is None:
                continue
            row = Answer(zone=zone, scan=scan, question=question)
            if question.kind == Question.Kind.TEXT:
                row.value_text = value
            elif question.kind == Question.Kind.YES_NO:
                row.value_bool = value
            else:
                row.value_int = value
            answer_rows.append(row)
        result_rows.append(
            ThemeResult(
                zone=zone,
                scan=scan,
                theme_key=o.theme.key,
                date=date,
                wijk_id=partner.wijk_id,
                contact=contact,
                score=o.score,
                has_problem=o.has_problem,
                problem_note=o.problem_note,
                computed_status=o.computed_status,
                confirmed_status=statuses.get(o.theme.key, ""),
                carried_forward_from=o.previous if (o.has_problem and o.previous and o.previous.has_problem) else None,
            )
        )
    Answer.objects.bulk_create(answer_rows)
    ThemeResult.objects.bulk_create(result_rows)
    return scan


@transaction.atomic
def scan_confirm(*, zone: Zone, scan: Scan, statuses: Mapping[str, str]) -> Scan:
    """The wijkinspecteur confirms (same status) or corrects (another status) the computed status per theme;
    an empty value withdraws the confirmation."""
    results = {r.theme_key: r for r in ThemeResult.objects.filter(scan=scan)}
    _check_statuses(statuses, set(results))
    for key, value in statuses.items():
        results[key].confirmed_status = value or ""
    ThemeResult.objects.bulk_update([results[k] for k in statuses], ["confirmed_status"])
    return scan


# --- Digest ---------------------------------------------------------------------------------------------


def digest_send(*, zone: Zone, on: datetime.date | None = None) -> int:
    """E-mail every wijkinspecteur the contacts of their wijken that fall due in the next `digest_days`
    (overdue and never-scanned ones included). One claimed DigestRun row per zone, wijkinspecteur and day
    makes a repeated run send nothing twice. Returns the number of e-mails sent."""
    from .selectors import coverage_rows

    on = on or timezone.localdate()
    conf = settings_for(zone=zone)
    horizon = on + datetime.timedelta(days=conf.digest_days)
    language = (zone.languages or [settings.LANGUAGE_CODE])[0]
    sent = 0
    inspecteurs = {w.pk: w for w in Wijkinspecteur.objects.filter(is_active=True).select_related("user")}
    for wi_pk, wijk_ids in wijken_served_per_wijkinspecteur(on=on).items():
        inspecteur = inspecteurs.get(wi_pk)
        address = inspecteur and (inspecteur.email or (inspecteur.user.email if inspecteur.user else ""))
        if not address:
            continue
        rows = coverage_rows(zone=zone, wijk_ids=wijk_ids, due_before=horizon, on=on, settings=conf)
        if not rows:
            continue
        try:
            with transaction.atomic():
                run, _created = DigestRun.objects.get_or_create(zone=zone, wijkinspecteur=inspecteur, date=on)
        except IntegrityError:  # a concurrent run inserted it first; the claim below decides
            run = DigestRun.objects.get(zone=zone, wijkinspecteur=inspecteur, date=on)
        claimed = DigestRun.objects.filter(pk=run.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), items=len(rows)
        )
        if not claimed:
            continue
        with translation.override(language):
            context = {
                "zone": zone,
                "inspecteur": inspecteur,
                "rows": rows,
                "overdue": [r for r in rows if r.state == "overdue"],
                "horizon": horizon,
                "site_url": settings.SITE_URL,
            }
            subject = render_to_string("sectorscans/email/digest_subject.txt", context).strip()
            body = render_to_string("sectorscans/email/digest_body.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:
            DigestRun.objects.filter(pk=run.pk).update(sent_at=None)  # release the claim for the retry
            raise
        sent += 1
    return sent
