"""Public mijn-buurt API (filled by the mijn-buurt work)."""

urlpatterns = []


def register(router) -> None:
    pass
