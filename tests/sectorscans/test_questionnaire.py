"""Questionnaire versions: the default in three languages, new versions that leave old answers alone, keys
that stay stable across versions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scope

from sectorscans import services
from sectorscans.defaults import DEFAULT_THEMES
from sectorscans.models import Answer, Question, Questionnaire, Status, Theme

from .conftest import results


def test_default_questionnaire_in_three_languages(world):
    with scope(zone=world.zone.pk):
        q = services.questionnaire_copy_default(zone=world.zone)
        assert q.is_active and q.is_published and q.version == 2
        assert not Questionnaire.objects.get(pk=world.questionnaire.pk).is_active  # only one in use
        themes = list(Theme.objects.filter(questionnaire=q).prefetch_related("questions"))
        assert [t.key for t in themes] == [t[0] for t in DEFAULT_THEMES]
        assert 9 <= len(themes) <= 12
        for theme in themes:
            assert 2 <= theme.questions.count() <= 3
            for question in theme.questions.all():
                assert set(question.texts) == {"nl", "fr", "en"}
        verkeer = themes[0]
        with translation.override("fr"):
            assert verkeer.name == "Circulation"
        with translation.override("nl"):
            assert verkeer.name == "Verkeer"


def test_new_version_leaves_old_answers_untouched_and_keeps_keys(world):
    with scope(zone=world.zone.pk):
        v1 = services.questionnaire_copy_default(zone=world.zone)
    old = take_default(world, v1, datetime.date(2025, 1, 10), level=3)
    with scope(zone=world.zone.pk):
        draft = services.questionnaire_new_version(zone=world.zone, source=v1)
        assert not draft.is_published and draft.copied_from_id == v1.pk
        assert services.questionnaire_is_editable(draft) and not services.questionnaire_is_editable(v1)
        # Adapt the draft: reword and re-score a question, then publish.
        question = Question.objects.get(theme__questionnaire=draft, theme__key="verkeer", key="veilig")
        question.texts = {"en": "Traffic safety, reworded"}
        question.save()
        services.questionnaire_publish(zone=world.zone, questionnaire=draft)
        old_answers = {
            (a.question.theme.key, a.question.key): (a.question_id, a.value_int)
            for a in Answer.objects.filter(scan=old)
        }
        assert {t.key for t in Theme.objects.filter(questionnaire=draft)} == {
            t.key for t in Theme.objects.filter(questionnaire=v1)
        }
    new = take_default(world, draft, datetime.date(2026, 1, 10), level=5)
    with scope(zone=world.zone.pk):
        # The old scan still points at the old version's questions, with the old wording.
        again = Answer.objects.filter(scan=old).select_related("question__theme")
        assert {(a.question.theme.key, a.question.key): (a.question_id, a.value_int) for a in again} == old_answers
        veilig = Answer.objects.get(scan=old, question__key="veilig", question__theme__key="verkeer").question
        assert veilig.theme.questionnaire_id == v1.pk
        assert veilig.texts["en"].startswith("How safe")
        assert new.questionnaire_id == draft.pk and new.previous_id == old.pk
    # The comparison crosses versions by theme key.
    assert results(new)["verkeer"].computed_status == Status.IMPROVED


def test_scans_need_a_published_questionnaire(world):
    with scope(zone=world.zone.pk):
        draft = services.questionnaire_new_version(zone=world.zone, source=world.questionnaire)
        with pytest.raises(ValidationError):
            services.scan_take(
                zone=world.zone,
                contact=world.contact1,
                wijkinspecteur=world.alice_wi,
                by=None,
                date=datetime.date(2025, 1, 1),
                answers={},
                questionnaire=draft,
            )


def take_default(world, questionnaire, date, level: int):
    """Answer every scored question of the default questionnaire at a level 1..5 (5 the good end)."""
    with scope(zone=world.zone.pk):
        answers = {}
        for theme in Theme.objects.filter(questionnaire=questionnaire).prefetch_related("questions"):
            for q in theme.questions.all():
                good = level if q.higher_is_better else 6 - level
                if q.kind == Question.Kind.AGREE_1_5:
                    answers[f"{theme.key}.{q.key}"] = good
                elif q.kind == Question.Kind.SCORE_0_10:
                    answers[f"{theme.key}.{q.key}"] = (good - 1) * 2 + 2
                elif q.kind == Question.Kind.YES_NO:
                    answers[f"{theme.key}.{q.key}"] = good >= 3
        return services.scan_take(
            zone=world.zone,
            contact=world.contact1,
            wijkinspecteur=world.alice_wi,
            by=None,
            date=date,
            answers=answers,
            questionnaire=questionnaire,
        )
