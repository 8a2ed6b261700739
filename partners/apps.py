from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from wijken.models import STAFF_ROLES
        from wijken.navigation import register_action, register_section

        from . import (
            demo_steps,  # noqa: F401  (registers the demo step)
            signals,  # noqa: F401  (connects the receivers of wijken's signals)
        )
        from .permissions import EDIT_ROLES

        register_section(
            group=_("Network"),
            key="partners",
            label=_("Partners"),
            url_name="partners:list",
            roles=STAFF_ROLES,
            order=30,
            description=_("The partner network of every wijk: organisations, contact persons, visits and what is due."),
        )
        register_action(
            key="visit-log", label=_("Log a visit"), url_name="partners:visit-pick", roles=EDIT_ROLES, order=10
        )
        register_section(
            group=_("Network"),
            key="visit-log",
            label=_("Log a visit"),
            url_name="partners:visit-pick",
            roles=EDIT_ROLES,
            order=31,
            description=_("Log a partner visit in two screens, from your phone in the street."),
        )
