#!/usr/bin/env python3
"""Writes a generated national registry in Kallad's YAML format: 21 regions, 290 municipalities, ≈ 10,000 bodies,
≈ 120,000 member seats, one file per region. Deterministic for a seed. Usage: gen_registry.py OUT_DIR [SEED]"""
import os
import random
import sys
from datetime import datetime

from dateutil.rrule import rrulestr

out, seed = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)
REGIONS, MUNICIPALITIES = 21, 290
per_region = [MUNICIPALITIES // REGIONS + (1 if r < MUNICIPALITIES % REGIONS else 0) for r in range(REGIONS)]
WEEKDAYS = ["TU", "WE", "TH"]
MONTH_SETS = [[2, 4, 9, 11], [3, 5, 9, 11], [1, 3, 5, 10], [2, 5, 8, 10, 11], [3, 6, 9, 11], [1, 4, 8, 10],
              [2, 3, 5, 9, 10, 11]]


def first_on_rule(rule):
    return rrulestr(rule, dtstart=datetime(2026, 1, 1, 10, 0)).after(datetime(2025, 12, 31), inc=True)


totals = {"bodies": 0, "seats": 0, "people": 0}
with open(os.path.join(out, "kallad.yaml"), "w") as f:
    f.write("settings:\n  time_zone: Europe/Stockholm\n  language: sv\n")
muni_index = 0
for r in range(REGIONS):
    region = f"region-{r:02d}"
    lines = ["parties:", f"  - {{id: {region}, name: Region {r}, kind: region}}",
             f"  - {{id: {region}-kommuner, name: Kommunerna i region {r}, kind: municipal_association}}"]
    areas, people, offices, bodies = ["areas:"], ["people:"], ["offices:"], ["bodies:"]
    munis = []
    for m in range(per_region[r]):
        muni = f"kommun-{muni_index:03d}"
        muni_index += 1
        munis.append(muni)
        lines.append(f"  - {{id: {muni}, name: Kommun {muni_index}, kind: municipality, part_of: [{region}-kommuner]}}")
    for a in range(4):
        members = munis[a::4]
        if members:
            areas.append(f"  - {{id: {region}-area-{a}, name: Länsdel {a}, parties: [{', '.join(members)}]}}")

    def office(oid, party):
        pid = f"p-{oid}"
        people.append(f"  - {{id: {pid}, name: Person {oid}, email: {oid}@example.se}}")
        offices.append(f"  - {{id: {oid}, title: Befattning {oid}, party: {party}, holder: {pid}}}")
        totals["people"] += 1
        return oid

    region_offices = [office(f"{region}-o{i}", region) for i in range(100)]

    def body(bid, kind, seats, extra):
        totals["bodies"] += 1
        totals["seats"] += len(seats)
        text = [f"  - id: {bid}", f"    name: Organ {bid}", f"    kind: {kind}", "    members:"]
        for s in seats:
            text.append(f"      - {{office: {s[0]}" + (f", substitute_office: {s[1]}" if s[1] else "")
                        + (", coopted: true" if s[2] else "") + "}")
        bodies.extend(text + ["    " + e for e in extra])

    for muni in munis:
        mo = [office(f"{muni}-o{i}", muni) for i in range(40)]

        def seats(n):
            chosen = rng.sample(mo, n // 2) + rng.sample(region_offices, n - n // 2)
            return [(s, rng.choice(mo) if rng.random() < 0.3 else None, rng.random() < 0.05) for s in chosen]

        # Four steering groups with yearly chair rotation; a working committee derived from each; a forum before one.
        for g in range(4):
            sid = f"{muni}-styr-{g}"
            s = seats(14)
            weekday = WEEKDAYS[g % 3]
            rule = f"FREQ=YEARLY;BYMONTH=2,4,9,11;BYDAY=2{weekday}"
            start = first_on_rule(rule)
            body(sid, "steering_group", s, [
                f"chair: {{rotate: {{every: year, from: 2026, order: [{s[0][0]}, {s[1][0]}]}}}}",
                "convener: {same_as: chair}",
                f"secretary: {{rotate: {{every: year, from: 2026, order: [{s[2][0]}, {s[3][0]}]}}}}",
                "cadence: [{at_least: 4, per: year}]",
                f"schedule: {{rrule: \"{rule}\", start: {start:%Y-%m-%d}}}"])
            au = seats(4)
            body(f"{muni}-au-{g}", "working_committee", au, [
                f"chair: {{follows: {{body: {sid}, role: chair}}}}", "convener: {same_as: chair}",
                f"secretary: {{seat: {au[0][0]}}}", f"before: [{{body: {sid}, min_days: 10}}]",
                f"schedule: {{derived: {{from: {sid}, days_before: 14}}}}"])
        f_seats = seats(10)
        rule = "FREQ=YEARLY;BYMONTH=1,3,5,8,10,12;BYDAY=3TU"
        body(f"{muni}-forum", "forum", f_seats, [
            f"chair: {{rotate: {{every: meeting, from: 2026, order: [{f_seats[0][0]}, {f_seats[5][0]}]}}}}",
            "convener: {same_as: chair}", "secretary: {appointed_by: convener}",
            "cadence: [{at_least: 6, per: year}]", f"before: [{{body: {muni}-styr-0, min_days: 7}}]",
            f"schedule: {{rrule: \"{rule}\", start: {first_on_rule(rule):%Y-%m-%d}}}"])
        # A local collaboration whose dates Kallad proposes.
        l_seats = seats(6)
        body(f"{muni}-lokal", "local_collaboration", l_seats, [
            f"convener: {{seat: {l_seats[0][0]}}}", "chair: {same_as: convener}", "secretary: {same_as: convener}",
            "cadence: [{at_least: 4, per: year}]", "schedule: {weekdays: [TU, WE, TH]}"])
        # Networks and strategy groups on standing patterns, three parties rotating yearly.
        for n in range(25):
            s = seats(rng.choice([10, 12, 14, 14, 16]))
            months = rng.choice(MONTH_SETS)
            if n % 5 == 4:
                rule = f"FREQ=MONTHLY;BYMONTH={','.join(map(str, months))};BYDAY=TU,WE,TH;BYSETPOS=-1"
            else:
                rule = (f"FREQ=YEARLY;BYMONTH={','.join(map(str, months))};"
                        f"BYDAY={rng.randint(1, 4)}{rng.choice(WEEKDAYS)}")
            body(f"{muni}-natverk-{n}", rng.choice(["network", "strategy_group"]), s, [
                f"chair: {{rotate: {{every: year, from: 2026, order: [{s[0][0]}, {s[1][0]}, {s[2][0]}]}}}}",
                "convener: {same_as: chair}",
                rng.choice(["secretary: {appointed_by: convener}", f"secretary: {{seat: {s[3][0]}}}"]),
                f"cadence: [{{at_least: {len(months)}, per: year}}]",
                f"schedule: {{rrule: \"{rule}\", start: {first_on_rule(rule):%Y-%m-%d}}}"])
    with open(os.path.join(out, f"{region}.yaml"), "w") as f:
        f.write("\n".join(lines + areas + people + offices + bodies) + "\n")
print(f"{out}: {totals['bodies']} bodies, {totals['seats']} seats, {totals['people']} people")
