"""Parses messages with Python's email package (policy default) and their calendar parts with icalendar.

stdin: JSON list of base64-encoded messages. stdout: JSON list, per message: headers decoded to Unicode, the MIME
structure, the text body, and per calendar part the parsed VEVENT fields, plus line checks (CRLF, ≤ 75 octets).
"""
import base64
import json
import sys
from email import message_from_bytes, policy

import icalendar


def line_problems(raw: bytes):
    problems = []
    if b"\n" in raw.replace(b"\r\n", b""):
        problems.append("bare LF")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            problems.append(f"line of {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("a fold splits a UTF-8 character")
    return problems


def calendar(raw: bytes):
    cal = icalendar.Calendar.from_ical(raw)
    events = []
    for event in cal.walk("VEVENT"):
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        events.append({
            "uid": str(event["UID"]),
            "sequence": int(event.get("SEQUENCE", 0)),
            "summary": str(event["SUMMARY"]),
            "location": str(event.get("LOCATION", "")),
            "description": str(event.get("DESCRIPTION", "")),
            "status": str(event.get("STATUS", "")),
            "dtstart_utc": event.decoded("DTSTART").astimezone(__import__("datetime").timezone.utc).isoformat(),
            "dtend_utc": event.decoded("DTEND").astimezone(__import__("datetime").timezone.utc).isoformat(),
            "organizer": str(event["ORGANIZER"]),
            "organizer_cn": str(event["ORGANIZER"].params.get("CN", "")),
            "attendees": [{"address": str(a), "cn": str(a.params.get("CN", "")), "role": str(a.params.get("ROLE", ""))}
                          for a in attendees],
        })
    return {"method": str(cal.get("METHOD", "")), "events": events, "line_problems": line_problems(raw)}


def main():
    out = []
    for item in json.load(sys.stdin):
        raw = base64.b64decode(item)
        msg = message_from_bytes(raw, policy=policy.default)
        parts = []
        calendars = []
        text = None
        for part in msg.walk():
            parts.append(part.get_content_type())
            if part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            if part.get_content_type() in ("text/calendar", "application/ics"):
                calendars.append(calendar(part.get_payload(decode=True)))
        out.append({
            "from": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
            "sender": str(msg["Sender"]) if msg["Sender"] else None,
            "message_id": str(msg["Message-ID"]), "date": str(msg["Date"]),
            "defects": [type(d).__name__ for d in msg.defects] + [type(d).__name__ for p in msg.walk() for d in p.defects],
            "parts": parts, "text": text, "calendars": calendars,
            "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
            "long_lines": sum(1 for line in raw.split(b"\r\n") if len(line) > 998),
        })
    print(json.dumps(out))


main()
