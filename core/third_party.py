"""The admin's sections of third-party apps, named in the interface's languages: their own
names ("Axes", "Celery Results") say what the package is called, not what it keeps."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_celery_results.apps import CeleryResultConfig

# The packages' model names as they spell them: translated in our catalogue, which Django
# reads before theirs (django-axes ships no Chinese).
THIRD_PARTY_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("task result"),
    gettext_noop("task results"),
    gettext_noop("group result"),
    gettext_noop("group results"),
)


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class TaskResultsConfig(CeleryResultConfig):
    verbose_name = _("Background task results")
