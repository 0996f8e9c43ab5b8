"""The database's rule that a doctor's active appointments never overlap in time.

Two bookings of 09:00-09:30 and 09:15-09:30 have different starts, so the partial
unique constraints let both in; this guard does not. Each database gets its own
form, installed by a migration (0002) and by nothing else:

- PostgreSQL: an exclusion constraint over (doctor =, [date+start, date+end) &&),
  for active rows, with btree_gist for the equality on doctor. Concurrent inserts
  of overlapping rows wait on each other and all but one fail.
- SQLite: BEFORE INSERT / UPDATE triggers that abort when an active row of the
  doctor overlaps. SQLite runs one writer at a time and the trigger runs inside
  the writing statement, so the check and the write are one atomic step.

Either way the violation surfaces as django.db.IntegrityError, which the booking
service turns into SlotUnavailable (409), as it does for the unique constraints.
"""

from django.db.models import DateTimeField, F, Func, Q

NAME = "appointment_no_overlap_per_doctor"
# Frozen here rather than imported: a migration must keep meaning what it meant.
ACTIVE = ("booked", "arrived", "in_consultation")


class _DayTime(Func):
    """date + time, a timestamp without time zone (IMMUTABLE, so indexable)."""

    template = "(%(expressions)s)"
    arg_joiner = " + "
    output_field = DateTimeField()


def exclusion_constraint():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators

    class TsRange(Func):
        function = "TSRANGE"
        output_field = DateTimeRangeField()

    return ExclusionConstraint(
        name=NAME,
        expressions=[
            (F("doctor"), RangeOperators.EQUAL),
            (
                TsRange(_DayTime(F("date"), F("start")), _DayTime(F("date"), F("end"))),
                RangeOperators.OVERLAPS,
            ),
        ],
        condition=Q(status__in=ACTIVE),
    )


_ACTIVE_SQL = ", ".join(f"'{status}'" for status in ACTIVE)
_OVERLAP = f"""
    SELECT RAISE(ABORT, 'appointment_no_overlap_per_doctor: overlaps an active appointment')
    WHERE EXISTS (
        SELECT 1 FROM {{table}} AS other
        WHERE other.doctor_id = NEW.doctor_id
          AND other.date = NEW.date
          AND other.status IN ({_ACTIVE_SQL})
          AND other.start < NEW."end"
          AND NEW.start < other."end"
          {{not_self}}
    );
"""


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {NAME}_insert BEFORE INSERT ON {table}
        WHEN NEW.status IN ({_ACTIVE_SQL})
        BEGIN {_OVERLAP.format(table=table, not_self="")} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {NAME}_update BEFORE UPDATE ON {table}
        WHEN NEW.status IN ({_ACTIVE_SQL})
        BEGIN {_OVERLAP.format(table=table, not_self="AND other.id != NEW.id")} END""",
    ]


def install(schema_editor, model) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.add_constraint(model, exclusion_constraint())
    elif vendor == "sqlite":
        for sql in _sqlite_triggers(model._meta.db_table):
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"No appointment overlap guard for {vendor}.")


def reinstall_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate: put the SQLite triggers back if a migration dropped them.

    On SQLite, Django alters a table by building a new one and dropping the old,
    which silently drops the old table's triggers; any later migration of
    Appointment would do that. The exclusion constraint of PostgreSQL survives.
    """
    from django.db import connections

    from clinic.appointments.models import Appointment

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    table = Appointment._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    if "end" not in columns:  # migrated back before the guard existed
        return
    # A cursor, not a schema editor: SQLite's refuses to run inside a transaction.
    with connection.cursor() as cursor:
        for sql in _sqlite_triggers(table):
            cursor.execute(sql)


def uninstall(schema_editor, model) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.remove_constraint(model, exclusion_constraint())
    elif vendor == "sqlite":
        for suffix in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}_{suffix}")
