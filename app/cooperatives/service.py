"""Reading the registry: cooperatives, their products, and counts per district."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, aliased

from app.areas.models import Area, AreaLevel
from app.cooperatives.models import Cooperative, CooperativeStatus, Product
from app.cooperatives.schemas import ProductForm
from app.errors import NotFound
from app.messages import N_


@dataclass(frozen=True)
class DistrictCount:
    area_id: int
    code: str
    name: str
    active: int
    total: int
    products: int
    ocop_products: int


def in_areas(area_ids: set[int]) -> ColumnElement[bool]:
    """Cooperatives in these areas, by their 2025 commune (or province) or former district."""
    return Cooperative.area_id.in_(area_ids) | Cooperative.former_district_id.in_(area_ids)


def cooperatives_query(
    *, visible: Select[int], area_ids: set[int] | None = None
) -> Select[Cooperative, Area]:
    """Visible cooperatives with their area, by name then registration code (for paging)."""
    query = (
        select(Cooperative, Area)
        .join(Area, Area.id == Cooperative.area_id)
        .where(Cooperative.id.in_(visible))
        .order_by(Cooperative.name, Cooperative.registration_code, Cooperative.id)
    )
    if area_ids is not None:
        query = query.where(in_areas(area_ids))
    return query


def list_cooperatives(
    session: Session, *, visible: Select[int], area_ids: set[int] | None = None
) -> list[tuple[Cooperative, Area]]:
    """Visible cooperatives with their area, by name."""
    query = cooperatives_query(visible=visible, area_ids=area_ids)
    return [(c, a) for c, a in session.execute(query)]


def get_cooperative(
    session: Session, *, cooperative_id: int, visible: Select[int]
) -> tuple[Cooperative, Area]:
    """One visible cooperative with its area; an invisible one does not exist for the caller."""
    row = session.execute(
        select(Cooperative, Area)
        .join(Area, Area.id == Cooperative.area_id)
        .where(Cooperative.id == cooperative_id, Cooperative.id.in_(visible))
    ).first()
    if row is None:
        raise NotFound(N_("Cooperative not found."))
    return row[0], row[1]


def list_products(session: Session, *, cooperative_ids: list[int]) -> list[Product]:
    """Products of the given cooperatives, best-rated first."""
    if not cooperative_ids:
        return []
    return list(
        session.scalars(
            select(Product)
            .where(Product.cooperative_id.in_(cooperative_ids))
            .order_by(Product.cooperative_id, Product.stars.desc(), Product.name)
        )
    )


def district_counts(session: Session, *, visible: Select[int]) -> list[DistrictCount]:
    """Per former district holding registered cooperatives: the visible ones, active and all,
    their products and OCOP-rated products."""
    district = aliased(Area)
    per_coop = (
        select(
            Cooperative.id.label("cid"),
            Cooperative.status.label("status"),
            Cooperative.former_district_id.label("district_id"),
        )
        .where(Cooperative.id.in_(visible))
        .subquery()
    )
    products = (
        select(
            Product.cooperative_id.label("cid"),
            func.count().label("n"),
            func.sum(case((Product.stars >= 1, 1), else_=0)).label("ocop"),
        )
        .group_by(Product.cooperative_id)
        .subquery()
    )
    rows = session.execute(
        select(
            district.id,
            district.code,
            district.name,
            func.count(per_coop.c.cid),
            func.coalesce(
                func.sum(case((per_coop.c.status == CooperativeStatus.ACTIVE, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(products.c.n), 0),
            func.coalesce(func.sum(products.c.ocop), 0),
        )
        .select_from(district)
        .outerjoin(per_coop, per_coop.c.district_id == district.id)
        .outerjoin(products, products.c.cid == per_coop.c.cid)
        .where(
            district.level == AreaLevel.FORMER_DISTRICT,
            # The national catalogue has 696 former districts: list those with a registry.
            district.id.in_(select(Cooperative.former_district_id)),
        )
        .group_by(district.id, district.code, district.name)
        .order_by(district.code)
    )
    return [
        DistrictCount(
            area_id=r[0],
            code=r[1],
            name=r[2],
            total=r[3],
            active=int(r[4]),
            products=int(r[5]),
            ocop_products=int(r[6]),
        )
        for r in rows
    ]


def count_cooperatives(session: Session) -> int:
    """How many cooperatives the registry holds."""
    return session.scalar(select(func.count()).select_from(Cooperative)) or 0


def get_product(session: Session, *, product_id: int, cooperative_id: int) -> Product:
    """One product of a cooperative."""
    product = session.get(Product, product_id)
    if product is None or product.cooperative_id != cooperative_id:
        raise NotFound(N_("Product not found."))
    return product


def add_product(session: Session, *, cooperative_id: int, product: ProductForm) -> Product:
    """Register a product of a cooperative (its OCOP self-check is then asked once per wave)."""
    made = Product(
        cooperative_id=cooperative_id,
        name=product.name,
        ocop_group=product.ocop_group,
        stars=product.stars,
    )
    session.add(made)
    session.flush()
    return made


def areas_in_use(
    session: Session, *, level: AreaLevel, visible: Select[int] | None = None
) -> list[Area]:
    """Communes or former districts that hold at least one (visible) cooperative, by name.

    Filters offer these only: a national catalogue has 3,321 communes, most of them empty.
    """
    column = (
        Cooperative.former_district_id
        if level == AreaLevel.FORMER_DISTRICT
        else Cooperative.area_id
    )
    return list(
        session.scalars(
            select(Area)
            .where(
                Area.level == level,
                Area.id.in_(
                    select(column).where(Cooperative.id.in_(visible))
                    if visible is not None
                    else select(column)
                ),
            )
            .order_by(Area.name, Area.code)
        )
    )
