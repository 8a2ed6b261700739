"""Staff API for wijken, wijkinspecteurs, assignments and spreekuren (filled by the staff-pages work)."""

urlpatterns = []


def register(router) -> None:
    pass
