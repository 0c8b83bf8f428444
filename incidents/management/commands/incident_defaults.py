from django.core.management.base import BaseCommand

from incidents.defaults import apply_defaults


class Command(BaseCommand):
    help = "Map business lines and media/legal involvement to departments, where not yet set."

    def handle(self, *args, **options):
        applied = apply_defaults()
        for line in applied:
            self.stdout.write(line)
        self.stdout.write(f"{len(applied)} default(s) applied.")
