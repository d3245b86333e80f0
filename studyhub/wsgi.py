"""WSGI entry point (gunicorn studyhub.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyhub.settings")
application = get_wsgi_application()
