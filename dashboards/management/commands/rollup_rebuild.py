"""Recompute the dashboards' rollups for a range of days (first build, corrections)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from complaints.models import Complaint
from dashboards.services import ROLLUPS, rollup_range
from incidents.models import Incident


class Command(BaseCommand):
    help = "Recompute the dashboards' daily rollups (default: from the first record to today)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--until", type=date.fromisoformat, help="last day (YYYY-MM-DD)")

    def handle(self, *args, since=None, until=None, **options):
        until = until or timezone.localdate()
        if since is None:
            firsts = [
                Incident.objects.aggregate(at=Min("created_at"))["at"],
                Complaint.objects.aggregate(at=Min("created_at"))["at"],
            ]
            known = [timezone.localdate(at) for at in firsts if at is not None]
            since = min(known) if known else until - timedelta(days=30)
        days = rollup_range(since, until)
        if connection.vendor == "postgresql":
            # a first build rewrites the tables whole: the planner's statistics follow at once
            # instead of at autovacuum's next pass (a period's sums would be planned for 1 row)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in ROLLUPS)}")
        self.stdout.write(f"{days} days recomputed ({since} – {until}).")
