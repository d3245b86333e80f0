from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse_lazy

from groups import conf
from groups.reading.home import member_home_data
from groups.reports.follow_up import follow_up_for_user
from lessons.models import Lecture
from studyhub.accounts import PasswordResetForm
from studyhub.forms import LoginForm

login = auth_views.LoginView.as_view(
    template_name="registration/login.html",
    authentication_form=LoginForm,
    redirect_authenticated_user=True,
)

# Django's views for a password change and a reset by email, with our templates
# (templates/registration/). The page after a reset request reads the same whether or not
# any login has the address.
password_change = auth_views.PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetForm,
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()


def home(request: HttpRequest) -> HttpResponse:
    """Show the start page: upcoming sessions, assigned reading, then the lectures."""
    lectures = Lecture.objects.current().with_outline_counts()
    home_data = member_home_data(request.user)
    context = {
        "lectures": lectures,
        "home": home_data,
        # Managers see whom to follow up: members absent without leave several times in a row.
        "follow_up": follow_up_for_user(request.user) if home_data.managed is not None else None,
        "follow_up_absences": conf.FOLLOW_UP_ABSENCES,
    }
    return render(request, "home.html", context)


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Send browsers and feed readers that ask for /favicon.ico to the site's icon."""
    return redirect(static("favicon.svg"), permanent=True)
