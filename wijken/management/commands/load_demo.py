"""Load the demo data set: idempotent, so it can run before every `make demo`."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from wijken.demo import DEMO_PASSWORD, DemoContext, demo_steps


class Command(BaseCommand):
    help = "Load (or refresh) the demo zones, users, wijken, addresses and the data of every app."

    def handle(self, *args, **options):
        ctx = DemoContext(stdout=lambda line: self.stdout.write(line))
        # A command that acts on all zones: every step writes to several zones.
        with scopes_disabled():
            for step in demo_steps():
                self.stdout.write(f"· {step.name}…")
                with transaction.atomic():
                    step.run(ctx)
        for line in ctx.summary:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for zone, role, username in ctx.logins:
            self.stdout.write(f"  {zone:<22} {role:<28} {username}")
