from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from lessons import importer, services

SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "lessons"
    / "data"
    / ("lecture-2020-organisation-line.txt")
)
DEMO_USERS = [
    # username, full name, is_staff
    ("staff", "组织部", True),
    ("secretary", "李书记", False),
    ("member", "王党员", False),
    ("outsider", "赵党员", False),
]


class Command(BaseCommand):
    help = "Load the demo: the sample lecture and the demo users. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="studyhub", help="Password of every demo user.")

    def handle(self, *args, password: str, **options) -> None:
        outline = importer.parse_file(SAMPLE.read_bytes(), SAMPLE.name)
        lecture, created = services.lecture_save(outline=outline, source_name=SAMPLE.name)
        self.stdout.write(f"Lecture: {lecture.title} ({'imported' if created else 'present'})")

        User = get_user_model()
        for username, name, is_staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = name
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
        names = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(f"Demo users ({names}) have the password: {password}")
