"""An SMTP server for the cluster tests that records each accepted message, and can
hold one in the middle of DATA until told to go on (aiosmtpd handler).

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c tests.cluster.smtp_sink.StallingInbox DIR

Creating DIR/stall makes the next message wait inside DATA, before the server has
said 250: it writes DIR/stalled and waits until DIR/stall is removed. A message is
recorded in DIR/delivered.jsonl only if the client is still there to hear the 250,
as a real server's acceptance counts only once the client has it.
"""

import asyncio
import email
import email.policy
import json
from pathlib import Path


class StallingInbox:
    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("The folder for the messages is required")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        stall = self.folder / "stall"
        if stall.exists():
            (self.folder / "stalled").write_text(message["Message-ID"] or "")
            while stall.exists():
                await asyncio.sleep(0.05)
        transport = getattr(server, "transport", None)
        if transport is None or transport.is_closing():
            return "451 Client went away"
        with (self.folder / "delivered.jsonl").open("a") as out:
            out.write(
                json.dumps(
                    {
                        "message_id": message["Message-ID"],
                        "to": envelope.rcpt_tos,
                        "subject": str(message["Subject"]),
                    }
                )
                + "\n"
            )
        return "250 Message accepted for delivery"


def delivered(folder: Path) -> list[dict]:
    path = folder / "delivered.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]
