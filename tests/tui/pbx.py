"""A few lines of PBX: rings the app's ring-only SIP agent over real UDP,
then cancels (the caller gave up, or the desk phone answered) and ACKs the
487, as a PBX ringing a contact in parallel would."""

from __future__ import annotations

import socket

HEAD = (
    "{method} sip:{ext}@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{call}\r\n"
    'From: "{name}" <sip:{number}@pbx>;tag=f-{call}\r\n'
    "To: <sip:{ext}@pbx>{to_tag}\r\n"
    "Call-ID: {call}@pbx\r\nCSeq: 1 {method}\r\n{extra}Content-Length: 0\r\n\r\n"
)


class Pbx:
    def __init__(self, agent: tuple[str, int]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.connect(agent)
        self.port = self.sock.getsockname()[1]
        self.calls: dict[str, tuple[str, str]] = {}

    def _send(self, method: str, call: str, extra: str = "", to_tag: str = "") -> None:
        number, name = self.calls[call]
        message = HEAD.format(
            method=method,
            ext="201",
            port=self.port,
            call=call,
            name=name,
            number=number,
            to_tag=to_tag,
            extra=extra,
        )
        self.sock.send(message.encode())

    def ring(self, call: str, number: str, name: str = "") -> None:
        self.calls[call] = (number, name)
        self._send("INVITE", call)

    def cancel(self, call: str, *, answered_elsewhere: bool = False) -> None:
        reason = 'Reason: SIP;cause=200;text="Call completed elsewhere"\r\n'
        self._send("CANCEL", call, reason if answered_elsewhere else "")
        self._send("ACK", call)  # stops the agent repeating its 487

    def close(self) -> None:
        self.sock.close()
