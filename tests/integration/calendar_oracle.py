#!/usr/bin/python3
"""calendar_oracle.py — compares core/calendar.c with Debian's python3-holidays, 2008-2040.

Usage: calendar_oracle.py PATH/TO/calendar_dump
For each city whose patron day python3-holidays knows (the four pilot Questure first), every
Monday-to-Friday day closed by either side must be closed by both, for the same kind of reason
("holiday" = national, "patron" = the city's saint). Weekends are not compared. Exit 77 (skip)
when /usr/bin/python3 has no holidays module; the test is meaningless without the oracle.

Known difference, handled explicitly below: Legge 151/2025 made 4 October (San Francesco
d'Assisi e Santa Caterina da Siena) a national holiday again from 2026. Debian 12 ships
python3-holidays 0.10.1, which predates the law, so for 2026 on the oracle's answer is
corrected to "national holiday on 4 October" before comparing. In Bologna 4 October is also
San Petronio: python calls it the patron day, we call it a national holiday from 2026.
"""
import datetime
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
    for city, prov in CITIES:
        want = expected_days(prov)
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
