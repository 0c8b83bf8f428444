"""WSGI entry point, for a WSGI server (Fenghuo is served over ASGI, `config.asgi`: its live
updates need it): production settings unless DJANGO_SETTINGS_MODULE says otherwise.
`manage.py` (and so `make run`) keeps the local settings."""

import os

from django.core.wsgi import get_wsgi_application

from config.runtime import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
settle()
