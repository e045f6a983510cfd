"""A 30,000-row registry with addresses, imported: `python -m bench.registry_import`.

Issue 15 asks for the import's time at national scale, with addresses in the new form ("Thôn
Bản Chắt, Xã Mẫu Sơn, Tỉnh Lạng Sơn") and the old one ("…, xã Vân Thủy, huyện Chi Lăng, tỉnh
Lạng Sơn"), and that parsing the addresses does not dominate it. The file is drawn from Lạng
Sơn's real communes and former wards (the catalogue), as a registry types it: a few hundred
hamlets, so addresses repeat. Each phase of `htxso import cooperatives` is timed on a fresh
SQLite database (or `--database URL`): reading the spreadsheet, checking every row (placing
addresses included), and writing; the placing of every distinct address is timed on its own,
so its share of the whole shows. The floor is Python's `csv` module reading the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from app import migrate
from app.areas import service as areas
from app.areas.models import Area, AreaLevel, AreaLink
from app.cooperatives import importer
from app.cooperatives.places import Where, area_resolver
from app.db import Database
from app.demo.registry import NAME_WORDS, SECTOR_PREFIX, SECTOR_WEIGHTS

PROVINCE = "20"
HAMLETS = ("Thôn", "Bản", "Khối", "Thôn Nà", "Bản Pò", "Khu")


def registry_csv(database: Database, rows: int, seed: int = 15) -> bytes:
    """A registry as an officer's spreadsheet saves it: half the addresses old, half new."""
    rng = random.Random(seed)
    with database.read_sessions() as session:
        communes = list(session.scalars(select(Area.name).where(Area.level == AreaLevel.COMMUNE)))
        district_names = {
            a.id: a.name
            for a in session.scalars(select(Area).where(Area.level == AreaLevel.FORMER_DISTRICT))
        }
        # A ward split between communes is a problem the import reports (the officer must
        # give the new commune): the drawn registry uses the wards that went whole.
        whole = select(AreaLink.former_ward_id).group_by(AreaLink.former_ward_id)
        whole = whole.having(func.count() == 1)
        wards = [
            (w.name, district_names[w.parent_id])
            for w in session.scalars(select(Area).where(Area.id.in_(whole)))
            if w.parent_id in district_names
        ]
    hamlets = [f"{rng.choice(HAMLETS)} {word}" for word in NAME_WORDS]
    sectors = list(SECTOR_WEIGHTS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["STT", "Mã số HTX", "Tên HTX", "Lĩnh vực", "Số thành viên", "Địa chỉ"])
    for number in range(rows):
        sector = rng.choices(sectors, list(SECTOR_WEIGHTS.values()))[0]
        hamlet = rng.choice(hamlets)
        if number % 2:
            ward, district = rng.choice(wards)
            # Old form: lower-case unit words, as typed in registries before the reform.
            address = f"{hamlet}, {ward[0].lower()}{ward[1:]}, {district.lower()}, tỉnh Lạng Sơn"
        else:
            address = f"{hamlet}, {rng.choice(communes)}, Tỉnh Lạng Sơn"
        writer.writerow(
            [
                number + 1,
                f"49{number + 1:08d}",
                f"{SECTOR_PREFIX[sector]} {rng.choice(NAME_WORDS)} {number + 1}",
                sector,
                rng.randint(7, 80),
                address,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--database", help="a database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'import.db'}"
        migrate.upgrade(url)
        database = Database(url)
        with database.transaction() as session:
            areas.load_provinces(session, codes=[PROVINCE])
        data = registry_csv(database, args.rows)

        started = time.perf_counter()
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        floor = time.perf_counter() - started

        started = time.perf_counter()
        table, columns = importer.read_file(data, filename="registry.csv")
        reading = time.perf_counter() - started

        with database.read_sessions() as session:
            started = time.perf_counter()
            plan = importer.check_table(session, table=table, columns=columns)
            checking = time.perf_counter() - started
            if not plan.ok:
                raise SystemExit(f"the drawn registry has problems: {plan.problems[:3]}")
            address = columns.by_field["address"]
            distinct = {cells[address] for _, cells in table.rows}
            started = time.perf_counter()
            find = area_resolver(session)
            for text in distinct:
                find(Where(address=text))
            placing = time.perf_counter() - started

        started = time.perf_counter()
        with database.transaction() as session:
            inserted, updated = importer.apply_plan(session, plan=plan)
        writing = time.perf_counter() - started
        database.dispose()

    total = reading + checking + writing
    print(f"{len(rows) - 1:,} rows, {len(distinct):,} distinct addresses, {len(data):,} bytes")
    print(f"floor: csv.reader over the bytes     {floor:6.2f} s")
    print(f"read the file (importer.read_file)   {reading:6.2f} s  ({reading / floor:.1f}× floor)")
    print(f"check every row (addresses placed)   {checking:6.2f} s")
    print(f"  of which: place the distinct ones  {placing:6.2f} s  ({placing / total:.0%} of all)")
    print(f"write ({inserted:,} new, {updated:,} changed)        {writing:6.2f} s")
    print(f"import in all                        {total:6.2f} s")


if __name__ == "__main__":
    main()
