"""The WSGI application, for gunicorn: ``gunicorn kpiboard.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiboard.web.settings")
application = get_wsgi_application()
