from django.urls import path  # noqa: F401

# The public "mijn buurt" pages: filled by the mijn-buurt work.
urlpatterns = []
