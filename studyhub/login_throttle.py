"""The login throttle: axes' lockout per user name and address, plus one per address alone.

Axes pauses a user name after DJANGO_LOGIN_FAILURE_LIMIT wrong passwords from one address. That
alone lets one address try a few passwords on every user name (imported user names are phone
numbers, easy to guess), so an address is paused too once the wrong passwords from it, over all
user names, reach a higher limit. The counts are axes' own rows in the database, which every
worker and host shares.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def failures_from_address(request) -> int:
    """Wrong passwords from the request's address, over every user name, in the cool-off time."""
    total = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,
        attempt_time__gt=get_cool_off_threshold(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


class LoginThrottle(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        request.address_locked_out = self._address_locked(request)
        return request.address_locked_out

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not request.axes_locked_out and self._address_locked(request):
            # This failure reached the address's limit: answer it with the paused page already.
            request.axes_locked_out = request.address_locked_out = True

    @staticmethod
    def _address_locked(request) -> bool:
        return failures_from_address(request) >= settings.STUDYHUB_LOGIN_ADDRESS_FAILURE_LIMIT
