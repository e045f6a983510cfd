"""The quarterly report draft: the dashboard's figures as the text and tables of an official report.

One content model, written out twice (app.documents.word and app.documents.pdf), so the DOCX and
the PDF say the same. Its figures are the dashboard's (app.reports.dashboard), which are the
coverage and ranking exports' figures: nothing here queries the database.

The layout follows Nghị định 30/2020/NĐ-CP, Phụ lục I: governing and issuing body, Quốc hiệu and
Tiêu ngữ, number and symbol (the number left blank for the clerk), place and date, the kind of
document and its trích yếu, the body, the signature block and nơi nhận.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.config import Settings
from app.documents import charts
from app.reports.dashboard import Dashboard, QuestionnaireFigures
from app.web import i18n

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
KIND = "BÁO CÁO"
LOCALE = "vi"


def number(value: float | None) -> str:
    """One decimal, Vietnamese style (55,3): as the dashboard shows it."""
    return i18n.number(value, LOCALE)


def integer(value: int | None) -> str:
    return i18n.integer(value, LOCALE)


def percent(value: float | None) -> str:
    """A share (0–1) as a percentage with one decimal (82,6%)."""
    return i18n.percent(value, LOCALE, digits=1)


def signed(value: float | None) -> str:
    if value is None:
        return "–"
    return ("+" if value >= 0 else "") + number(value)


@dataclass(frozen=True)
class Table:
    """A table of the report: a caption, a header row and text rows (the last may be a total)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    numeric_from: int = 1  # columns from this one on are right-aligned figures


@dataclass(frozen=True)
class Part:
    """A numbered section or subsection: heading, paragraphs, tables, an optional chart."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    chart: charts.BarChart | None = None
    blank_lines: int = 0  # dotted lines left for the author to write in
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Letterhead:
    governing_body: str
    issuer: str
    symbol: str
    place: str
    date: dt.date

    @property
    def number_line(self) -> str:
        # Non-breaking spaces: the room for the clerk's number survives HTML's collapsing.
        return "Số:" + "\u00a0" * 10 + "/" + self.symbol

    @property
    def place_date(self) -> str:
        d = self.date
        return f"{self.place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


@dataclass(frozen=True)
class ReportDraft:
    letterhead: Letterhead
    title: str  # the kind of document
    summary: str  # trích yếu
    parts: tuple[Part, ...]
    recipients: tuple[str, ...]
    signer_title: str
    filename_stem: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def _area_word(level: str) -> str:
    return {"commune": "xã, phường", "province": "tỉnh"}.get(level, "huyện (cũ)")


def level_chart(figures: QuestionnaireFigures) -> charts.BarChart:
    """The distribution of levels (or star bands) as bars of their share of all scored."""
    colours = charts.level_colours(len(figures.levels))
    return charts.BarChart(
        f"Phân bố mức độ: {figures.title['vi']}",
        tuple(
            charts.Bar(
                c.title["vi"],
                None if c.share is None else c.share * 100,
                f"{integer(c.count)} ({percent(c.share)})",
                colour,
            )
            for c, colour in zip(figures.levels, colours, strict=True)
        ),
    )


def _questionnaire_part(board: Dashboard, figures: QuestionnaireFigures, index: int) -> Part:
    title = figures.title["vi"]
    unit = "sản phẩm" if figures.counts_products else "HTX"
    total = figures.total
    paragraphs: list[str] = []
    tables: list[Table] = []
    if total is None or total.mean is None:
        paragraphs.append("Chưa có phiếu nào được nộp trong đợt.")
    else:
        text = (
            f"Số {unit} có điểm: {integer(total.responses)} trên {integer(total.asked)} "
            f"HTX được hỏi (tỷ lệ {percent(total.coverage)}). Điểm trung bình toàn tỉnh: "
            f"{number(total.mean)}/100"
        )
        if total.change is not None and board.choice.previous is not None:
            text += f", thay đổi {signed(total.change)} điểm so với {board.choice.previous.name}"
        paragraphs.append(text + ".")
        if figures.weakest is not None:
            paragraphs.append(
                f"Trụ cột yếu nhất toàn tỉnh: {figures.weakest.title['vi']} "
                f"(điểm trung bình {number(figures.weakest_mean)})."
            )
        tables.append(
            Table(
                f"Phân bố {'hạng sao tham khảo' if figures.counts_products else 'mức độ'}",
                ("Mức độ", f"Số {unit}", "Tỷ lệ"),
                tuple((c.title["vi"], integer(c.count), percent(c.share)) for c in figures.levels),
            )
        )
    ranking = figures.ranking
    if ranking.rows:
        tables.append(
            Table(
                f"Kết quả theo {_area_word(board.level)}",
                ("Địa bàn", "Được hỏi", "Có điểm", "Tỷ lệ", "Điểm TB", "Thay đổi", "Hạng"),
                tuple(
                    (
                        r.name,
                        integer(r.asked),
                        integer(r.responses),
                        percent(r.coverage),
                        number(r.mean),
                        signed(r.change),
                        str(r.rank) if r.rank else "–",
                    )
                    for r in ranking.rows
                ),
                total=None
                if total is None
                else (
                    "Toàn tỉnh",
                    integer(total.asked),
                    integer(total.responses),
                    percent(total.coverage),
                    number(total.mean),
                    signed(total.change),
                    "",
                ),
            )
        )
        paragraphs.append(
            f"Địa bàn có dưới {ranking.minimum} {unit} có điểm không được xếp hạng (dấu –)."
        )
    return Part(
        f"{index}. {title}",
        tuple(paragraphs),
        tuple(tables),
        level_chart(figures) if figures.levels else None,
    )


def draft(board: Dashboard, *, settings: Settings, today: dt.date) -> ReportDraft:
    """The report draft of a wave, from the dashboard's figures."""
    choice = board.choice
    wave = choice.wave
    cover = board.coverage_total
    situation: list[str] = []
    if cover is not None:
        situation.append(
            f"Toàn tỉnh có {integer(cover.active)} HTX đang hoạt động được mời tự đánh giá trong "
            f"{wave.name}; {integer(cover.finished)} HTX đã hoàn thành tất cả các bộ câu hỏi "
            f"(tỷ lệ {percent(cover.coverage)}), {integer(cover.in_progress)} HTX đang làm dở, "
            f"{integer(cover.not_started)} HTX chưa bắt đầu."
        )
    inactive = board.inactive
    text = f"Số HTX tạm ngừng hoạt động theo danh bạ: {integer(inactive.suspended)}"
    if inactive.silent is not None and choice.previous is not None:
        text += (
            f"; số HTX đang hoạt động nhưng không nộp phiếu trong cả {wave.name} và "
            f"{choice.previous.name}: {integer(inactive.silent)}"
        )
    situation.append(text + ".")
    coverage_table = None
    if cover is not None and board.coverage.rows:
        coverage_table = Table(
            f"Tỷ lệ hoàn thành theo {_area_word(board.level)}",
            ("Địa bàn", "HTX hoạt động", "Đã bắt đầu", "Hoàn thành", "Tỷ lệ"),
            tuple(
                (
                    r.name,
                    integer(r.active),
                    integer(r.started),
                    integer(r.finished),
                    percent(r.coverage),
                )
                for r in board.coverage.rows
            ),
            total=(
                "Toàn tỉnh",
                integer(cover.active),
                integer(cover.started),
                integer(cover.finished),
                percent(cover.coverage),
            ),
        )
    if board.targets:
        for t in board.targets:
            what = (
                "Tỷ lệ HTX hoàn thành đánh giá"
                if t.target.metric == "coverage"
                else f"Tỷ lệ đạt mức {(t.level or {}).get('vi', t.target.level_key)} trở lên "
                f"({(t.questionnaire or {}).get('vi', '')})"
            )
            situation.append(
                f"{what}: đạt {percent(t.share)} so với chỉ tiêu "
                f"{number(t.target.percent)}% ({'đạt' if t.met else 'chưa đạt'})."
            )
    results = tuple(
        _questionnaire_part(board, figures, i)
        for i, figures in enumerate(board.questionnaires, start=1)
    )
    follow = board.follow_ups
    models = [
        "Số HTX đủ tiêu chí ứng viên mô hình HTX chuyển đổi số, liên kết chuỗi giá trị: "
        + (integer(board.models) if board.models is not None else "chưa xác định")
        + ".",
        f"Số HTX đã được đưa vào danh sách mô hình của đợt: {integer(board.shortlisted)}.",
        f"Việc theo dõi, hỗ trợ HTX có hạn trong đợt: {integer(follow.planned)} việc, đã thực "
        f"hiện {integer(follow.done)}, quá hạn {integer(follow.overdue)}.",
    ]
    letterhead = Letterhead(
        settings.report_governing_body,
        settings.report_issuer,
        settings.report_symbol,
        settings.report_place,
        today,
    )
    return ReportDraft(
        letterhead=letterhead,
        title=KIND,
        summary=(
            "Kết quả tự đánh giá chuyển đổi số, liên kết chuỗi giá trị và sản phẩm OCOP "
            f"của hợp tác xã, {wave.name}"
        ),
        parts=(
            Part(
                "I. TÌNH HÌNH CHUNG",
                tuple(situation),
                (coverage_table,) if coverage_table else (),
            ),
            Part("II. KẾT QUẢ THEO BỘ CÂU HỎI", parts=results),
            Part("III. XÂY DỰNG MÔ HÌNH HTX VÀ HỖ TRỢ HTX", tuple(models)),
            Part("IV. KHÓ KHĂN, VƯỚNG MẮC", blank_lines=5),
            Part("V. ĐỀ XUẤT, KIẾN NGHỊ", blank_lines=5),
        ),
        recipients=(
            "UBND tỉnh (b/c);",
            "Ban Chỉ đạo (b/c);",
            "Lưu: VT.",
        ),
        signer_title="CHỦ TỊCH",
        filename_stem=f"htxso-bao-cao-{wave.key}",
        notes=()
        if board.coverage.whole_scope
        else ("Số liệu chỉ gồm các địa bàn được giao cho người lập báo cáo.",),
    )
