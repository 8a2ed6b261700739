from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SectorscansConfig(AppConfig):
    name = "sectorscans"
    verbose_name = _("Sectorscans")
