from django.urls import path

from . import views_public

# The public "mijn buurt" pages, and the staff inbox of the messages citizens send from them.
urlpatterns = [
    path("mijn-buurt/", views_public.MijnBuurtView.as_view(), name="mijn-buurt"),
    path("mijn-buurt/contact/<int:wijkinspecteur_pk>/", views_public.ContactView.as_view(), name="mijn-buurt-contact"),
    path(
        "mijn-buurt/contact/<int:wijkinspecteur_pk>/sent/",
        views_public.ContactSentView.as_view(),
        name="mijn-buurt-contact-sent",
    ),
    path("inbox/", views_public.InboxListView.as_view(), name="contact-inbox"),
    path("inbox/<int:pk>/", views_public.InboxDetailView.as_view(), name="contact-inbox-detail"),
]
