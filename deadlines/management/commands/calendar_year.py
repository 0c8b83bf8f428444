from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deadlines.calendar import NotADay, parse_day_ranges, spell_day_ranges
from deadlines.calendar_services import calendar_year_confirm


class Command(BaseCommand):
    help = (
        "Enter a year the statutory calendar package does not know: its holidays (days off) "
        "and make-up working days from the State Council schedule; every other day follows "
        "the normal week. Confirms the year and gives waiting deadlines their due time."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--holidays",
            nargs="+",
            required=True,
            metavar="DAY",
            help="days off: 2027-01-01 or ranges 2027-02-05..2027-02-13",
        )
        parser.add_argument(
            "--workdays",
            nargs="*",
            default=[],
            metavar="DAY",
            help="make-up working days (Saturdays and Sundays worked)",
        )
        parser.add_argument("--notes", default="", help="where the schedule comes from")
        parser.add_argument("--actor", help="username recorded as confirming the year")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would be entered; change nothing"
        )

    def handle(self, *args, year, holidays, workdays, notes, actor, dry_run, **options):
        try:
            holiday_ranges = parse_day_ranges(holidays)
            workday_ranges = parse_day_ranges(workdays)
        except NotADay as error:
            raise CommandError(str(error)) from None
        user = None
        if actor:
            try:
                user = get_user_model().objects.get(username=actor)
            except get_user_model().DoesNotExist:
                raise CommandError(f"--actor: no user {actor!r}") from None
        try:
            summary = calendar_year_confirm(
                year=year,
                holidays=holiday_ranges,
                workdays=workday_ranges,
                actor=user,
                notes=notes,
                dry_run=dry_run,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field if field == 'year' else '--' + field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from None
        self.stdout.write(f"Days off: {', '.join(spell_day_ranges(summary.days_off))}")
        self.stdout.write(
            f"Make-up working days: {', '.join(spell_day_ranges(summary.makeup_days)) or '-'}"
        )
        for deadline in summary.scheduled:
            due = timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"  {deadline.kind} #{deadline.pk}: due {due}")
        verb = "would get" if dry_run else "got"
        self.stdout.write(
            f"{year}: {len(summary.days_off)} days off, {len(summary.makeup_days)} make-up "
            f"working days; {len(summary.scheduled)} waiting deadlines {verb} their due time"
            + (f", {summary.still_waiting} still wait" if summary.still_waiting else "")
            + "."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was entered.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{year} confirmed."))
