from django.core.management.base import BaseCommand, CommandError

from organisation.models import Department
from organisation.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an external system; the key is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. 'network monitoring'.")
        parser.add_argument("--department", metavar="CODE", help="Department the system acts for.")

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            try:
                department = Department.objects.get(code=options["department"])
            except Department.DoesNotExist:
                raise CommandError(f"No department with code {options['department']!r}") from None
        api_key, raw = api_key_create(name=options["name"], department=department)
        self.stdout.write(
            f"Created API key {api_key.prefix} for {api_key.name!r} "
            f"(system user {api_key.user.username}). Store it now; it is not shown again:"
        )
        self.stdout.write(raw)
