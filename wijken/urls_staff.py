from django.urls import path  # noqa: F401

# Staff pages for wijken, assignments and spreekuren: filled by the staff-pages work.
urlpatterns = []
