"""Finding a patient at the desk: by name, phone, record number or date of birth.

Only the patient's own record is searched: a doctor's name never matches (searching
for a patient called Asha Rao must not bring up Dr. Asha Rao's appointments).
"""

import datetime as dt
import re

from django.db.models import Q, QuerySet

from clinic.core.errors import InvalidInput
from clinic.patients.models import RECORD_PREFIX, Patient, record_number_for
from clinic.patients.phones import phone_parse

# At most this many patients per search: a longer list means a narrower query.
SEARCH_LIMIT = 50
# The columns a result row shows (name, age, record number, phone).
RESULT_COLUMNS = ("pk", "given_name", "family_name", "dob", "record_number", "phone", "user_id")

_RECORD = re.compile(rf"^(?:{RECORD_PREFIX.rstrip('-')}-?\s*)(\d{{1,9}})$", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"^[+(]?[0-9][0-9 ().-]*$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
# Fewer digits than this are too vague to search phone numbers by.
MIN_PHONE_DIGITS = 4


def _as_date(text: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _phone_filter(text: str) -> Q | None:
    """An exact match for a whole valid number (any spelling), else the digits typed."""
    try:
        return Q(phone=phone_parse(text))
    except InvalidInput:
        pass
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return Q(phone__contains=digits)


def _name_filter(text: str) -> Q:
    # Every word must be in the given or the family name ("asha rao", "rao asha").
    query = Q()
    for word in text.split()[:5]:
        query &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return query


def patient_search(*, query: str) -> QuerySet[Patient]:
    """Patients matching `query`, by name, phone, record number (CMS-000123) or date of
    birth (2030-01-07 or 07/01/2030), as RESULT_COLUMNS; at most SEARCH_LIMIT, by name.
    An empty query finds nobody."""
    text = " ".join((query or "").split())[:100]
    patients = Patient.objects.only(*RESULT_COLUMNS).order_by("given_name", "family_name", "pk")
    if not text:
        return patients.none()
    record = _RECORD.match(text)
    if record:
        return patients.filter(record_number=record_number_for(int(record.group(1))))
    born = _as_date(text)
    if born is not None:
        return patients.filter(dob=born)[:SEARCH_LIMIT]
    if _PHONE_LIKE.match(text):
        phone = _phone_filter(text)
        return patients.filter(phone)[:SEARCH_LIMIT] if phone is not None else patients.none()
    return patients.filter(_name_filter(text))[:SEARCH_LIMIT]
