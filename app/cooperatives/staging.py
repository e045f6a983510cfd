"""A registry file between its dry run and the administrator's confirmation, the template to
fill in, and what an import would change in each existing cooperative.

The checked bytes wait in a folder shared by every worker of the machine, under a random
token, so that confirming applies exactly the file that was checked, whichever worker answers.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
from app.cooperatives.importer import TEMPLATE_HEADERS, ImportPlan
from app.cooperatives.models import Cooperative
from app.cooperatives.vocabulary import SECTORS, STATUSES
from app.errors import NotFound
from app.messages import N_

MAX_BYTES = 10 * 1024 * 1024
KEEP_SECONDS = 24 * 60 * 60
FOLDER = Path(tempfile.gettempdir()) / "htxso-registry"


@dataclass(frozen=True)
class Staged:
    token: str
    sha256: str
    filename: str


def _paths(token: str, folder: Path) -> tuple[Path, Path]:
    # The token never becomes a path itself: its hash does, so nothing typed can escape.
    name = hashlib.sha256(token.encode()).hexdigest()
    return folder / f"{name}.bin", folder / f"{name}.json"


def stage(data: bytes, *, filename: str, user_id: int, folder: Path | None = None) -> Staged:
    """Keep a checked file until it is confirmed; returns the token that names it."""
    folder = folder or FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _clean(folder)
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(data).hexdigest()
    body, meta = _paths(token, folder)
    body.write_bytes(data)
    meta.write_text(
        json.dumps({"filename": filename, "user_id": user_id, "sha256": digest}), encoding="utf-8"
    )
    return Staged(token, digest, filename)


def load(token: str, *, user_id: int, folder: Path | None = None) -> tuple[bytes, Staged]:
    """The bytes of a staged file, only for the administrator who checked it."""
    body, meta = _paths(token, folder or FOLDER)
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
        data = body.read_bytes()
    except (OSError, ValueError):
        info, data = None, b""
    if (
        info is None
        or info.get("user_id") != user_id
        or hashlib.sha256(data).hexdigest() != info.get("sha256")
    ):
        raise NotFound(
            N_(
                "The checked file is no longer here (expired or already imported). "
                "Please upload it again."
            )
        )
    return data, Staged(token, info["sha256"], info["filename"])


def discard(token: str, *, folder: Path | None = None) -> None:
    """Forget a staged file (after import)."""
    for path in _paths(token, folder or FOLDER):
        path.unlink(missing_ok=True)


def _clean(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue  # another worker cleaned it first


# What an import would change ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    registration_code: str
    name: str
    changes: list[Change]


COMPARED = (
    "name",
    "area_id",
    "sector",
    "members",
    "founded_year",
    "status",
    "contact_name",
    "phone",
    "email",
    "address",
)


def describe_updates(session: Session, *, plan: ImportPlan) -> tuple[list[RowChange], int]:
    """For the known cooperatives of a plan: what each would change; and how many stay as is."""
    wanted = set(plan.updates)
    if not wanted:
        return [], 0
    rows = {r.registration_code: r for r in plan.rows if r.registration_code in wanted}
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    shown: list[RowChange] = []
    same = 0
    codes = sorted(wanted)
    for start in range(0, len(codes), 5000):
        for cooperative in session.scalars(
            select(Cooperative).where(
                Cooperative.registration_code.in_(codes[start : start + 5000])
            )
        ):
            row = rows[cooperative.registration_code]
            changes = []
            for name in COMPARED:
                old, new = getattr(cooperative, name), getattr(row, name)
                if old != new:
                    header = TEMPLATE_HEADERS.get(name.removesuffix("_id"), name)
                    if name == "area_id":
                        old, new = areas.get(old, old), areas.get(new, new)
                    changes.append(Change(header, _shown(old), _shown(new)))
            if changes:
                shown.append(RowChange(row.registration_code, row.name, changes))
            else:
                same += 1
    shown.sort(key=lambda r: r.registration_code)
    return shown, same


def _shown(value: object) -> str:
    return "–" if value is None or value == "" else str(value)


# Template files ----------------------------------------------------------------------------


def template_csv() -> bytes:
    """An empty registry file with the Vietnamese headers, UTF-8 with a BOM for Excel."""
    return ("\ufeff" + ",".join(TEMPLATE_HEADERS.values()) + "\r\n").encode("utf-8")


def template_xlsx(session: Session) -> bytes:
    """The same as a workbook, with a second sheet listing the accepted values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách HTX"
    sheet.append(list(TEMPLATE_HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(TEMPLATE_HEADERS.values()):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(header) + 4)
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Giá trị được chấp nhận"])
    guide.append([TEMPLATE_HEADERS["registration_code"], "Bắt buộc, không trùng"])
    guide.append([TEMPLATE_HEADERS["name"], "Bắt buộc"])
    guide.append([TEMPLATE_HEADERS["sector"], "; ".join(vi for vi, _ in SECTORS.values())])
    guide.append([TEMPLATE_HEADERS["status"], "; ".join(vi for vi, _ in STATUSES.values())])
    guide.append([TEMPLATE_HEADERS["area"], "Mã hoặc tên địa bàn (danh sách bên dưới)"])
    guide.append([])
    guide.append(["Mã địa bàn", "Tên địa bàn", "Cấp"])
    for area in session.scalars(
        select(Area).where(Area.level != AreaLevel.COUNTRY).order_by(Area.code)
    ):
        guide.append([area.code, area.name, area.level])
    for cell in (*guide[1], *guide[8]):
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
