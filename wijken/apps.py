from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WijkenConfig(AppConfig):
    name = "wijken"
    verbose_name = _("Zones and wijken")

    def ready(self) -> None:
        from . import demo_steps  # noqa: F401  (registers the demo steps)
