"""The database's rule that a consultation's appointment is of the same patient and doctor.

The services check it too; this guard holds for every writer (the admin, a
shell, raw SQL). Installed by records' migration 0003 and by nothing else:

- PostgreSQL: a composite foreign key (appointment_id, patient_id, doctor_id)
  onto a unique key (id, patient_id, doctor_id) of the appointment. MATCH
  SIMPLE skips rows whose appointment is null (consultations from before they
  were started from a visit). The key also refuses moving an appointment that
  has a consultation to another patient or doctor, and it locks the referenced
  row (FOR KEY SHARE), so a concurrent change of the appointment cannot slip
  between check and write.
- SQLite: BEFORE INSERT / UPDATE triggers on both tables that abort on a
  mismatch. SQLite runs one writer at a time and a trigger runs inside the
  writing statement, so check and write are one atomic step. SQLite cannot add
  a foreign key to an existing table, and Django rebuilds a table to alter it,
  dropping its triggers: post_migrate puts them back (as for
  clinic/appointments/overlap.py).

Either way a violation is django.db.IntegrityError.
"""

NAME = "consultation_appointment_same_patient_doctor"
_APPOINTMENT_KEY = "appointment_id_patient_doctor_key"
_CONSULTATIONS = "records_consultation"
_APPOINTMENTS = "appointments_appointment"

_MISMATCH = f"SELECT RAISE(ABORT, '{NAME}: the appointment is of another patient or doctor')"


def _sqlite_triggers() -> list[str]:
    consultation_check = f"""
        {_MISMATCH}
        WHERE NEW.appointment_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {_APPOINTMENTS} AS a
            WHERE a.id = NEW.appointment_id
              AND a.patient_id = NEW.patient_id
              AND a.doctor_id = NEW.doctor_id
        );"""
    appointment_check = f"""
        {_MISMATCH}
        WHERE EXISTS (
            SELECT 1 FROM {_CONSULTATIONS} AS c
            WHERE c.appointment_id = NEW.id
              AND (c.patient_id != NEW.patient_id OR c.doctor_id != NEW.doctor_id)
        );"""
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {NAME}_insert BEFORE INSERT ON {_CONSULTATIONS}
        BEGIN {consultation_check} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {NAME}_update
        BEFORE UPDATE OF appointment_id, patient_id, doctor_id ON {_CONSULTATIONS}
        BEGIN {consultation_check} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {NAME}_appointment
        BEFORE UPDATE OF id, patient_id, doctor_id ON {_APPOINTMENTS}
        BEGIN {appointment_check} END""",
    ]


_TRIGGER_NAMES = [f"{NAME}_insert", f"{NAME}_update", f"{NAME}_appointment"]

_PG_INSTALL = [
    f"ALTER TABLE {_APPOINTMENTS} ADD CONSTRAINT {_APPOINTMENT_KEY} "
    "UNIQUE (id, patient_id, doctor_id)",
    # Not deferrable: the error comes from the writing statement, where the
    # service catches it, not from the commit.
    f"ALTER TABLE {_CONSULTATIONS} ADD CONSTRAINT {NAME} "
    "FOREIGN KEY (appointment_id, patient_id, doctor_id) "
    f"REFERENCES {_APPOINTMENTS} (id, patient_id, doctor_id) MATCH SIMPLE",
]
_PG_UNINSTALL = [
    f"ALTER TABLE {_CONSULTATIONS} DROP CONSTRAINT IF EXISTS {NAME}",
    f"ALTER TABLE {_APPOINTMENTS} DROP CONSTRAINT IF EXISTS {_APPOINTMENT_KEY}",
]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Rows written earlier in this transaction leave deferred FK checks pending,
        # and PostgreSQL refuses ALTER TABLE while any are: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in _PG_INSTALL:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for sql in _sqlite_triggers():
            schema_editor.execute(sql)
    else:
        raise NotImplementedError(f"No consultation-appointment guard for {vendor}.")


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in _PG_UNINSTALL:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        for name in _TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def reinstall_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate: put the SQLite triggers back if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if _CONSULTATIONS not in tables or _APPOINTMENTS not in tables:
            return
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, _CONSULTATIONS)
        }
    if "icd10" not in columns:  # migrated back before the guard existed (0003)
        return
    # A cursor, not a schema editor: SQLite's refuses to run inside a transaction.
    with connection.cursor() as cursor:
        for sql in _sqlite_triggers():
            cursor.execute(sql)
