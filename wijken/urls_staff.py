"""Staff pages of wijken, wijkinspecteurs, assignments, contactpunten and spreekuren (mounted at the root)."""

from django.urls import path

from . import views_staff as v

urlpatterns = [
    path("wijken/", v.WijkListView.as_view(), name="wijk-list"),
    path("wijken/norm/", v.NormView.as_view(), name="wijk-norm"),
    path("wijken/<int:pk>/", v.WijkDetailView.as_view(), name="wijk-detail"),
    path("toewijzingen/", v.AssignmentListView.as_view(), name="assignment-list"),
    path("toewijzingen/nieuw/", v.AssignmentCreateView.as_view(), name="assignment-create"),
    path("toewijzingen/<int:pk>/bewerken/", v.AssignmentUpdateView.as_view(), name="assignment-update"),
    path("toewijzingen/<int:pk>/beeindigen/", v.AssignmentEndView.as_view(), name="assignment-end"),
    path("wijkinspecteurs/", v.WijkinspecteurListView.as_view(), name="wijkinspecteur-list"),
    path("wijkinspecteurs/nieuw/", v.WijkinspecteurCreateView.as_view(), name="wijkinspecteur-create"),
    path("wijkinspecteurs/<int:pk>/", v.WijkinspecteurDetailView.as_view(), name="wijkinspecteur-detail"),
    path("wijkinspecteurs/<int:pk>/bewerken/", v.WijkinspecteurUpdateView.as_view(), name="wijkinspecteur-update"),
    path("contactpunten/", v.ContactpuntListView.as_view(), name="contactpunt-list"),
    path("contactpunten/nieuw/", v.ContactpuntCreateView.as_view(), name="contactpunt-create"),
    path("contactpunten/<int:pk>/", v.ContactpuntDetailView.as_view(), name="contactpunt-detail"),
    path("contactpunten/<int:pk>/bewerken/", v.ContactpuntUpdateView.as_view(), name="contactpunt-update"),
    path(
        "contactpunten/<int:contactpunt_pk>/spreekuren/nieuw/",
        v.SpreekuurCreateView.as_view(),
        name="spreekuur-create",
    ),
    path("contactpunten/spreekuren/<int:pk>/bewerken/", v.SpreekuurUpdateView.as_view(), name="spreekuur-update"),
    path("contactpunten/spreekuren/<int:pk>/verwijderen/", v.SpreekuurDeleteView.as_view(), name="spreekuur-delete"),
    path(
        "contactpunten/<int:contactpunt_pk>/uitzonderingen/nieuw/",
        v.SpreekuurExceptionCreateView.as_view(),
        name="spreekuur-exception-create",
    ),
    path(
        "contactpunten/uitzonderingen/<int:pk>/bewerken/",
        v.SpreekuurExceptionUpdateView.as_view(),
        name="spreekuur-exception-update",
    ),
    path(
        "contactpunten/uitzonderingen/<int:pk>/verwijderen/",
        v.SpreekuurExceptionDeleteView.as_view(),
        name="spreekuur-exception-delete",
    ),
]
