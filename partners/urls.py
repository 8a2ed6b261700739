from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.PartnerListView.as_view(), name="list"),
    path("new/", views.PartnerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PartnerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PartnerUpdateView.as_view(), name="edit"),
    path("<int:partner_pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-edit"),
    path("network/", views.NetworkIndexView.as_view(), name="network-index"),
    path("wijk/<int:wijk_pk>/", views.WijkNetworkView.as_view(), name="wijk-network"),
    path("visits/new/", views.VisitPickView.as_view(), name="visit-pick"),
    path("<int:partner_pk>/visits/new/", views.VisitLogView.as_view(), name="visit-log"),
    path("tasks/", views.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>/done/", views.TaskDoneView.as_view(), name="task-done"),
]
