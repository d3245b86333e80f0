from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from studyhub import views

# The admin says whose it is, not "Django administration".
admin.site.site_header = admin.site.site_title = _("StudyHub administration")
admin.site.index_title = _("Settings and records")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-step/", include("studyhub.two_factor.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("lessons/", include("lessons.urls")),
    path("groups/", include("groups.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
]
