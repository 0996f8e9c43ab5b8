from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "clinic.waitlist"
    label = "waitlist"
    verbose_name = "Waiting list"

    def ready(self):
        # The arrows point down: appointments knows nothing of the waitlist, which
        # hooks its holds and its "a slot is free" handler in here.
        from clinic.appointments.holds import register_hold_source
        from clinic.appointments.signals import slot_freed
        from clinic.waitlist import notifications, receivers, selectors

        notifications.register()
        register_hold_source(selectors.waitlist_held_slots)
        slot_freed.connect(receivers.offer_freed_slot, dispatch_uid="waitlist.offer_freed_slot")
