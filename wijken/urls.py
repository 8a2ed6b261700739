from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz/", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("zone/switch/", views.switch_zone, name="switch-zone"),
    # The public "mijn buurt" pages and the staff pages of wijken, wijkinspecteurs and spreekuren.
    path("", include("wijken.urls_public")),
    path("", include("wijken.urls_staff")),
]
