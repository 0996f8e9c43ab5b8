"""Each message is a named template set, rendered at send time from the ids on the outbox row.

`notifications/<name>/subject.txt`, `body.txt`, `body.html` (email) and
`sms.txt` (SMS). The data comes from the builder the owning app registered
(clinic.notifications.registry); None means the message is no longer worth
sending. A builder may add `attachments`: (file name, content, MIME type)
triples that go with the email (e.g. an appointment's .ics).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from clinic.notifications import registry


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str
    attachments: tuple = ()


def render(*, template: str, channel: str, context: dict) -> Rendered | None:
    data = registry.message_type(template).builder(context)
    if data is None:
        return None
    # Links in messages are absolute, on the portal's public address.
    data = {"clinic": settings.CLINIC, "portal_url": settings.PORTAL_BASE_URL + "/", **data}
    base = f"notifications/{template}"
    if channel == "sms":
        return Rendered("", "", "", render_to_string(f"{base}/sms.txt", data).strip())
    return Rendered(
        subject=" ".join(render_to_string(f"{base}/subject.txt", data).split()),
        text=render_to_string(f"{base}/body.txt", data).strip() + "\n",
        html=render_to_string(f"{base}/body.html", data),
        sms="",
        attachments=tuple(data.get("attachments", ())),
    )
