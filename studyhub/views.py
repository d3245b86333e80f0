from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lessons.models import Lecture
from studyhub.forms import LoginForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)


def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's starting page: the lectures they can read."""
    lectures = Lecture.objects.current().with_outline_counts()
    return render(request, "home.html", {"lectures": lectures})
