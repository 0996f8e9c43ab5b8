from clinic.core.models import AuditEvent


def audit_log(*, actor, action: str, obj, **data) -> AuditEvent:
    """Record a write to clinic data. Callers pass only non-secret facts in `data`."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data,
    )
