# The one image of web, worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
# Deployed from the source tree (docs/architecture.md): the dependencies once (a layer that
# changes only with pyproject.toml), then the tree once.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
# Static files are collected into the image; whitenoise serves them under gunicorn.
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.db \
    CELERY_BROKER_URL=memory:// python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 fenghuo && mkdir -p /app/var && chown fenghuo /app/var
USER fenghuo
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
