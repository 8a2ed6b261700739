from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkenConfig(AppConfig):
    name = "wijken"
    verbose_name = _("Zones and wijken")

    def ready(self) -> None:
        from . import (
            demo_steps,  # noqa: F401  (registers the demo steps)
            lookup,  # noqa: F401  (connects the signals that expire cached mijn-buurt answers)
        )
        from .models import MANAGER_ROLES, STAFF_ROLES, Role
        from .navigation import register_section

        register_section(
            key="wijken",
            group=_("Wijken"),
            label=_("Wijken"),
            url_name="wijk-list",
            roles=STAFF_ROLES,
            order=10,
            description=_("Wijken on the map, who serves them, the norm of one wijkinspecteur per 4,000 inhabitants."),
        )
        register_section(
            key="assignments",
            group=_("Wijken"),
            label=_("Assignments"),
            url_name="assignment-list",
            roles=MANAGER_ROLES,
            order=15,
            description=_("Who serves which wijk, from when, and who stands in."),
        )
        register_section(
            key="norm",
            group=_("Wijken"),
            label=_("Norm check"),
            url_name="wijk-norm",
            roles=STAFF_ROLES | {Role.BESTUUR},
            order=12,
            description=_(
                "Inhabitants per wijkinspecteur against the norm of one per 4,000, per wijk and for the zone."
            ),
        )
        register_section(
            key="contactpunten",
            group=_("Wijken"),
            label=_("Office hours"),
            url_name="contactpunt-list",
            roles=STAFF_ROLES,
            order=16,
            description=_("Police stations, wijkkantoren and antennepunten with their weekly office hours."),
        )
        register_section(
            key="wijkinspecteurs",
            group=_("Wijken"),
            label=_("Wijkinspecteurs"),
            url_name="wijkinspecteur-list",
            roles=STAFF_ROLES,
            order=17,
            description=_("The profiles citizens see: photo, introduction, languages, how to reach them."),
        )
        register_section(
            key="inbox",
            label=_("Messages"),
            url_name="contact-inbox",
            roles=STAFF_ROLES,
            order=20,
            description=_("Messages citizens sent to a wijkagent from My neighbourhood."),
        )
