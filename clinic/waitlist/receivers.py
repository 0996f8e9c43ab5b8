"""The waitlist's side of `slot_freed`: the offer is made by a task, within seconds."""


def offer_freed_slot(*, doctor_id, day, start, **kwargs) -> None:
    """Runs after the freeing transaction committed: enqueue the offer.

    With the database task backend a db_worker picks it up at once; with the
    immediate backend it runs here, in the request that freed the slot.
    """
    from clinic.waitlist.services import waitlist_offer_soon

    waitlist_offer_soon(doctor_id=doctor_id, day=day, start=start)
