"""Email through Django's email framework (settings.EMAIL_BACKEND: SMTP, console, locmem)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from clinic.notifications.backends.base import TransportError


def send_email(
    *, to: str, subject: str, text: str, html: str, message_id: str, attachments=()
) -> str:
    """Send one email with the given Message-ID (the same on every attempt: receivers and
    mail stores recognise a resend by it); returns the Message-ID without its brackets."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=get_connection(fail_silently=False),
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        raise TransportError("The mail server refused the recipient", permanent=True) from None
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word; 4xx is "try again later".
        raise TransportError(
            f"The mail server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"Mail server unreachable: {type(exc).__name__}") from None
    return message_id.strip("<>")
