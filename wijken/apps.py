from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkenConfig(AppConfig):
    name = "wijken"
    verbose_name = _("Zones and wijken")

    def ready(self) -> None:
        from . import demo_steps  # noqa: F401  (registers the demo steps)
        from .models import MANAGER_ROLES, STAFF_ROLES
        from .navigation import register_section

        register_section(
            key="wijken",
            label=_("Wijken"),
            url_name="wijk-list",
            roles=STAFF_ROLES,
            order=10,
            description=_("Wijken on the map, who serves them, the norm of one wijkinspecteur per 4,000 inhabitants."),
        )
        register_section(
            key="assignments",
            label=_("Assignments"),
            url_name="assignment-list",
            roles=MANAGER_ROLES,
            order=15,
            description=_("Who serves which wijk, from when, and who stands in."),
        )
        register_section(
            key="inbox",
            label=_("Messages"),
            url_name="contact-inbox",
            roles=STAFF_ROLES,
            order=20,
            description=_("Messages citizens sent to a wijkagent from My neighbourhood."),
        )
