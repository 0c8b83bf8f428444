"""ASGI entry point: production settings unless DJANGO_SETTINGS_MODULE says otherwise.
`manage.py` (and so `make run`) keeps the local settings."""

import os

from django.core.asgi import get_asgi_application

from config.runtime import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# each request's database work runs in a thread of its own: connections come from a pool
# (config.settings.base.pooled), not kept open per thread
os.environ.setdefault("DATABASE_POOL", "true")

application = get_asgi_application()
settle()
