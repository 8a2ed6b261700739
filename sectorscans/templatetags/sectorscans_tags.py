from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

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


@register.simple_tag
def due_badge(row):
    """The coverage state of a contact as a badge (a tag, not an include: coverage lists render hundreds)."""
    due = date_format(row.due_on, "SHORT_DATE_FORMAT") if row.due_on else ""
    if row.state == "never":
        return format_html('<span class="badge text-bg-warning text-nowrap">{}</span>', _("Never scanned"))
    if row.state == "overdue":
        text = _("Overdue since %(due)s") % {"due": due}
        return format_html('<span class="badge text-bg-danger text-nowrap">{}</span>', text)
    if row.state == "due":
        return format_html('<span class="badge text-bg-info text-nowrap">{}</span>', _("Due %(due)s") % {"due": due})
    return format_html('<span class="badge text-bg-success">{}</span>', _("Up to date"))


def _change_class(change) -> str:
    if change is None:
        return ""
    if change >= 1:
        return "text-success"
    if change <= -1:
        return "text-danger"
    return "text-body-secondary"


@register.simple_tag
def figure_cell(cell):
    """One cell of the figures table: mean (change) · share with a problem (change) · n. A tag, not an include:
    the table has wijken x themes cells."""
    if cell is None or not cell.n:
        earlier = ""
        if cell is not None and cell.prev_n:
            earlier = format_html("<br>{}", _("earlier n=%(n)s") % {"n": cell.prev_n})
        return format_html('<td class="text-nowrap"><span class="text-body-secondary">–{}</span></td>', earlier)
    mean = "–" if cell.mean is None else cell.mean
    change_mean = (
        format_html(' <span class="{}">({})</span>', _change_class(cell.change_mean), signed(cell.change_mean))
        if cell.change_mean is not None
        else ""
    )
    share = "–" if cell.share is None else f"{cell.share}%"
    change_share = (
        format_html(' <span class="text-body-secondary">({})</span>', signed(cell.change_share))
        if cell.change_share is not None
        else ""
    )
    return format_html(
        '<td class="text-nowrap"><span class="fw-semibold">{}</span>{}<br><span title="{}">{}</span>{}<br>'
        '<span class="text-body-secondary">n={}</span></td>',
        mean,
        change_mean,
        _("share of contacts reporting a problem"),
        share,
        change_share,
        cell.n,
    )
