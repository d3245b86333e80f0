"""The "groups" namespace: each package's URLs, all under /groups/."""

from groups.archive import urls as archive
from groups.attendance import urls as attendance
from groups.checkin import urls as checkin
from groups.exports import urls as exports
from groups.leave import urls as leave
from groups.minutes import urls as minutes
from groups.org import urls as org
from groups.reading import urls as reading
from groups.reports import urls as reports
from groups.sessions import urls as sessions

app_name = "groups"

urlpatterns = [
    *org.urlpatterns,
    *reading.urlpatterns,
    *sessions.urlpatterns,
    *reports.urlpatterns,
    *checkin.urlpatterns,
    *exports.urlpatterns,
    *leave.urlpatterns,
    *minutes.urlpatterns,
    *attendance.urlpatterns,
    *archive.urlpatterns,
]
