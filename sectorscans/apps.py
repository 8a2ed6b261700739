from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorscansConfig(AppConfig):
    name = "sectorscans"
    verbose_name = _("Sectorscans")

    def ready(self) -> None:
        from wijken.models import EDIT_ROLES, STAFF_ROLES, Role
        from wijken.navigation import register_action, register_section

        from . import demo_steps  # noqa: F401  (registers the demo step)

        register_action(
            key="take-sectorscan", label=_("Take a sectorscan"), url_name="sectorscans:take", roles=EDIT_ROLES, order=20
        )
        register_section(
            group=_("Sectorscans"),
            key="sectorscans",
            label=_("Sectorscans"),
            url_name="sectorscans:scan-list",
            roles=STAFF_ROLES,
            order=40,
            description=_("Take a sectorscan with a partner contact and compare it with the previous one."),
        )
        register_section(
            group=_("Sectorscans"),
            key="sectorscan-coverage",
            label=_("Coverage"),
            url_name="sectorscans:coverage",
            roles=STAFF_ROLES,
            order=41,
            description=_(
                "Which contacts are due or overdue for their yearly sectorscan, per wijkinspecteur and wijk."
            ),
        )
        register_section(
            group=_("Sectorscans"),
            key="sectorscan-figures",
            label=_("Figures"),
            url_name="sectorscans:figures",
            roles=STAFF_ROLES | {Role.BESTUUR},
            order=42,
            description=_("Sectorscan results per wijk and period: scores, problems and trends, on a map."),
        )
