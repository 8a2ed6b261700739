"""Forms of the sectorscans pages. They collect and type the input; rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Question, SectorscanSettings, Status

AGREE_CHOICES = [
    ("1", _("Strongly disagree")),
    ("2", _("Disagree")),
    ("3", _("Neutral")),
    ("4", _("Agree")),
    ("5", _("Strongly agree")),
]
SCORE_CHOICES = [(str(i), str(i)) for i in range(11)]
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def answer_field_name(theme_key: str, question_key: str) -> str:
    return f"{theme_key}.{question_key}"


class ScanForm(forms.Form):
    """The questionnaire of one version, theme by theme, plus a problem and note per theme. Field names are
    "theme.question", "problem.theme" and "note.theme", the same keys the service and the API use."""

    date = forms.DateField(label=_("Date of the visit"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        label=_("Notes on the visit"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, themes, previous_results=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = themes
        previous_results = previous_results or {}
        self.fields["date"].initial = timezone.localdate()
        for theme in themes:
            for question in theme.questions.all():
                name = answer_field_name(theme.key, question.key)
                self.fields[name] = self._field_for(question)
            prev = previous_results.get(theme.key)
            # An open problem of the previous scan is carried forward until the wijkinspecteur unticks it.
            self.fields[f"problem.{theme.key}"] = forms.BooleanField(
                label=_("There is a problem with this theme"),
                required=False,
                initial=bool(prev and prev.has_problem),
            )
            self.fields[f"note.{theme.key}"] = forms.CharField(
                label=_("What is the problem?"),
                required=False,
                max_length=2000,
                initial=prev.problem_note if prev and prev.has_problem else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        label = question.text
        required = question.required
        if question.kind == Question.Kind.AGREE_1_5:
            return forms.ChoiceField(label=label, choices=AGREE_CHOICES, required=required, widget=forms.RadioSelect)
        if question.kind == Question.Kind.SCORE_0_10:
            return forms.ChoiceField(label=label, choices=SCORE_CHOICES, required=required, widget=forms.RadioSelect)
        if question.kind == Question.Kind.YES_NO:
            return forms.ChoiceField(label=label, choices=YES_NO_CHOICES, required=required, widget=forms.RadioSelect)
        return forms.CharField(
            label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A scan cannot be dated in the future."))
        return date

    def sections(self):
        """(theme, [bound answer fields], problem field, note field) for the template."""
        for theme in self.themes:
            yield (
                theme,
                [self[answer_field_name(theme.key, q.key)] for q in theme.questions.all()],
                self[f"problem.{theme.key}"],
                self[f"note.{theme.key}"],
            )

    def answers(self) -> dict[str, object]:
        found = {}
        for theme in self.themes:
            for question in theme.questions.all():
                name = answer_field_name(theme.key, question.key)
                value = self.cleaned_data.get(name)
                if value in ("", None):
                    continue
                found[name] = value == "yes" if question.kind == Question.Kind.YES_NO else value
        return found

    def problems(self) -> dict[str, tuple[bool, str]]:
        return {
            t.key: (bool(self.cleaned_data.get(f"problem.{t.key}")), self.cleaned_data.get(f"note.{t.key}", ""))
            for t in self.themes
        }


def statuses_from(data, keys) -> dict[str, str]:
    """The statuses chosen on the review step ("status.<theme key>"); unknown values are left to the service."""
    return {key: data.get(f"status.{key}", "") for key in keys if data.get(f"status.{key}") is not None}


STATUS_CHOICES = Status.choices


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SectorscanSettings
        fields = ["interval_months", "digest_days"]
