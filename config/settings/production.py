"""Production: every secret is mandatory, nothing falls back to a local default.

HTTPS is assumed (HSTS, redirect to https, cookies only over https). ``DJANGO_HTTPS=false`` is
the one switch for an intranet served over plain HTTP; it turns all of those off together."""

from .base import *  # noqa: F403
from .base import REDIS_TRANSPORT_OPTIONS, REST_FRAMEWORK, env, pooled

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"] = pooled(DATABASES["default"])  # the web's (config.asgi)
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS

# --- HTTPS ----------------------------------------------------------------------------------
HTTPS = env.bool("DJANGO_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers and the container's health check probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The TLS-terminating proxy in front says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HSTS preloading is a promise for the whole domain, made by its owner on the browsers' list;
# an operator's intranet host is not ours to submit. Everything else of `check --deploy` holds.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

API_DOCS_REQUIRE_LOGIN = env.bool("API_DOCS_REQUIRE_LOGIN", default=True)

# --- throttling: counts in Redis, shared by every web process --------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=CELERY_BROKER_URL),
        "KEY_PREFIX": "fenghuo",
        # a Redis that is down must not hold requests up (the throttles then let them through)
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        # per person or API key; DRF keeps one timestamp per request of the window
        "user": env("API_THROTTLE_USER", default="50/s"),
        # per address, without credentials, where no login is needed
        "anon": env("API_THROTTLE_ANON", default="30/min"),
        # per address, requests whose credentials failed (wrong key, none): guessing keys
        "failed_auth": env("API_THROTTLE_FAILED_AUTH", default="20/min"),
    },
    # Reverse proxies in front that append to X-Forwarded-For (0: the client's own address).
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
}

# --- attachments: an S3-compatible object store when its bucket is named --------------------
# (django-storages; otherwise the local folder of base.py, ATTACHMENT_DIR). The bucket stays
# private: files are read through /attachments/<id>/, never at a bucket URL.
ATTACHMENT_S3_BUCKET = env("ATTACHMENT_S3_BUCKET", default="")
if ATTACHMENT_S3_BUCKET:
    STORAGES = {
        **STORAGES,  # noqa: F405
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": ATTACHMENT_S3_BUCKET,
                "endpoint_url": env("ATTACHMENT_S3_ENDPOINT_URL", default=None),
                "region_name": env("ATTACHMENT_S3_REGION", default=None),
                "access_key": env("ATTACHMENT_S3_ACCESS_KEY_ID"),
                "secret_key": env("ATTACHMENT_S3_SECRET_ACCESS_KEY"),
                "location": env("ATTACHMENT_S3_PREFIX", default="attachments"),
                "addressing_style": env("ATTACHMENT_S3_ADDRESSING_STYLE", default=None),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "custom_domain": None,
            },
        },
    }
