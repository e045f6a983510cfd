"""A deterministic national dataset, bulk-inserted, beside a raw `executemany` floor.

Areas: the national catalogue (`app.areas.catalogue`): at national scale the 34 provinces and
3,321 communes of 2025 with the former districts and wards behind them, at the smaller scales
Lạng Sơn and the first few other provinces. Registry: cooperatives spread over the communes,
each with the former district its commune mostly came from, with the demo's sector mix and
products. Answers: three waves drawn with the demo's
own answer model (`app.demo`), scored by the real engine.

The rows are drawn once, with explicit primary keys, and written to every database of the run
twice: through SQLAlchemy Core (how the portal bulk-loads) into the database the benchmarks
use, and through the bare driver's `executemany` into a twin database with the same migrated
schema (the floor). Both commit once per chunk.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.orm import Session, aliased

from app.accounts import service as accounts
from app.accounts.models import Role
from app.areas import catalogue
from app.areas import service as areas
from app.areas.models import Area, AreaLevel, AreaLink
from app.db import Database
from app.demo.answers import BASE_MATURITY, SECTOR_MATURITY, draw_subjects
from app.demo.registry import FAMILY, GIVEN, NAME_WORDS, PRODUCTS, SECTOR_PREFIX, SECTOR_WEIGHTS
from app.demo.responses import Actors, draw_response
from app.demo.waves import TODAY, DemoWave, WaveRef, published_forms
from app.demo.waves import WAVES as DEMO_WAVES
from app.responses import service as responses
from app.responses.models import ResponseStatus, Wave, WaveStatus
from app.tables import metadata
from bench.common import BIN, ROOT, Scale, Target, drop, libpq, recreate, say

SEED = 2026
BUILTIN_PROVINCE = "20"
WAVES = (
    DemoWave(
        "2024", "Đợt đánh giá 2024", WaveStatus.CLOSED,
        dt.date(2024, 3, 1), dt.date(2024, 10, 31), submitted=0.70, drafts=0.0,
    ),
    DemoWave(
        "2025", "Đợt đánh giá 2025", WaveStatus.CLOSED,
        dt.date(2025, 3, 1), dt.date(2025, 10, 31), submitted=0.80, drafts=0.0,
    ),
    DemoWave(
        "2026", "Đợt đánh giá 2026", WaveStatus.OPEN,
        dt.date(2026, 3, 1), dt.date(2026, 12, 31), submitted=0.60, drafts=0.20,
    ),
)  # fmt: skip
ADVISOR, STEERING, ADMIN = "bench_canbo", "bench_bancd", "bench_admin"
COOPS_PER_CHUNK = 1000
TABLES = ("cooperatives", "products", "responses", "answers", "dimension_scores")


def bench_forms(session: Session) -> list[dict[str, Any]]:
    """Each bench wave asks what the demo wave of the same status asks (open: the newest)."""
    by_status = dict(zip((w.status for w in DEMO_WAVES), published_forms(session), strict=True))
    return [by_status[spec.status] for spec in WAVES]


@dataclass
class Timings:
    """Rows written and seconds spent per side, for one database."""

    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    app_seconds: float = 0.0
    floor_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        total = sum(self.rows.values())
        return {
            "rows": self.rows,
            "total_rows": total,
            "app_seconds": round(self.app_seconds, 3),
            "floor_seconds": round(self.floor_seconds, 3),
            "app_rows_per_s": round(total / self.app_seconds) if self.app_seconds else None,
            "floor_rows_per_s": round(total / self.floor_seconds) if self.floor_seconds else None,
            "ratio": (
                round(self.app_seconds / self.floor_seconds, 2) if self.floor_seconds else None
            ),
        }


# Areas ---------------------------------------------------------------------------------------


def province_codes(scale: Scale) -> list[str] | None:
    """The 2025 provinces a scale loads besides the built-in one; None for the whole country."""
    every = [u.code for u in catalogue.national().units if u.level == AreaLevel.PROVINCE]
    if scale.provinces >= len(every):
        return None
    return [code for code in every if code != BUILTIN_PROVINCE][: scale.provinces - 1]


def main_former_districts(session: Session) -> dict[int, int]:
    """Each commune's former district: the one most of its wards came from (lowest id on a tie)."""
    ward = aliased(Area)
    shares: dict[int, Counter[int]] = {}
    for commune_id, district_id in session.execute(
        select(AreaLink.commune_id, ward.parent_id)
        .join(ward, ward.id == AreaLink.former_ward_id)
        .where(AreaLink.main)
    ):
        if district_id is not None:
            shares.setdefault(commune_id, Counter())[district_id] += 1
    return {
        commune: min(counts, key=lambda d: (-counts[d], d)) for commune, counts in shares.items()
    }


# Loading into one database, both ways --------------------------------------------------------


class Sink:
    """One database of the run: the app's side (SQLAlchemy Core) and its floor twin (driver)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.timings = Timings()
        self.db: Database | None = None
        self.floor: Any = None

    def prepare(self, scale: Scale) -> None:
        """Fresh databases: `htxso init` on both, national areas and bench accounts on both."""
        for url in (self.target.url, self.target.floor_url):
            recreate(url)
            env = self.target.env() | {"DATABASE_URL": url}
            subprocess.run(
                [str(BIN / "htxso"), "init"], cwd=ROOT, env=env, check=True, capture_output=True
            )
            database = Database(url)
            with database.transaction() as session:
                codes = province_codes(scale)
                if codes is None:
                    areas.load_national(session)
                elif codes:  # none: Lạng Sơn alone, as the demo has it
                    areas.load_provinces(session, codes=codes)
                for username, role in ((ADVISOR, Role.ADVISOR), (STEERING, Role.STEERING)):
                    accounts.create_user(
                        session,
                        username=username,
                        full_name=username,
                        role=role,
                        password=None,
                        whole_province=True,
                    )
                accounts.create_user(
                    session, username=ADMIN, full_name=ADMIN, role=Role.ADMIN, password=None
                )
                per_wave = bench_forms(session)
                for index, spec in enumerate(WAVES):
                    responses.create_wave(
                        session,
                        key=spec.key,
                        name=spec.name,
                        version_ids={key: form.version_id for key, form in per_wave[index].items()},
                        opens_on=spec.opens_on,
                        closes_on=spec.closes_on,
                        status=spec.status,
                    )
            database.dispose()
        self.db = Database(self.target.url)
        self.floor = _connect_raw(self.target.floor_url)

    def write(self, batches: Sequence[tuple[str, list[dict[str, Any]]]]) -> None:
        """Write the same rows both ways, one transaction each, and time each."""
        assert self.db is not None
        engine: Engine = self.db.engine
        started = time.perf_counter()
        with engine.begin() as conn:
            for name, rows in batches:
                if rows:
                    for group in _alike(rows):
                        conn.execute(insert(metadata.tables[name]), group)
        self.timings.app_seconds += time.perf_counter() - started
        started = time.perf_counter()
        _raw_write(self.floor, self.target.kind, batches)
        self.timings.floor_seconds += time.perf_counter() - started
        for name, rows in batches:
            self.timings.rows[name] += len(rows)

    def finish(self) -> None:
        """Sequences past the explicit ids, fresh planner statistics, the floor twin dropped."""
        assert self.db is not None
        self.floor.close()
        drop(self.target.floor_url)
        with self.db.engine.begin() as conn:
            if self.target.kind == "postgresql":
                for name in ("cooperatives", "products", "responses"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
        if self.target.kind == "postgresql":
            # What autovacuum would have done by the time anyone reads the data.
            with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        self.db.dispose()
        if self.target.kind == "sqlite":
            raw = sqlite3.connect(self.target.sqlite_path, isolation_level=None)
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.close()


def _alike(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows grouped by their keys (a draft has no score_detail, so that it stays SQL NULL)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    yield from groups.values()


def _connect_raw(url: str) -> Any:
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        # The portal's own connection settings (app/db.py).
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        return conn
    import psycopg

    return psycopg.connect(libpq(url))


def _raw_write(conn: Any, kind: str, batches: Sequence[tuple[str, list[dict[str, Any]]]]) -> None:
    """The floor: each table's rows as tuples, straight to the driver's executemany."""
    marker = "?" if kind == "sqlite" else "%s"
    if kind == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
    cursor = conn.cursor()
    for name, rows in batches:
        if not rows:
            continue
        table: Table = metadata.tables[name]
        # Drafts carry no score_detail: the column is sent as NULL for them.
        columns = [
            c.name
            for c in table.columns
            if c.name in rows[0] or (name == "responses" and c.name == "score_detail")
        ]
        convert = [_converter(table.c[c].type, kind) for c in columns]
        sql = (
            f"INSERT INTO {name} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))})"
        )
        cursor.executemany(
            sql,
            [tuple(f(row.get(c)) for f, c in zip(convert, columns, strict=True)) for row in rows],
        )
    if kind == "sqlite":
        conn.execute("COMMIT")
    else:
        conn.commit()


def _identity(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _sqlite_time(value: Any) -> Any:
    if value is None:
        return None
    moment: dt.datetime = value.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _converter(kind_of: Any, kind: str) -> Any:
    name = type(kind_of).__name__
    if name == "JSON":
        return _json
    if kind == "sqlite":
        return _sqlite_time if name == "UTCDateTime" else _sqlite_plain
    return _identity


# Drawing the rows ----------------------------------------------------------------------------


@dataclass
class Refs:
    """Ids every database shares (they are made the same way, in the same order)."""

    # commune id, commune name, province name, the former district it mostly came from
    communes: list[tuple[int, str, str, int | None]]
    advisor_id: int
    forms: list[dict[str, Any]]  # per demo wave, as `published_forms` gives them
    waves: list[Any]


def read_refs(target: Target) -> Refs:
    database = Database(target.url)
    with database.transaction() as session:
        names = {a.id: a.name for a in session.scalars(select(Area))}
        district_of = main_former_districts(session)
        communes = [
            (a.id, a.name, names.get(a.parent_id or 0, ""), district_of.get(a.id))
            for a in session.scalars(
                select(Area).where(Area.level == AreaLevel.COMMUNE).order_by(Area.id)
            )
        ]
        advisor = accounts.get_user(session, username=ADVISOR)
        assert advisor is not None
        forms = bench_forms(session)
        waves = [
            WaveRef(spec, wave.id, index)
            for index, spec in enumerate(WAVES)
            if (wave := session.scalar(select(Wave).where(Wave.key == spec.key))) is not None
        ]
    database.dispose()
    return Refs(communes, advisor.id, forms, waves)


def registry(
    rng: random.Random, refs: Refs, count: int
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Cooperatives and products, a chunk at a time, with explicit ids."""
    weights = [rng.uniform(0.5, 2.0) for _ in refs.communes]
    sectors, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    now = dt.datetime(2026, 1, 15, 3, 0, tzinfo=dt.UTC)
    product_id = 0
    for start in range(0, count, 2000):
        coops, products = [], []
        for number in range(start, min(start + 2000, count)):
            commune_id, area_name, province, district_id = rng.choices(refs.communes, weights)[0]
            sector = rng.choices(sectors, sector_weights)[0]
            place = area_name.split(" ", 1)[-1]
            coops.append(
                {
                    "id": number + 1,
                    "registration_code": f"49{number + 1:08d}",
                    "name": f"{SECTOR_PREFIX[sector]} {rng.choice(NAME_WORDS)} {place}",
                    "area_id": commune_id,
                    "former_district_id": district_id,
                    "sector": sector,
                    "members": int(rng.lognormvariate(3.2, 0.7)) + 7,
                    "founded_year": rng.randint(1997, 2025),
                    "status": rng.choices(["active", "suspended", "dissolved"], [90, 7, 3])[0],
                    "contact_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                    "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
                    "email": None,
                    "address": f"{rng.choice(NAME_WORDS)}, {area_name}, {province}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            catalogue = PRODUCTS.get(sector)
            if not catalogue:
                continue
            for name, group in rng.sample(
                catalogue, k=min(len(catalogue), rng.choice([0, 1, 1, 2, 3]))
            ):
                stars = rng.choices([0, 3, 4, 5], [70, 22, 7, 1])[0]
                product_id += 1
                products.append(
                    {
                        "id": product_id,
                        "cooperative_id": number + 1,
                        "name": name,
                        "ocop_group": group,
                        "stars": stars,
                        "certificate_date": (
                            TODAY - dt.timedelta(days=rng.randint(30, 1500)) if stars else None
                        ),
                        "created_at": now,
                    }
                )
        yield coops, products


def build(targets: list[Target], scale: Scale) -> dict[str, Any]:
    """Build every target's database; returns timings per database and for the drawing."""
    sinks = [Sink(t) for t in targets]
    for sink in sinks:
        say(f"{sink.target.kind}: fresh databases, htxso init, {scale.provinces} provinces")
        sink.prepare(scale)
    refs = read_refs(targets[0])
    for sink in sinks[1:]:
        other = read_refs(sink.target)
        if (other.communes, other.advisor_id, [w.id for w in other.waves]) != (
            refs.communes,
            refs.advisor_id,
            [w.id for w in refs.waves],
        ):
            raise RuntimeError("the databases disagree on ids; the dataset needs them equal")
    rng = random.Random(SEED)
    drawing = 0.0
    coops: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    say(f"registry: {scale.cooperatives:,} cooperatives")
    chunks = registry(rng, refs, scale.cooperatives)
    while True:
        began = time.perf_counter()
        chunk = next(chunks, None)
        drawing += time.perf_counter() - began
        if chunk is None:
            break
        coops += chunk[0]
        products += chunk[1]
        for sink in sinks:
            sink.write([("cooperatives", chunk[0]), ("products", chunk[1])])
    say("answers: three waves")
    drawn = _answers(refs, coops, products, sinks)
    drawing += drawn
    for sink in sinks:
        sink.finish()
    counts = sinks[0].timings.rows
    total = sum(counts.values())
    return {
        "rows": counts,
        "drawing_seconds": round(drawing, 1),
        "drawing_rows_per_s": round(total / drawing) if drawing else None,
        "by_database": {s.target.kind: s.timings.as_dict() for s in sinks},
    }


def _answers(
    refs: Refs, coops: list[dict[str, Any]], products: list[dict[str, Any]], sinks: list[Sink]
) -> float:
    """Three waves of responses, answers and dimension scores; returns the drawing seconds."""
    rng = random.Random(SEED * 7919 + 1)
    actors = Actors(advisor_id=refs.advisor_id, manager_id=None, managed=frozenset())
    active = [c for c in coops if c["status"] == "active"]
    by_coop: dict[int, list[tuple[int, str | None, int]]] = {}
    for p in products:
        by_coop.setdefault(p["cooperative_id"], []).append((p["id"], p["ocop_group"], p["stars"]))
    district = {area_id: rng.gauss(0, 0.05) for area_id in sorted({c["area_id"] for c in active})}
    response_id = 0
    drawing = 0.0
    for start in range(0, len(active), COOPS_PER_CHUNK):
        began = time.perf_counter()
        rows: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        dimensions: list[dict[str, Any]] = []
        for coop in active[start : start + COOPS_PER_CHUNK]:
            subjects = draw_subjects(
                rng,
                coop_id=coop["id"],
                base=BASE_MATURITY
                + district[coop["area_id"]]
                + SECTOR_MATURITY.get(coop["sector"], 0.0)
                + 0.03 * (math.log(coop["members"] or 20) - 3.3),
                sector=coop["sector"],
                products=by_coop.get(coop["id"], []),
                keys={key for asked in refs.forms for key in asked},
                waves=len(WAVES),
            )
            for wave in refs.waves:
                for subject in subjects:
                    form = refs.forms[wave.index].get(subject.key)
                    made = None if form is None else draw_response(rng, wave, form, subject, actors)
                    if made is None:
                        continue
                    response_id += 1
                    rows.append(made.row | {"id": response_id})
                    moment = made.row["updated_at"]
                    answers += (
                        {
                            "response_id": response_id,
                            "question_code": code,
                            "value": value,
                            "updated_at": moment,
                        }
                        for code, value in made.answers.items()
                    )
                    dimensions += (
                        {"response_id": response_id, "dimension_key": key, "score": score}
                        for key, score in made.dimensions.items()
                    )
        drawing += time.perf_counter() - began
        for sink in sinks:
            sink.write(
                [("responses", rows), ("answers", answers), ("dimension_scores", dimensions)]
            )
        if (start // COOPS_PER_CHUNK) % 5 == 4:
            say(f"  {start + COOPS_PER_CHUNK:,} of {len(active):,} active cooperatives")
    return drawing


def draft_count(target: Target) -> int:
    database = Database(target.url)
    with database.transaction() as session:
        found = session.scalar(
            text("select count(*) from responses where status = :s"), {"s": ResponseStatus.DRAFT}
        )
    database.dispose()
    return int(found or 0)
