"""Move the seed's plain API tokens into django-rest-knox, hashed.

Clients stay logged in: each old 40-hex key becomes a knox row holding only its
SHA-512 digest (knox hashes what a client sends the same way), with the normal
expiry counted from now. The plain keys are then deleted.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def tokens_to_knox(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS

    Token = apps.get_model("authtoken", "Token")
    AuthToken = apps.get_model("knox", "AuthToken")
    ttl = getattr(settings, "REST_KNOX", {}).get("TOKEN_TTL", dt.timedelta(days=30))
    expiry = timezone.now() + ttl if ttl else None
    AuthToken.objects.bulk_create(
        [
            AuthToken(
                digest=hash_token(token.key),
                token_key=token.key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=token.user_id,
                expiry=expiry,
            )
            for token in Token.objects.all().iterator()
        ],
        batch_size=500,
    )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_username_ci_unique"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(tokens_to_knox, migrations.RunPython.noop)]
