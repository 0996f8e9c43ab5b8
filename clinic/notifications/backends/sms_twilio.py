"""SMS through Twilio's Messages API with the official `twilio` client."""

from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from clinic.notifications.backends.base import BaseSmsBackend, TransportError

# A send that takes longer is retried later rather than holding a worker.
TIMEOUT_SECONDS = 10


class _HttpClient(TwilioHttpClient):
    """Adds the message's Idempotency-Key header, which the client's create() cannot pass."""

    idempotency_key: str | None = None

    def request(self, method, url, params=None, data=None, headers=None, **kwargs):
        if self.idempotency_key:
            headers = {**(headers or {}), "Idempotency-Key": self.idempotency_key}
        return super().request(method, url, params=params, data=data, headers=headers, **kwargs)


class TwilioSmsBackend(BaseSmsBackend):
    def __init__(self, *args, timeout: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=_HttpClient(timeout=timeout or TIMEOUT_SECONDS),
        )
        if settings.TWILIO_BASE_URL:
            # A stand-in for api.twilio.com (tests, a regional proxy).
            self.client.api.base_url = settings.TWILIO_BASE_URL

    def send(self, *, to: str, body: str, idempotency_key: str | None = None) -> str:
        self.client.http_client.idempotency_key = idempotency_key
        try:
            message = self.client.messages.create(
                to=to, from_=settings.TWILIO_FROM_NUMBER, body=body
            )
        except TwilioRestException as exc:
            # 4xx (bad number, unverified sender, bad credentials) will fail the
            # same way again; 429 and 5xx are worth another try.
            permanent = 400 <= exc.status < 500 and exc.status != 429
            raise TransportError(
                f"Twilio answered {exc.status} (code {exc.code})", permanent=permanent
            ) from None
        except (TwilioException, OSError) as exc:
            raise TransportError(f"Twilio unreachable: {type(exc).__name__}") from None
        return message.sid or ""
