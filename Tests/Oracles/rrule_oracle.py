"""RRULE oracle: python-dateutil expands recurrence sets for RecurrenceOracleTests.

Reads {"cases": [...]} as JSON on stdin; each case has freq, interval, bymonth, bymonthday, byday ([ordinal or 0,
"MO"]), bysetpos, count, until ("YYYY-MM-DD" for a date, through its end, or "YYYY-MM-DDTHH:MM:SS"), wkst,
dtstart ("YYYY-MM-DDTHH:MM"), rdates, exdates, from and through ("YYYY-MM-DD"), and norule (true for a set of
DTSTART and RDATEs only). Writes {"results": [{"local": [...], "utc": [...], "first": ...}]}: the occurrences whose
dates lie in from..through as local "YYYY-MM-DDTHH:MM" and as Unix seconds in Europe/Stockholm (fold=0, the first of
a repeated hour, as RFC 5545), and dateutil's first occurrence of the rule with that DTSTART.

The set is built in code (rrule + rdate + exdate in an rruleset), not with rrulestr, as ../../../shared/ORACLES.md
asks. One deliberate adjustment, WEEKLY with BYSETPOS, is described at weekly_setpos_occurrences.
"""
import itertools
import json
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as r

FREQ = {"YEARLY": r.YEARLY, "MONTHLY": r.MONTHLY, "WEEKLY": r.WEEKLY}
DAYS = {"MO": r.MO, "TU": r.TU, "WE": r.WE, "TH": r.TH, "FR": r.FR, "SA": r.SA, "SU": r.SU}
WEEKDAY_INDEX = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
ZONE = ZoneInfo("Europe/Stockholm")


def local(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M")


def until_of(text):
    if text is None:
        return None
    if len(text) == 10:  # a date UNTIL lets the whole day through
        return datetime.strptime(text, "%Y-%m-%d") + timedelta(hours=23, minutes=59, seconds=59)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S")


def make_rule(case, dtstart, count, until):
    byday = [DAYS[d](n) if n else DAYS[d] for n, d in case["byday"]]
    return r.rrule(
        FREQ[case["freq"]],
        dtstart=dtstart,
        interval=case["interval"],
        wkst=DAYS[case["wkst"]],
        count=count,
        until=until,
        bymonth=case["bymonth"] or None,
        bymonthday=case["bymonthday"] or None,
        byweekday=byday or None,
        bysetpos=case["bysetpos"] or None,
    )


def weekly_setpos_occurrences(case, dtstart):
    """WEEKLY with BYSETPOS: dateutil makes its first week run from DTSTART to the next WKST rather than being the
    whole week (rrule.wdayset; dateutil issue #1398), so BYSETPOS picks from a partial set in that week. RFC 5545
    applies BYSETPOS to the whole week. So expand from the first day of DTSTART's week (by WKST), with the weekdays
    given explicitly so the default does not move, drop what falls before DTSTART, and count COUNT from DTSTART."""
    week_start = dtstart - timedelta(days=(dtstart.weekday() - WEEKDAY_INDEX[case["wkst"]]) % 7)
    adjusted = dict(case)
    if not case["byday"]:
        adjusted["byday"] = [[0, list(DAYS)[dtstart.weekday()]]]
    rule = make_rule(adjusted, week_start, None, until_of(case["until"]))
    found = (d for d in rule if d >= dtstart)
    if case["count"] is not None:
        found = itertools.islice(found, case["count"])
    return found


def expand(case):
    dtstart = local(case["dtstart"])
    start = datetime.strptime(case["from"], "%Y-%m-%d")
    end = datetime.strptime(case["through"], "%Y-%m-%d") + timedelta(hours=23, minutes=59, seconds=59)
    rset = r.rruleset()
    first = None
    if case["norule"]:
        rset.rdate(dtstart)
    elif case["freq"] == "WEEKLY" and case["bysetpos"]:
        for d in itertools.takewhile(lambda d: d <= end, weekly_setpos_occurrences(case, dtstart)):
            rset.rdate(d)
        first = next(weekly_setpos_occurrences(dict(case, count=None, until=None), dtstart), None)
    else:
        rset.rrule(make_rule(case, dtstart, case["count"], until_of(case["until"])))
        first = next(iter(make_rule(case, dtstart, None, None)), None)
    for d in case["rdates"]:
        rset.rdate(local(d))
    for d in case["exdates"]:
        rset.exdate(local(d))
    found = rset.between(start, end, inc=True)
    return {
        "local": [d.strftime("%Y-%m-%dT%H:%M") for d in found],
        "utc": [int(d.replace(tzinfo=ZONE).timestamp()) for d in found],
        "first": first.strftime("%Y-%m-%dT%H:%M") if first else None,
    }


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"results": [expand(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
