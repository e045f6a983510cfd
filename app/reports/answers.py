"""All raw answers of a wave and questionnaire as CSV, streamed in constant memory.

One row per current submission, one column per question code over every version answered;
rows are streamed from the database (`_rows`) and one response at a time is held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, closing
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ColumnElement, ScalarSelect, Select, String, func, select
from sqlalchemy.orm import Session

from app.cooperatives.models import Cooperative, Product
from app.reports.exports import Column, Kind, cell_text, csv_chunks, csv_field
from app.reports.scope import WaveChoice, current
from app.responses.models import Answer, Response
from app.surveys import service as surveys
from app.surveys.models import QuestionnaireVersion

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Vietnam keeps no daylight saving time: one offset holds for every submission.
_UTC_OFFSET = cast(dt.timedelta, dt.datetime.now(TIMEZONE).utcoffset())
# Lines of CSV sent to the client at a time.
STREAM_LINES = 200
# Rows the database sends at a time.
STREAM_ROWS = 1000


# The columns every raw-answers export starts with, before one column per question code.
FIXED_COLUMNS = (
    Column("wave", "Đợt đánh giá"),
    Column("questionnaire", "Bộ câu hỏi"),
    Column("version", "Phiên bản"),
    Column("response_id", "Mã phiếu", kind="integer"),
    Column("revision", "Lần sửa", kind="integer"),
    Column("registration_code", "Mã số HTX"),
    Column("cooperative", "Tên HTX", width=40),
    Column("product", "Sản phẩm"),
    Column("submitted_at", "Thời điểm nộp"),
    Column("on_behalf", "Cán bộ nhập thay (1 = có)", kind="integer"),
    Column("overall", "Điểm tổng", kind="number"),
    # As in the dimensions export: the level's key for machines, its label for people.
    Column("level", "Mã mức"),
    Column("level_label", "Mức"),
)


def answer_columns(
    session: Session, *, choice: WaveChoice, key: str, visible: Select[int]
) -> list[Column]:
    """Fixed columns, then one per question code over every version answered, in stable order.

    Versions come in the order they were published, codes in question order; a code asked by
    several versions has one column, headed by its first wording.
    """
    version_ids = select(Response.version_id).where(
        current(choice.wave.id, key), Response.cooperative_id.in_(visible)
    )
    versions = session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id.in_(version_ids))
        .order_by(QuestionnaireVersion.published_at, QuestionnaireVersion.id)
    ).all()
    columns = list(FIXED_COLUMNS)
    seen: set[str] = {c.code for c in columns}
    for version in versions:
        for question in surveys.definition(version).questions:
            if question.code in seen:
                continue
            seen.add(question.code)
            kind: Kind = "number" if question.type in ("number", "scale") else "text"
            columns.append(Column(question.code, question.label.vi, kind=kind))
    return columns


Labels = dict[str, dict[str, str]]  # question code -> stored value -> its Vietnamese label
YES_NO = {"yes": "Có", "no": "Không"}


def answer_labels(
    session: Session, *, choice: WaveChoice, key: str, visible: Select[int]
) -> Labels:
    """What each stored option value reads as, for the questions with options.

    Over every version answered; where versions word an option differently, the newest wins.
    """
    version_ids = select(Response.version_id).where(
        current(choice.wave.id, key), Response.cooperative_id.in_(visible)
    )
    versions = session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.id.in_(version_ids))
        .order_by(QuestionnaireVersion.published_at, QuestionnaireVersion.id)
    ).all()
    labels: Labels = {}
    for version in versions:
        for question in surveys.definition(version).questions:
            if question.type == "yes_no":
                labels[question.code] = YES_NO
            elif question.options:
                labels.setdefault(question.code, {}).update(
                    {o.value: o.label.vi for o in question.options}
                )
    return labels


def _labelled(names: dict[str, str], cell: Callable[[Any], str]) -> Callable[[Any], str]:
    """A cell converter that writes an option's label instead of its stored value."""

    def convert(value: Any) -> str:
        if isinstance(value, list):
            return cell([names.get(str(v), str(v)) for v in value])
        if value is None:
            return ""
        return cell(names.get(str(value), str(value)))

    return convert


# The most distinct values a column remembers the text of: an option column holds a handful
# (or a few hundred combinations of a multiple choice); a free-text column stops remembering.
REMEMBERED = 2048


def _remembering(cell: Callable[[Any], str]) -> Callable[[Any], str]:
    """The converter to a CSV field, remembering the field of each option code or choice.

    An answers column repeats a few stored values thirty thousand times, and turning one into
    a field (its label, the separator and formula checks, CSV quoting) costs more than
    looking it up.
    """
    seen: dict[str | tuple[str, ...], str] = {}

    def convert(value: Any) -> str:
        if value is None:  # a question not answered (or not asked)
            return ""
        kind = type(value)
        if kind is str:
            key: str | tuple[str, ...] = value
        elif kind is list and all(type(v) is str for v in value):
            key = tuple(value)  # a multiple choice's codes
        else:
            return csv_field(cell(value))
        text = seen.get(key)
        if text is None:
            text = csv_field(cell(value))
            if len(seen) < REMEMBERED:
                seen[key] = text
        return text

    return convert


def answers_statement(
    session: Session, *, choice: WaveChoice, key: str, visible: Select[int]
) -> Select[Any]:
    """The one SELECT of the raw-answers export: a row per current submission, in response
    order, with its fixed columns and its answers as one JSON object."""
    version = QuestionnaireVersion.__table__.alias("answered_version")
    return (
        select(
            Response.id,
            Response.revision,
            _submitted_local(session.get_bind().dialect.name),
            Response.on_behalf,
            Response.overall,
            Response.level,
            version.c.version,
            Cooperative.registration_code,
            Cooperative.name,
            Product.name,
            _answers_by_code(session.get_bind().dialect.name),
        )
        .join(Cooperative, Cooperative.id == Response.cooperative_id)
        .join(version, version.c.id == Response.version_id)
        .outerjoin(Product, Product.id == Response.product_id)
        .where(current(choice.wave.id, key), Response.cooperative_id.in_(visible))
        .order_by(Response.id)
    )


def answer_cells(
    session: Session,
    *,
    choice: WaveChoice,
    key: str,
    visible: Select[int],
    columns: list[Column],
    labels: Labels | None = None,
) -> Generator[list[str]]:
    """Each current submission as the CSV fields of its cells in `columns` (`answer_columns`):
    the text of each cell, quoted where CSV needs it (`csv_chunks(..., quoted=True)`).

    Rows are streamed (`_rows`), in response order. The database pivots: each row carries
    its response's answers as one JSON object, so Python decodes one document per response
    instead of handling one row per answer, and goes from it straight to cell text.
    """
    statement = answers_statement(session, choice=choice, key=key, visible=visible)
    if tuple(columns[: len(FIXED_COLUMNS)]) != FIXED_COLUMNS:
        raise ValueError("the columns must come from answer_columns()")
    number, cell = cell_text("number"), cell_text("text")

    def text(value: Any) -> str:
        return csv_field(cell(value))

    # With labels, an option reads as its words ("Trang web; Fanpage"), not its codes.
    asked = [
        (
            c.code,
            _remembering(
                _labelled(labels[c.code], cell_text(c.kind))
                if labels and c.code in labels
                else cell_text(c.kind)
            ),
        )
        for c in columns[len(FIXED_COLUMNS) :]
    ]
    unanswered = [""] * len(asked)
    wave, questionnaire = text(choice.wave.key), text(key)
    level_labels = {
        (version.version, level.key): text(level.label.vi)
        for version in surveys.list_versions(session, key=key)
        for level in surveys.definition(version).levels
    }
    rows = _rows(session, statement)
    # Closed when the export is: the database's stream ends with it, not when collected.
    with closing(rows):
        for (
            response_id,
            revision,
            submitted,
            on_behalf,
            overall,
            level,
            version_name,
            code,
            name,
            product,
            answered,
        ) in rows:
            # In the order of FIXED_COLUMNS, each as its kind says; a million cells go through
            # here, so the kinds are spelled out rather than looked up.
            cells = [
                wave,
                questionnaire,
                text(version_name),
                str(response_id),
                str(revision),
                text(code),
                text(name),
                text(product),
                submitted or "",
                "1" if on_behalf else "0",
                number(overall),
                text(level),
                level_labels.get((version_name, level), text(level)),
            ]
            if answered:
                get = answered.get
                cells.extend([field(get(question)) for question, field in asked])
            else:
                cells.extend(unanswered)
            yield cells


def _rows(session: Session, statement: Select[Any]) -> Generator[Sequence[Any]]:
    """The statement's rows as the database sends them; closed, it leaves the connection
    ready for the next query.

    PostgreSQL streams them (libpq's chunked mode): the server goes on computing rows while
    Python writes the ones it has. Through a server-side cursor (yield_per) each batch waited
    for the next FETCH, and the server for Python: the export took the sum of the two.
    (SQLite computes in this process: a thread reading ahead made it slower, as the two
    threads traded Python's lock at every row.)
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        with connection.execute(statement.execution_options(yield_per=STREAM_ROWS)) as result:
            yield from result
        return
    # Expanded in the SQL as an execution would (an advisor's scope holds `IN (<areas>)`),
    # its parameters as given: none of the export's needs a type's bind processing.
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = connection.connection.driver_connection
    assert driver is not None, "a live connection has its driver's"
    # Closed before the end (the browser went away), psycopg cancels the query and drains
    # what the server sent.
    with driver.cursor() as cursor:
        yield from cursor.stream(str(compiled), compiled.params, size=STREAM_ROWS)


def _answers_by_code(dialect: str) -> ScalarSelect[Any]:
    """A response's answers as one JSON object, question code to stored value."""
    if dialect == "postgresql":
        pivot = func.json_object_agg(Answer.question_code, Answer.value, type_=JSON)
    else:
        # json() keeps each stored value a JSON value, not a string holding JSON.
        pivot = func.json_group_object(Answer.question_code, func.json(Answer.value), type_=JSON)
    return select(pivot).where(Answer.response_id == Response.id).scalar_subquery()


def _submitted_local(dialect: str) -> ColumnElement[str]:
    """When the response was submitted, as "YYYY-MM-DD HH:MM" in Vietnam's time.

    The database formats it: a timestamp per row parsed, converted and formatted in Python
    took a twentieth of the export's time.
    """
    if dialect == "postgresql":
        local = func.timezone(TIMEZONE.key, Response.submitted_at)
        return func.to_char(local, "YYYY-MM-DD HH24:MI", type_=String)
    # SQLite holds UTC as text and knows no zones.
    offset = f"{_UTC_OFFSET.total_seconds():+.0f} seconds"
    return func.strftime("%Y-%m-%d %H:%M", Response.submitted_at, offset, type_=String)


def stream_answers(
    sessions: Callable[[], AbstractContextManager[Session]],
    *,
    choice: WaveChoice,
    key: str,
    visible: Select[int],
    columns: list[Column],
    labels: Labels | None = None,
) -> Iterator[bytes]:
    """The raw answers CSV, read in a session of its own: the request's is gone by then."""
    with sessions() as reader:
        cells = answer_cells(
            reader, choice=choice, key=key, visible=visible, columns=columns, labels=labels
        )
        # Closed before the session is, if the reader stops early: a PostgreSQL connection
        # still streaming rows cannot roll back.
        with closing(cells):
            for chunk in csv_chunks(columns, cells, lines=STREAM_LINES, quoted=True):
                yield chunk.encode("utf-8")
