from __future__ import annotations

from celery import shared_task

from wijken.models import Zone
from wijken.tenancy import ZoneTask, zone_for_task

from .services import digest_send


@shared_task(base=ZoneTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sectorscan_digest(zone_id: int) -> int:
    """One zone's daily digest; idempotent per zone, wijkinspecteur and day (DigestRun claim)."""
    return digest_send(zone=zone_for_task(zone_id))


@shared_task
def send_sectorscan_digests() -> int:
    """Beat entry point (daily 07:00 Europe/Brussels): fan out one task per zone, so that zones fail and retry
    apart from each other."""
    zone_ids = list(Zone.objects.values_list("pk", flat=True))
    for zone_id in zone_ids:
        send_sectorscan_digest.delay(zone_id)
    return len(zone_ids)
