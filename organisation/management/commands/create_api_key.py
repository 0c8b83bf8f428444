from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organisation.models import ApiKeyScope, Department
from organisation.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an external system; its scopes are printed, the key alone on "
        "the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. 'network monitoring'.")
        parser.add_argument("--department", metavar="CODE", help="Department the system acts for.")
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="extend",
            nargs="+",
            choices=ApiKeyScope.values,
            default=[],
            help=(
                "What the key may do (one or more): intake (submit, read back what it "
                "submitted), department (read and act on its department's records; needs "
                "--department), province (read everything and the metrics, write nothing). "
                "planned_work (submit planned work, read back its own and its department's). "
                "Default: department with --department, else intake."
            ),
        )

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            try:
                department = Department.objects.get(code=options["department"])
            except Department.DoesNotExist:
                raise CommandError(f"No department with code {options['department']!r}") from None
        try:
            api_key, raw = api_key_create(
                name=options["name"], department=department, scopes=options["scopes"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Created API key {api_key.prefix} for {api_key.name!r} "
            f"(system user {api_key.user.username})."
        )
        self.stdout.write(f"Scopes: {', '.join(api_key.scopes)}")
        self.stdout.write("Store the key now; it is not shown again:")
        self.stdout.write(raw)
