"""Django's admin autodiscovery imports this module: it imports each package's admin."""

from groups.attendance import admin as attendance_admin  # noqa: F401
from groups.exports import admin as exports_admin  # noqa: F401
from groups.leave import admin as leave_admin  # noqa: F401
from groups.minutes import admin as minutes_admin  # noqa: F401
from groups.org import admin as org_admin  # noqa: F401
from groups.reading import admin as reading_admin  # noqa: F401
from groups.sessions import admin as sessions_admin  # noqa: F401
