"""API token lookups served from the shared cache, forgotten by every worker at once.

A cached entry is the token's row, its user's row without the password hash and
the user's patient profile without its clinical notes, so an authenticated request
needs no query of its own for them (docs/benchmarks.md). The entry is keyed by a
SHA-256 of the token's digest (itself knox's SHA-512 of the token) and holds
neither the digest nor any part of the token, so a key or entry cannot be turned
back into a token. A hit proves the caller presented a token whose digest is that
key's; expiry is checked on every hit.

Entries live in the default cache, which every worker shares (Redis with
REDIS_URL, else files under var/cache). Any save or delete of a token, of its user
or of the user's patient profile (logout, revoke, revoke all, password change,
deactivation, profile edits, the admin, cascades; also Patient `update()`, see
PatientQuerySet) replaces the entries of that user's tokens by a marker, at once
and again after the commit. A marker is never overwritten by a lookup: lookups
only `add()`, so a request that read the token before a revocation committed
cannot store it afterwards. A marker sends the next request to the database.

What this cannot promise: with Redis unreachable at the moment of a revocation
(clinic.core.cache fails open), an entry stored before is served until it expires,
ENTRY_TTL seconds at most; writes that bypass both the ORM's signals and
PatientQuerySet (raw SQL) must call `api_tokens_forget` themselves.
"""

import functools
import hashlib
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

ENTRY_TTL = 60
# A lookup stores what it read within STORE_WITHIN seconds or not at all, so a
# marker that outlives that (set again after the commit) is never written over by
# a lookup that read the row before the change.
STORE_WITHIN = 5.0
MARKER_TTL = 30
_VERSION = 1  # bump when what an entry holds changes meaning
_FORGOTTEN = "forgotten"
_TOKEN_FIELDS = ("user_id", "created", "expiry")
NOT_CACHED = {"password", "allergies", "alerts"}


def _key(digest: str) -> str:
    return f"accounts:token:{hashlib.sha256(digest.encode()).hexdigest()}"


@functools.cache
def _shape() -> str:
    # Entries are positional: a release that adds a column must not read the entries
    # the previous one wrote (both run side by side during a deploy). The key stays
    # the same, so a revocation by either release marks what both read.
    names = repr((_VERSION, _TOKEN_FIELDS, _user_fields(), _patient_fields()))
    return hashlib.sha256(names.encode()).hexdigest()[:12]


@functools.cache
def _user_fields() -> tuple[str, ...]:
    return tuple(
        f.attname for f in get_user_model()._meta.concrete_fields if f.attname not in NOT_CACHED
    )


@functools.cache
def _patient_fields() -> tuple[str, ...]:
    from clinic.patients.models import Patient

    # Clinical notes stay out of the shared cache; no API request reads them from the
    # caller's profile (reading one loads it).
    return tuple(
        f.attname for f in Patient._meta.concrete_fields if f.attname not in NOT_CACHED
    )


def _values(instance, fields) -> tuple:
    # The loaded Python values, except files: their name, not the FieldFile (which
    # would pickle its model instance along).
    values = []
    for name in fields:
        value = instance.__dict__[name]
        values.append(getattr(value, "name", value) if hasattr(value, "storage") else value)
    return tuple(values)


def cached_token(digest: str, *, token_key: str):
    """The AuthToken for `digest` (and `token_key`, the token's lookup prefix) with
    `.user` and `.user.patient` loaded, from the cache, or None when it is not
    cached (then look it up and `remember` it)."""
    entry = cache.get(_key(digest))
    if entry is None or entry == _FORGOTTEN or entry[0] != _shape():
        return None
    from knox.models import AuthToken

    from clinic.patients.models import Patient

    _, token_values, user_values, patient_values = entry
    # The digest and lookup prefix come from the presented token, not from the cache.
    token = AuthToken.from_db(
        "default", ("digest", "token_key", *_TOKEN_FIELDS), (digest, token_key, *token_values)
    )
    # The password hash is not cached: reading it (never done per request) loads it.
    user = get_user_model().from_db("default", _user_fields(), user_values)
    patient = None
    if patient_values is not None:
        patient = Patient.from_db("default", _patient_fields(), patient_values)
        patient._state.fields_cache["user"] = user
    user._state.fields_cache["patient"] = patient
    token._state.fields_cache["user"] = user
    return token


def remember(token, *, looked_up_at: float) -> None:
    """Store a token found in the database (with `.user.patient` loaded) for later
    requests, unless a marker says it changed, or the lookup began too long ago for
    the marker of a revocation since to be sure to be there."""
    if time.monotonic() - looked_up_at > STORE_WITHIN:
        return
    user = token.user
    patient = user._state.fields_cache.get("patient")
    entry = (
        _shape(),
        tuple(getattr(token, name) for name in _TOKEN_FIELDS),
        _values(user, _user_fields()),
        None if patient is None else _values(patient, _patient_fields()),
    )
    cache.add(_key(token.digest), entry, ENTRY_TTL)


def api_tokens_forget(*, digests=(), user_ids=()) -> None:
    """Make the next request with these tokens (or any token of these users) read
    the database: now, and again after the commit."""
    from knox.models import AuthToken

    digests = set(digests)
    user_ids = {pk for pk in user_ids if pk is not None}
    if user_ids:
        digests.update(
            AuthToken.objects.filter(user_id__in=user_ids).values_list("digest", flat=True)
        )
    if not digests:
        return
    markers = {_key(digest): _FORGOTTEN for digest in digests}
    cache.set_many(markers, MARKER_TTL)
    transaction.on_commit(lambda: cache.set_many(markers, MARKER_TTL))


def _token_saved_or_deleted(sender, instance, created=False, **kwargs) -> None:
    # A new token's digest was never cached (a login caches it from its first use).
    if not created:
        api_tokens_forget(digests=[instance.digest])


def _user_saved_or_deleted(sender, instance, created=False, **kwargs) -> None:
    if not created:  # a new login has no token yet
        api_tokens_forget(user_ids=[instance.pk])


def _patient_saved_or_deleted(sender, instance, **kwargs) -> None:
    # The user it belonged to before this save, too (a record moved to another login).
    api_tokens_forget(user_ids=[instance.user_id, getattr(instance, "_loaded_user_id", None)])


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save
    from knox.models import AuthToken

    from clinic.patients.models import Patient

    receivers = [
        (AuthToken, _token_saved_or_deleted),
        (get_user_model(), _user_saved_or_deleted),
        (Patient, _patient_saved_or_deleted),
    ]
    for model, receiver in receivers:
        uid = f"accounts_token_cache_{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_d")
