#!/usr/bin/env python3
"""The peer for Kallad's rule expansion: every RRULE body of a generated registry expanded for one year with
python-dateutil, the rules built before the clock starts, as Kallad's are. Usage: dateutil_peer.py DIR YEAR.
Prints JSON {rule_sets, occurrences, seconds}."""
import glob
import json
import sys
import time
from datetime import datetime

import yaml
from dateutil.rrule import rrulestr

folder, year = sys.argv[1], int(sys.argv[2])
rules = []
for path in sorted(glob.glob(folder + "/*.yaml")):
    for body in (yaml.safe_load(open(path)) or {}).get("bodies", []) or []:
        schedule = body.get("schedule") or {}
        if "rrule" in schedule:
            start = schedule["start"]
            hours = body.get("hours", "10:00-15:00").split("-")[0]
            dtstart = datetime.combine(start, datetime.strptime(hours, "%H:%M").time())
            rules.append(rrulestr(schedule["rrule"], dtstart=dtstart))
first, last = datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59)
began = time.perf_counter()
occurrences = sum(len(rule.between(first, last, inc=True)) for rule in rules)
seconds = time.perf_counter() - began
print(json.dumps({"rule_sets": len(rules), "occurrences": occurrences, "seconds": seconds}))
