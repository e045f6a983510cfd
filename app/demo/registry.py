"""The demo registry: cooperatives and their products, spread over the loaded communes."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLink
from app.cooperatives.models import Cooperative, Product
from app.db import utcnow
from app.demo.waves import TODAY

# Sector mix of Lạng Sơn's registry: about 70% agriculture, forestry and fisheries.
SECTOR_WEIGHTS = {
    "agriculture": 58,
    "forestry": 9,
    "fisheries": 3,
    "handicraft": 7,
    "trade_services": 8,
    "tourism": 3,
    "transport": 4,
    "construction": 3,
    "credit": 2,
    "environment": 2,
    "other": 1,
}
SECTOR_PREFIX = {
    "agriculture": "HTX Nông nghiệp",
    "forestry": "HTX Lâm nghiệp",
    "fisheries": "HTX Thủy sản",
    "handicraft": "HTX Thủ công",
    "trade_services": "HTX Thương mại và Dịch vụ",
    "tourism": "HTX Du lịch cộng đồng",
    "transport": "HTX Vận tải",
    "construction": "HTX Xây dựng",
    "credit": "Quỹ tín dụng nhân dân",
    "environment": "HTX Môi trường",
    "other": "HTX Dịch vụ tổng hợp",
}
NAME_WORDS = [
    "Thành Công",
    "Hòa Bình",
    "Đồng Tâm",
    "Quang Minh",
    "Bình Minh",
    "Tân Thành",
    "Hồng Phong",
    "Phú Xá",
    "Đoàn Kết",
    "Thống Nhất",
    "Xuân Hòa",
    "Hợp Thành",
    "Mẫu Sơn",
    "Na Sầm",
    "Kỳ Lừa",
    "Bản Làng",
    "Nà Phạ",
    "Khánh Khê",
    "Tân Tiến",
    "An Phú",
    "Sơn Hà",
    "Minh Khai",
    "Hưng Đạo",
    "Vân Nham",
    "Yên Thịnh",
    "Tri Lễ",
    "Bắc Lãng",
    "Hoàng Đồng",
    "Gia Cát",
    "Xuân Long",
]
PRODUCTS = {
    "agriculture": [
        ("Na Chi Lăng", "food"),
        ("Hồi khô", "herbs"),
        ("Chè Shan tuyết", "drinks"),
        ("Mật ong rừng", "food"),
        ("Miến dong", "food"),
        ("Quýt vàng Bắc Sơn", "food"),
        ("Hồng không hạt", "food"),
        ("Gạo nếp cẩm", "food"),
        ("Thạch đen", "food"),
        ("Măng khô", "food"),
        ("Rau bò khai", "food"),
        ("Trám đen", "food"),
    ],
    "forestry": [("Tinh dầu hồi", "herbs"), ("Quế khô", "herbs"), ("Hoa hồi xuất khẩu", "herbs")],
    "fisheries": [("Cá chép ruộng", "food")],
    "handicraft": [("Khăn thổ cẩm", "handicrafts"), ("Mây tre đan", "handicrafts")],
    "tourism": [("Du lịch cộng đồng bản", "tourism")],
    "trade_services": [("Rượu men lá Mẫu Sơn", "drinks"), ("Vịt quay", "food")],
}
FAMILY = ["Hoàng", "Nông", "Lương", "Vi", "Lý", "Triệu", "Lộc", "Đinh", "Nguyễn", "Lăng", "Mã"]
GIVEN = [
    "Văn Thắng",
    "Thị Hoa",
    "Văn Hùng",
    "Thị Lan",
    "Văn Bình",
    "Thị Mai",
    "Đức Minh",
    "Thị Thu",
    "Văn Quý",
    "Văn Sơn",
    "Thị Hằng",
    "Quang Huy",
]


VILLAGES = (
    "Bản Chắt",
    "Nà Pàn",
    "Khòn Làng",
    "Pò Mả",
    "Nà Tèn",
    "Bản Đon",
    "Còn Quan",
    "Phai Luông",
)


@dataclass(frozen=True)
class _Place:
    """A former ward and the 2025 commune that took it, with the names an address uses."""

    ward_id: int
    district_id: int
    commune_id: int
    ward: str
    district: str
    commune: str
    province: str

    @property
    def short(self) -> str:
        return self.commune.split(" ", 1)[-1]


def _places(session: Session) -> list[_Place]:
    """Every loaded former ward with the commune that took (most of) it."""
    ward, district, commune, province = (aliased(Area) for _ in range(4))
    rows = session.execute(
        select(
            ward.id, district.id, commune.id, ward.name, district.name, commune.name, province.name
        )
        .select_from(AreaLink)
        .join(ward, ward.id == AreaLink.former_ward_id)
        .join(district, district.id == ward.parent_id)
        .join(commune, commune.id == AreaLink.commune_id)
        .join(province, province.id == commune.parent_id)
        .where(AreaLink.main.is_(True))
        .order_by(ward.code)
    ).all()
    return [_Place(*row) for row in rows]


def generate_registry(
    session: Session, *, count: int, seed: int, progress: Callable[[int], None] | None
) -> tuple[int, int]:
    """Insert `count` cooperatives and their products; returns how many of each were made."""
    rng = random.Random(seed)
    places = _places(session)
    if not places:
        raise RuntimeError("no communes loaded: run `htxso init` first")
    # Districts differ in size; a fixed weight per district keeps the spread realistic.
    weight_of = {p.district_id: rng.uniform(0.5, 2.0) for p in places}
    place_weights = [weight_of[p.district_id] for p in places]
    sectors = list(SECTOR_WEIGHTS)
    sector_weights = list(SECTOR_WEIGHTS.values())
    now = utcnow()
    chunk = 2000
    made_products = 0
    for start in range(0, count, chunk):
        rows: list[dict[str, Any]] = []
        for number in range(start, min(start + chunk, count)):
            place = rng.choices(places, place_weights)[0]
            sector = rng.choices(sectors, sector_weights)[0]
            status = rng.choices(["active", "suspended", "dissolved"], [90, 7, 3])[0]
            village = f"Thôn {rng.choice(VILLAGES)}"
            # Registries hold both forms: the old one names the district, the new one not.
            address = (
                f"{village}, {place.ward}, {place.district}, {place.province}"
                if rng.random() < 0.5
                else f"{village}, {place.commune}, {place.province}"
            )
            rows.append(
                {
                    "registration_code": f"49{number + 1:08d}",
                    "name": f"{SECTOR_PREFIX[sector]} {rng.choice(NAME_WORDS)} {place.short}",
                    "area_id": place.commune_id,
                    "former_district_id": place.district_id,
                    "former_ward_id": place.ward_id,
                    "sector": sector,
                    "members": int(rng.lognormvariate(3.2, 0.7)) + 7,
                    "founded_year": rng.randint(1997, 2025),
                    "status": status,
                    "contact_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                    "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
                    "email": None,
                    "address": address,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(insert(Cooperative), rows)
        codes = [r["registration_code"] for r in rows]
        ids = dict(
            session.execute(
                select(Cooperative.registration_code, Cooperative.id).where(
                    Cooperative.registration_code.in_(codes)
                )
            ).all()
        )
        products = []
        for row in rows:
            catalogue = PRODUCTS.get(row["sector"])
            if not catalogue:
                continue
            for name, group in rng.sample(
                catalogue, k=min(len(catalogue), rng.choice([0, 1, 1, 2, 3]))
            ):
                stars = rng.choices([0, 3, 4, 5], [70, 22, 7, 1])[0]
                products.append(
                    {
                        "cooperative_id": ids[row["registration_code"]],
                        "name": name,
                        "ocop_group": group,
                        "stars": stars,
                        "certificate_date": (
                            TODAY - dt.timedelta(days=rng.randint(30, 1500)) if stars else None
                        ),
                        "created_at": now,
                    }
                )
        if products:
            # NULLs are sent, not left out: rows that differ in which values are None would
            # otherwise split the batch into one INSERT per run of alike rows.
            session.execute(insert(Product), products, execution_options={"render_nulls": True})
        made_products += len(products)
        if progress:
            progress(len(rows))
    session.flush()
    return count, made_products
