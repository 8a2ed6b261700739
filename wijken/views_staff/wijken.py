"""Wijken with who serves them today, one wijk, and the norm check."""

from __future__ import annotations

import json

from django.urls import reverse
from django.views.generic import DetailView, TemplateView

from .. import selectors
from ..filters import WijkFilter
from ..models import STAFF_ROLES, Wijk
from ..tenancy import ZoneViewMixin
from .common import NORM_ROLES, STATUS_COLORS, ManagerMixin


class WijkListView(ZoneViewMixin, ManagerMixin, TemplateView):
    """All current wijken grouped by politiewijk, on a map and in a table with who serves them today."""

    template_name = "wijken/staff/wijk_list.html"
    allowed_roles = STAFF_ROLES

    def get_context_data(self, **kwargs):
        filterset = WijkFilter(self.request.GET or None, queryset=Wijk.objects.all(), request=self.request)
        wijken = filterset.qs if filterset.is_bound and filterset.is_valid() else Wijk.objects.all()
        overview = selectors.wijk_overview(wijken=wijken, with_geometry=True)
        only_shortfall = self.request.GET.get("shortfall") == "1"
        if only_shortfall:
            for group in overview.groups:
                group.rows = [r for r in group.rows if r.norm.status == selectors.NormStatus.SHORTFALL]
            overview.groups = [g for g in overview.groups if g.rows]
        features = []
        for row in overview.rows:
            if row.geojson:
                status = row.norm.status
                features.append(
                    {
                        "type": "Feature",
                        "geometry": json.loads(row.geojson),
                        "properties": {
                            "label": f"{row.wijk.code} · {row.wijk.name}",
                            "url": reverse("wijk-detail", args=[row.wijk.pk]),
                            "color": STATUS_COLORS[status],
                        },
                    }
                )
        return super().get_context_data(
            filterset=filterset,
            overview=overview,
            only_shortfall=only_shortfall,
            features={"type": "FeatureCollection", "features": features},
            **kwargs,
        )


class WijkDetailView(ZoneViewMixin, ManagerMixin, DetailView):
    model = Wijk
    template_name = "wijken/staff/wijk_detail.html"
    context_object_name = "wijk"
    allowed_roles = STAFF_ROLES

    def get_queryset(self):
        return Wijk.objects.select_related("parent")

    def get_context_data(self, **kwargs):
        wijk = self.object
        overview = selectors.wijk_overview(wijken=Wijk.objects.filter(pk=wijk.pk))
        row = next((r for r in overview.rows if r.wijk.pk == wijk.pk), None)
        if row is None and overview.groups and overview.groups[0].politiewijk:
            row = overview.groups[0].politiewijk
        return super().get_context_data(row=row, **selectors.wijk_detail(wijk=wijk), **kwargs)


class NormView(ZoneViewMixin, TemplateView):
    """Inhabitants per wijkinspecteur against the norm. Aggregates only (no officer names), so the bestuur
    may see it too."""

    template_name = "wijken/staff/norm.html"
    allowed_roles = NORM_ROLES

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            overview=selectors.norm_check(),
            per_inhabitants=selectors.INHABITANTS_PER_WIJKINSPECTEUR,
            tolerance=selectors.NORM_TOLERANCE_FTE,
            **kwargs,
        )
