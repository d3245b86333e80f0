from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from studyhub import health, views

# The admin says whose it is, not "Django administration".
admin.site.site_header = admin.site.site_title = _("StudyHub administration")
admin.site.index_title = _("Settings and records")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-step/", include("studyhub.two_factor.urls")),
    path("accounts/password_change/", views.password_change, name="password_change"),
    path("accounts/password_change/done/", views.password_change_done, name="password_change_done"),
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/password_reset/done/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("lessons/", include("lessons.urls")),
    path("groups/", include("groups.urls")),
    path("jobs/", include("studyhub.jobs.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
    # Also answered by studyhub.health.HealthCheckMiddleware for probes without a session.
    path("healthz", health.healthz, name="healthz"),
]
