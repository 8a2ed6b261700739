"""The one API router. Each app's api.py exposes `register(router)` and, for non-viewset endpoints,
`urlpatterns`; this module collects them so that /api/v1/ lists every endpoint."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_APPS = ["wijken", "partners", "sectorscans", "meldingen", "buurtgesprekken", "rapportage"]

router = DefaultRouter()
urlpatterns = []
for _app in API_APPS:
    try:
        _module = import_module(f"{_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.api":
            raise
        continue
    _module.register(router)
    urlpatterns += getattr(_module, "urlpatterns", [])
urlpatterns += router.urls
