"""Offsets and wall-clock times from the tz database (Python's zoneinfo), for ZoneRulesOracleTests.

stdin:  {"zones": [{"zone": "Europe/Stockholm", "transitionYears": [1996, 2100],
                    "instants": [epoch seconds, ...], "locals": [[y, m, d, hour, minute], ...]}, ...]}
stdout: {"tzdata": "...", "zones": [{
            "transitions": [[epoch, offset before, offset after], ...]  (found by scanning, not from Kallad),
            "offsets": [UTC offset in seconds at each instant],
            "walls": [[y, m, d, hour, minute] of each instant],
            "instants": [epoch of each local time, fold=0: the first of a repeated time and the offset
                         from before the gap for a skipped one, as RFC 5545 says],
            "odd": [whether each local time is skipped or repeated]}, ...]}
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def offset(zone, epoch):
    return int(datetime.fromtimestamp(epoch, zone).utcoffset().total_seconds())


def transitions(zone, first_year, last_year):
    found = []
    day = int(datetime(first_year, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=timezone.utc).timestamp())
    before = offset(zone, day)
    while day < end:
        after = offset(zone, day + 86400)
        if before != after:
            low, high = day, day + 86400  # offset(low) == before, offset(high) == after
            while high - low > 1:
                mid = (low + high) // 2
                if offset(zone, mid) == before:
                    low = mid
                else:
                    high = mid
            found.append([high, before, after])
        before = after
        day += 86400
    return found


def answer(query):
    zone = ZoneInfo(query["zone"])
    first, last = query["transitionYears"]
    walls, offsets = [], []
    for epoch in query["instants"]:
        local = datetime.fromtimestamp(epoch, zone)
        offsets.append(int(local.utcoffset().total_seconds()))
        walls.append([local.year, local.month, local.day, local.hour, local.minute])
    instants, odd = [], []
    for y, m, d, hour, minute in query["locals"]:
        first_fold = datetime(y, m, d, hour, minute, tzinfo=zone, fold=0)
        second_fold = first_fold.replace(fold=1)
        instants.append(int(first_fold.timestamp()))
        odd.append(first_fold.utcoffset() != second_fold.utcoffset())
    return {
        "transitions": transitions(zone, first, last),
        "offsets": offsets,
        "walls": walls,
        "instants": instants,
        "odd": odd,
    }


def tzdata_version():
    try:
        with open("/usr/share/zoneinfo/tzdata.zi") as f:
            return f.readline().strip().removeprefix("# version ")
    except OSError:
        return "unknown"


def main():
    request = json.load(sys.stdin)
    # json.dumps uses the C encoder; json.dump to a stream does not.
    sys.stdout.write(json.dumps({"tzdata": tzdata_version(), "zones": [answer(q) for q in request["zones"]]}))


if __name__ == "__main__":
    main()
