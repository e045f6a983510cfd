"""The demo registry: cooperatives and their products, spread over the loaded districts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.areas.models import Area, AreaLevel
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


def generate_registry(
    session: Session, *, count: int, seed: int, progress: Callable[[int], None] | None
) -> tuple[int, int]:
    """Insert `count` cooperatives and their products; returns how many of each were made."""
    rng = random.Random(seed)
    districts = list(
        session.scalars(select(Area).where(Area.level == AreaLevel.DISTRICT).order_by(Area.code))
    )
    if not districts:
        raise RuntimeError("no districts loaded: run `htxso init` first")
    # Districts differ in size; a fixed weight per district keeps the spread realistic.
    district_weights = [rng.uniform(0.5, 2.0) for _ in districts]
    sectors = list(SECTOR_WEIGHTS)
    sector_weights = list(SECTOR_WEIGHTS.values())
    now = utcnow()
    chunk = 2000
    made_products = 0
    for start in range(0, count, chunk):
        rows: list[dict[str, Any]] = []
        for number in range(start, min(start + chunk, count)):
            area = rng.choices(districts, district_weights)[0]
            sector = rng.choices(sectors, sector_weights)[0]
            status = rng.choices(["active", "suspended", "dissolved"], [90, 7, 3])[0]
            place = area.name.removeprefix("Thành phố ")
            rows.append(
                {
                    "registration_code": f"49{number + 1:08d}",
                    "name": f"{SECTOR_PREFIX[sector]} {rng.choice(NAME_WORDS)} {place}",
                    "area_id": area.id,
                    "sector": sector,
                    "members": int(rng.lognormvariate(3.2, 0.7)) + 7,
                    "founded_year": rng.randint(1997, 2025),
                    "status": status,
                    "contact_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                    "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
                    "email": None,
                    "address": f"{rng.choice(NAME_WORDS)}, {area.name}, Lạng Sơn",
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
