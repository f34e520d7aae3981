"""Swedish holidays from the `holidays` package, for HolidayOracleTests.

stdin:  {"years": [1990, 1991, ...]}
stdout: {"version": "0.109", "holidays": [{"date": "1990-01-01", "name": "Nyårsdagen", "kind": "publicHoliday"}, ...]}

Public holidays and de-facto days off are asked for separately, so that each entry carries its kind.
Sundays ("Söndag") are left out: Kallad treats weekends on their own.
"""
import json
import sys

import holidays
from holidays.constants import DE_FACTO, PUBLIC


def entries(years, category, kind):
    calendar = holidays.Sweden(years=years, language="sv", categories=(category,))
    for day, names in sorted(calendar.items()):
        # The package joins two holidays on one date with "; ".
        for name in names.split("; "):
            if name != "Söndag":
                yield {"date": day.isoformat(), "name": name, "kind": kind}


def main():
    years = json.load(sys.stdin)["years"]
    out = list(entries(years, PUBLIC, "publicHoliday")) + list(entries(years, DE_FACTO, "deFacto"))
    sys.stdout.write(json.dumps({"version": holidays.__version__, "holidays": out}))


if __name__ == "__main__":
    main()
