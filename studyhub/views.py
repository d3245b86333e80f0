from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groups.reading.services import member_home_data
from lessons.models import Lecture
from studyhub.forms import LoginForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)


def home(request: HttpRequest) -> HttpResponse:
    """Show the start page: upcoming sessions, assigned reading, then the lectures."""
    lectures = Lecture.objects.current().with_outline_counts()
    home_data = member_home_data(request.user)
    return render(request, "home.html", {"lectures": lectures, "home": home_data})
