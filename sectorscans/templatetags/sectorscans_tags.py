from django import template
from django.utils.html import format_html

from ..models import Status

register = template.Library()

STATUS_STYLE = {
    Status.NEW: ("text-bg-info", "bi-stars"),
    Status.UNCHANGED: ("text-bg-secondary", "bi-dash-lg"),
    Status.IMPROVED: ("text-bg-success", "bi-arrow-up"),
    Status.SOLVED: ("text-bg-success", "bi-check2-circle"),
    Status.WORSE: ("text-bg-danger", "bi-arrow-down"),
}


@register.simple_tag
def status_badge(status: str):
    """A coloured badge with an icon and the status label, so that colour is never the only signal."""
    if not status:
        return ""
    css, icon = STATUS_STYLE.get(status, ("text-bg-light", "bi-question"))
    return format_html(
        '<span class="badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>', css, icon, Status(status).label
    )


@register.filter
def signed(value):
    """+1.2 / −0.5 / 0 for changes; an empty string when there is nothing to compare."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{abs(value)}"
    return "±0"


@register.filter
def score10(value):
    if not isinstance(value, int | float):
        return "–"  # no score: no previous result, or a theme without scored answers
    return round(value * 10, 1)
