from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuurtgesprekkenConfig(AppConfig):
    name = "buurtgesprekken"
    verbose_name = _("Buurtgesprekken")
