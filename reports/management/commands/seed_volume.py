"""Seed a county's worth of data on top of the demo, for measuring at volume."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reports import volume


class Command(BaseCommand):
    help = ("Add five years of a county's data on top of the demo (100,000 feedback, "
            "10,000 actions, 2,000 measures with 50,000 values, 500 reports, 20,000 pulse "
            "answers by default), in bulk, "
            "reproducibly. For benchmarks and load tests, never a live site.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply every default count, e.g. 0.1 for a tenth")
        parser.add_argument("--feedback", type=int)
        parser.add_argument("--actions", type=int)
        parser.add_argument("--big-plan-actions", type=int,
                            help="actions in the one very large plan (the stress case)")
        parser.add_argument("--reports", type=int)
        parser.add_argument("--pulse-answers", type=int)
        parser.add_argument("--measures", type=int,
                            help="measures of impact on the stress-case plan (25 values each)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing if a volume was seeded already (for benchmarks)")

    def handle(self, *args, **options):
        if volume.already_seeded():
            if options["if_empty"]:
                self.stdout.write("A volume is already seeded; reusing it.")
                self.refresh_planner_statistics()
                return
            raise CommandError("A volume is already seeded in this database "
                               "(pass --if-empty to reuse it).")
        wanted = volume.Volume.scaled(
            options["scale"], feedback=options["feedback"], actions=options["actions"],
            big_plan_actions=options["big_plan_actions"], reports=options["reports"],
            pulse_answers=options["pulse_answers"], measures=options["measures"])
        if wanted.big_plan_actions > wanted.actions:
            wanted.big_plan_actions = wanted.actions
        started = time.monotonic()
        try:
            counts = volume.seed(wanted, seed=options["seed"], log=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.refresh_planner_statistics()
        self.stdout.write(self.style.SUCCESS(
            f"Seeded in {time.monotonic() - started:.0f} s: "
            + ", ".join(f"{n:,} {name}" for name, n in counts.items())))

    def refresh_planner_statistics(self) -> None:
        """VACUUM ANALYZE after a bulk load, as autovacuum would do on a live
        site before long: without statistics Postgres guesses, and at county
        scale it guessed badly (the inbox's service-area lookup walked 13,000
        links per area, 49 ms instead of 0.2 ms; the page took 72 ms, not 39).
        Measurements of a database with no statistics measure the guesses."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's); ANALYZE can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
