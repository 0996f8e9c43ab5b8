"""django-simple-history's `Model.history` without a new manager class per access.

Its descriptor builds `HistoryManager.from_queryset(HistoricalQuerySet)`, a new class
made through `inspect.getmembers`, on every `instance.history`, and its own post-save
handler reads that for every historical row it writes: about a tenth of a booking's
or a cancellation's CPU (docs/profiles.md). The class is the same every time, so it is
built once per model.
"""

from functools import cached_property

from simple_history.manager import HistoryDescriptor
from simple_history.models import registered_models


class CachedHistoryDescriptor(HistoryDescriptor):
    @cached_property
    def manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


def cache_history_managers() -> None:
    """Put CachedHistoryDescriptor in place of each tracked model's descriptor."""
    for model in list(registered_models.values()):
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if type(descriptor) is HistoryDescriptor:
            setattr(model, name, CachedHistoryDescriptor(
                descriptor.model,
                manager=descriptor.manager_class,
                queryset=descriptor.queryset_class,
            ))
