from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from organisation.demo import DEMO_PASSWORD, seed_demo, seed_records


class Command(BaseCommand):
    help = "Load the demo province (cities, departments, people) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load demo people even though DEBUG is off (they share one known password).",
        )
        parser.add_argument(
            "--records",
            action="store_true",
            help="Also walk a few demo incidents and complaints through the workflow "
            "(only into a database that has none).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo logins with DEBUG off; pass --allow-production."
            )
        logins = seed_demo()
        rows = [("username", "name", "department", "roles")]
        rows += [(x.username, x.full_name, x.department, ", ".join(x.roles)) for x in logins]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(f"\nEvery demo login uses the password: {DEMO_PASSWORD}")
        if options["records"]:
            made = seed_records()
            self.stdout.write(
                f"Demo incidents, complaints and planned work: {made} made."
                if made
                else "Demo records: the database has records already."
            )


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
