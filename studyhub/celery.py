"""The Celery app: `celery -A studyhub worker` runs the tasks, `celery -A studyhub beat` the
schedule (CELERY_BEAT_SCHEDULE in settings).

Configured from Django's settings under the CELERY_ prefix. Without CELERY_BROKER_URL the
tasks run in the calling process (eager), so `make run` needs no broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyhub.settings")

app = Celery("studyhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["studyhub", "groups.reading"])
