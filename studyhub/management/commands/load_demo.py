from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from groups.attendance.services import attendance_snapshot_missing
from groups.demo.attendance import build_demo_attendance
from groups.demo.org import build_demo_organisation
from groups.demo.sessions import build_demo_sessions
from lessons import importer, services

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "lessons"
    / "data"
    / ("lecture-2020-organisation-line.txt")
)


class Command(BaseCommand):
    help = "Load the demo: the sample lecture, an organisation and its logins. Safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="studyhub", help="Password of every demo user.")

    def handle(self, *args, password: str, **options) -> None:
        outline = importer.parse_file(SAMPLE.read_bytes(), SAMPLE.name)
        lecture, created = services.lecture_save(outline=outline, source_name=SAMPLE.name)
        self.stdout.write(f"Lecture: {lecture.title} ({'imported' if created else 'present'})")

        users = build_demo_organisation(password=password)
        sessions = build_demo_sessions()
        self.stdout.write(f"Demo semester: {sessions} sessions added")
        # Sessions from before attendance existed get their 应到 snapshot now.
        attendance_snapshot_missing()
        self.stdout.write(f"Demo attendance: {build_demo_attendance()} rows recorded")
        names = ", ".join(sorted(users))
        self.stdout.write(f"Demo logins ({names}) have the password: {password}")
