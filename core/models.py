"""Model plumbing that knows no domain: the append-only timeline base, the day's number
sequences, the answers kept for idempotent retries, the beat's lease."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The timeline is append-only")

    def delete(self):
        raise TypeError("The timeline is append-only")


class AppendOnlyEvent(models.Model):
    """One line of a record's timeline: what happened, when and by whom. Append-only: rows
    are never changed. A concrete timeline adds the record it belongs to and its ``kind``."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, blank=True)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        kind = self.get_kind_display() if hasattr(self, "get_kind_display") else ""
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The timeline is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The timeline is append-only")


class NumberSequence(models.Model):
    """Daily counters behind human numbers such as INC-20261122-0007."""

    prefix = models.CharField(max_length=10)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="one_sequence_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an ``Idempotency-Key``; a retry gets it again for
    settings.IDEMPOTENCY_RETENTION, after which the record is pruned."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=50)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="one_answer_per_key")
        ]
        # the daily prune finds the expired ones (core.services.idempotency_records_prune)
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Lease(models.Model):
    """A role only one process may play at a time, and who plays it until when: the Celery
    beat that sends the periodic tasks (``core.beat``). The holder renews ``held_until`` while
    it lives; once that has passed, anyone may take the lease."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=255)  # host:pid
    held_until = models.DateTimeField()
    acquired_at = models.DateTimeField()  # since when this holder holds it

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} until {self.held_until:%H:%M:%S}"


class LiveChange(models.Model):
    """A change told to open pages (``core.live``) on the embedded default: the topics that
    changed, in the order they were told. Pruned after ``LIVE_RETENTION``."""

    topics = models.JSONField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("live change")
        verbose_name_plural = _("live changes")

    def __str__(self) -> str:
        return f"{self.pk}: {', '.join(self.topics)}"


class SavedView(models.Model):
    """A person's saved filters of a list 我的视图: a name and the list's query string. The
    list is a key of :mod:`core.lists` (core knows no domain); the query keeps only that
    list's filter parameters."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    list_name = models.CharField(_("list"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["list_name", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"], name="saved_view_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
