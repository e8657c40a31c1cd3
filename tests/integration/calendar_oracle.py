#!/usr/bin/python3
"""calendar_oracle.py — compares core/calendar.c with Debian's python3-holidays, 2008-2040.

Usage: calendar_oracle.py PATH/TO/calendar_dump
For every city of calendar.c's patron table (the four pilot Questure first), every
Monday-to-Friday day closed by either side must be closed by both, for the same kind of reason
("holiday" = national, "patron" = the city's saint). Weekends are not compared. Exit 77 (skip)
when /usr/bin/python3 has no holidays module; the test is meaningless without the oracle.

python3-holidays 0.10.1 knows no patron day for five cities of the table (Bergamo, Cagliari,
Trento, Venezia, Verona): for those the national days still come from the oracle and the
patron day from OUTSIDE_ORACLE below, written from the dioceses' calendars (the same dates
later python-holidays releases list), not copied from calendar.c. The table in calendar.c is
read from the source so a city added there without an entry here fails the test.

Known difference, handled explicitly below: Legge 151/2025 made 4 October (San Francesco
d'Assisi e Santa Caterina da Siena) a national holiday again from 2026. Debian 12 ships
python3-holidays 0.10.1, which predates the law, so for 2026 on the oracle's answer is
corrected to "national holiday on 4 October" before comparing. In Bologna 4 October is also
San Petronio: python calls it the patron day, we call it a national holiday from 2026.
"""
import datetime
import os
import re
import subprocess
import sys

try:
    import holidays
except ImportError:
    print("SKIP: /usr/bin/python3 has no 'holidays' module (Debian: python3-holidays)")
    sys.exit(77)

FIRST_YEAR, LAST_YEAR = 2008, 2040
FOUR_OCTOBER_FROM = 2026  # Legge 151/2025

# (city as the kiosk names it, province code as python3-holidays knows it). The pilots first;
# then every other city of our patron table that python3-holidays 0.10.1 also lists.
CITIES = [
    ("Roma", "RM"), ("Milano", "MI"), ("Bologna", "BO"), ("Padova", "PD"),
    ("Torino", "TO"), ("Genova", "GE"), ("Firenze", "FI"), ("Napoli", "NA"), ("Bari", "BA"),
    ("Palermo", "PA"), ("Trieste", "TS"), ("Catania", "CT"), ("Brescia", "BS"),
    ("Modena", "MO"), ("Parma", "PR"), ("Ancona", "AN"), ("Perugia", "PG"), ("Aosta", "AO"),
    ("Messina", "ME"), ("Piacenza", "PC"), ("Ferrara", "FE"), ("Campobasso", "CB"),
    ("Mantova", "MN"), ("La Spezia", "SP"), ("Monza", "MB"),
]

# Cities of the table whose patron day python3-holidays 0.10.1 does not list:
# (city, month, day, saint).
OUTSIDE_ORACLE = [
    ("Bergamo", 8, 26, "Sant'Alessandro"), ("Cagliari", 10, 30, "San Saturnino"),
    ("Trento", 6, 26, "San Vigilio"), ("Venezia", 4, 25, "San Marco"),
    ("Verona", 5, 21, "San Zeno"),
]

CALENDAR_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "firmware",
                          "core", "calendar.c")


def table_cities():
    """The city names of calendar.c's PATRONS table, lower case as written there."""
    with open(CALENDAR_C, encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("PATRONS[] = {"):]
    body = body[:body.index("};")]
    return set(re.findall(r'\{"([a-z][a-z \']*)",\s*\d+,\s*\d+\}', body))


def expected_days(prov):
    """{date: "holiday" | "patron"} for Monday-Friday closed days, per the oracle."""
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    national = holidays.IT(years=years)
    local = holidays.IT(prov=prov, years=years)
    patron = [d for d in local if d not in national]
    if len(patron) != len(years):
        # This python3-holidays does not list the province's patron day: do not trust it.
        raise SystemExit(f"FAIL: python3-holidays {holidays.__version__} lists {len(patron)} "
                         f"patron days for prov={prov} in {len(years)} years")
    want = {}
    for day in local:
        if day.weekday() < 5:
            want[day] = "holiday" if day in national else "patron"
    for year in years:
        oct4 = datetime.date(year, 10, 4)
        if year >= FOUR_OCTOBER_FROM and oct4.weekday() < 5:
            want[oct4] = "holiday"  # L. 151/2025, newer than the oracle (see above)
    return want


def outside_expected_days(month, day):
    """As expected_days, for a city whose patron day the oracle does not know."""
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    national = holidays.IT(years=years)
    want = {d: "holiday" for d in national if d.weekday() < 5}
    for year in years:
        oct4 = datetime.date(year, 10, 4)
        if year >= FOUR_OCTOBER_FROM and oct4.weekday() < 5:
            want[oct4] = "holiday"  # L. 151/2025, newer than the oracle (see above)
        patron = datetime.date(year, month, day)
        if patron.weekday() < 5 and patron not in want:
            want[patron] = "patron"
    return want


def dumped_days(dump, city):
    out = subprocess.run([dump, city, str(FIRST_YEAR), str(LAST_YEAR)], check=True,
                         capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        text, status, _name = line.split(" ", 2)
        got[datetime.date.fromisoformat(text)] = status
    return got


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: calendar_oracle.py PATH/TO/calendar_dump")
    print(f"python3-holidays {holidays.__version__}, years {FIRST_YEAR}-{LAST_YEAR}")
    failures = 0
    covered = {c.lower() for c, _ in CITIES} | {c.lower() for c, *_ in OUTSIDE_ORACLE}
    table = table_cities()
    if len(table) < 20 or table - covered:
        raise SystemExit(f"FAIL: calendar.c's patron table has {len(table)} cities; not compared"
                         f" here: {sorted(table - covered)}")
    cases = [(city, prov, lambda prov=prov: expected_days(prov)) for city, prov in CITIES]
    cases += [(city, f"{saint} {day}/{month}",
               lambda month=month, day=day: outside_expected_days(month, day))
              for city, month, day, saint in OUTSIDE_ORACLE]
    for city, prov, expected in cases:
        want = expected()
        got = dumped_days(sys.argv[1], city)
        diffs = sorted(set(want) | set(got))
        diffs = [d for d in diffs if want.get(d) != got.get(d)]
        for d in diffs[:10]:
            print(f"  {city} ({prov}) {d}: oracle {want.get(d, 'open')}, "
                  f"calendar.c {got.get(d, 'open')}")
        status = "ok" if not diffs else f"{len(diffs)} differences"
        print(f"{city} ({prov}): {len(want)} closed working days compared, {status}")
        failures += len(diffs)
    if failures:
        raise SystemExit(f"FAIL: {failures} days differ")
    print("PASS")


if __name__ == "__main__":
    main()
