"""The permission matrices' vocabulary: what a persona gets when it opens a URL."""

from __future__ import annotations

from django.urls import reverse

LOGIN = "login"  # 302 to the login page
REDIRECT = "redirect"  # 302 somewhere else (the page's own flow)


def assert_outcome(response, expected: str | int) -> None:
    """Assert the response is the expected status code, or a redirect of the expected kind."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == REDIRECT:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
