"""What waiting patients hear: the offer of a freed slot, with a link to claim it.

Registered with clinic.notifications in WaitlistConfig.ready(); the offer's event
is written in the transaction that makes the offer.
"""

from clinic.core.links import portal_url
from clinic.notifications import registry
from clinic.notifications.services import patient_notify
from clinic.waitlist.models import WaitlistEntry

OFFER = "waitlist_offer"


def _offer(ctx: dict) -> dict | None:
    entry = (
        WaitlistEntry.objects.select_related("patient__user", "doctor")
        .filter(pk=ctx["entry_id"])
        .first()
    )
    # An offer claimed, lapsed or withdrawn before it went out is not worth sending.
    if entry is None or not entry.has_live_offer:
        return None
    return {
        "entry": entry,
        "patient": entry.patient,
        "doctor": entry.doctor,
        # The portal's claim page once it has one, else its dashboard.
        "claim_url": portal_url("waitlist_claim", entry.pk),
    }


def offer_notify(event) -> None:
    """An entry is offered a slot once in its life, so the entry is the key."""
    entry = WaitlistEntry.objects.select_related("patient__user").filter(pk=event.object_id)
    entry = entry.first()
    if entry is not None:
        patient_notify(
            patient=entry.patient,
            template=event.name,
            context={"entry_id": entry.pk},
            key=f"{event.name}:{entry.pk}",
        )


def register() -> None:
    registry.message_type_register(template=OFFER, builder=_offer)
    registry.event_handler_register(name=OFFER, handler=offer_notify)
