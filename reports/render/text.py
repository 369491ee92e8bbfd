"""The Vietnamese wording of a report, shared by the DOCX, the PDF and the XLSX.

``document(report)`` turns a report row into a ``ReportText``: the header block, the title and
subject, the body (headings, paragraphs, tables, charts) and the signature and recipients. The
DOCX and PDF renderers only lay it out, so the two files always say the same thing;
``annexes(report)`` gives the annex tables with typed values for the XLSX, and the DOCX/PDF
tables are drawn from the same definitions.

Everything is read from ``report.figures`` (frozen when the report compiled); from the database
only the names of the unit, the issuing body and its parents, the signer and the document number
are read, so an issued report renders the same figures forever.

The text is Vietnamese whatever the user's language: it is the data of the official format
(Hướng dẫn 36-HD/VPTW), not interface text. Choice labels (fields, statuses, host bodies…) are the
apps' own choices read in Vietnamese. See docs/reports-format.md.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone, translation

from campaigns.models import AwardForm, DvkField, TargetType
from dialogues.models import DialogueKind, HostBody, PetitionField
from dialogues.workflow import PetitionStatus
from organization.models import DOCUMENT_ABBREVIATIONS, DocumentKind, Unit, UnitKind
from programs.models import ClearanceStatus, ContributionKind, OrganizerLevel, ParticipantCategory

from .. import kpis as kpi_set

PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
TITLE = "BÁO CÁO"
SUBJECT = "Kết quả công tác dân vận {label}"
DEFAULT_ARCHIVE = "Lưu Văn phòng"
DASH = "–"
#: Blank left for the number in a draft; non-breaking, so neither Word nor the PDF collapses it.
NUMBER_BLANK = "\u00a0" * 6

#: The KPI set in Vietnamese: (name in tables, unit of measure). One entry per ``kpis.KPIS`` key.
KPI_TEXT: dict[str, tuple[str, str]] = {
    "programs": ("Chương trình ra quân, hoạt động dân vận", "chương trình"),
    "value_mobilized_vnd": ("Giá trị huy động", "đồng"),
    "person_times": ("Lượt người tham gia", "lượt người"),
    "dialogues": ("Cuộc đối thoại với Nhân dân", "cuộc"),
    "petitions_received": ("Kiến nghị tiếp nhận", "kiến nghị"),
    "petitions_resolved": ("Kiến nghị giải quyết dứt điểm", "kiến nghị"),
    "petitions_overdue": ("Kiến nghị quá hạn chưa trả lời (cuối kỳ)", "kiến nghị"),
    "on_time_rate": ("Tỷ lệ trả lời đúng hạn", "%"),
    "land_donated_m2": ("Diện tích đất hiến", "m²"),
    "clearance_percent": ("Tỷ lệ chi trả bồi thường GPMB (lũy kế)", "%"),
    "movement_units_scored": ("Lượt đơn vị được chấm điểm thi đua", "lượt đơn vị"),
    "movement_average_score": ("Điểm thi đua bình quân", "%"),
}

#: The KPI names in narrow table columns.
KPI_SHORT: dict[str, str] = {
    "programs": "Chương trình",
    "value_mobilized_vnd": "Giá trị huy động (đồng)",
    "person_times": "Lượt người",
    "dialogues": "Đối thoại",
    "petitions_received": "Kiến nghị tiếp nhận",
    "petitions_resolved": "Kiến nghị giải quyết",
    "petitions_overdue": "Kiến nghị quá hạn",
    "on_time_rate": "Đúng hạn (%)",
    "land_donated_m2": "Đất hiến (m²)",
    "clearance_percent": "GPMB (%)",
    "movement_units_scored": "Lượt chấm điểm",
    "movement_average_score": "Điểm bình quân (%)",
}

#: Hedge words of the programs' sums (docs/metrics-programs.md, "Hedge words").
QUALIFIER_WORDS = {"over": "trên ", "almost": "gần ", "mixed": "khoảng "}

#: How a unit's kind is said after "toàn" ("toàn huyện", "toàn xã").
SCOPE_WORDS = {
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.DISTRICT: "huyện",
    UnitKind.COMMUNE: "xã",
    UnitKind.TOWNSHIP: "thị trấn",
    UnitKind.WARD: "phường",
}

#: Administrative prefixes dropped from a place name ("Huyện Bảo Yên" → "Bảo Yên"), longest first.
PLACE_PREFIXES = ("Thành phố ", "Thị trấn ", "Thị xã ", "Phường ", "Huyện ", "Quận ", "Tỉnh ", "Xã ")

#: Kinds that name an administrative level (villages are places, but not levels of the Party).
LEVEL_KINDS = frozenset({UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.WARD})

#: The end of a board's name that repeats its committee ("Ban Dân vận Huyện ủy" → "BAN DÂN VẬN").
COMMITTEE_SUFFIXES = ("huyện ủy", "tỉnh ủy", "thành ủy", "thị ủy", "quận ủy", "đảng ủy")

PLACEHOLDERS = {
    "strengths": "(Nhập nội dung ưu điểm…)",
    "weaknesses": "(Nhập nội dung hạn chế, nguyên nhân…)",
    "next_tasks": "(Nhập nhiệm vụ trọng tâm kỳ tới…)",
    "proposals": "(Nhập đề xuất, kiến nghị…)",
}

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


# --- Numbers, dates and periods ----------------------------------------------------------------


def nfc(text: str | None) -> str:
    """Vietnamese text in composed form: a name typed with combining marks would otherwise be
    extracted from the PDF (and searched in Word) as different letters."""
    return unicodedata.normalize("NFC", text or "")


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: Any, places: int | None = None, *, strip: bool = True) -> str:
    """A figure as Vietnamese offices write it: "1.234.567", "283,75". Decimals lose their
    trailing zeros ("780.00" → "780", "100.0" → "100") unless ``strip`` is False; ``None`` is a
    dash."""
    amount = to_decimal(value)
    if amount is None:
        return DASH
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    text = format(abs(amount), "f")
    whole, _, fraction = text.partition(".")
    if strip:
        fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def is_zero(value: Any) -> bool:
    amount = to_decimal(value)
    return amount is None or amount == 0


def day_month(day: date) -> tuple[str, str]:
    """Day and month as the format writes them: days below 10 and the months 1 and 2 with a
    leading zero ("ngày 05 tháng 02", "ngày 15 tháng 3")."""
    return f"{day.day:02d}", (f"{day.month:02d}" if day.month < 3 else str(day.month))


def long_date(day: date) -> str:
    d, m = day_month(day)
    return f"ngày {d} tháng {m} năm {day.year}"


def short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def iso(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class PeriodText:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        """The period in a sentence: "quý I năm 2024", "6 tháng đầu năm 2024"."""
        start, end = self.start, self.end
        if self.kind == "month":
            return f"tháng {start.month} năm {start.year}"
        if self.kind == "quarter":
            return f"quý {ROMAN[(start.month - 1) // 3]} năm {start.year}"
        if self.kind == "half_year":
            return f"6 tháng đầu năm {start.year}"
        if self.kind == "nine_months":
            return f"9 tháng đầu năm {start.year}"
        if self.kind == "year":
            return f"năm {start.year}"
        return f"từ ngày {short_date(start)} đến ngày {short_date(end)}"

    @property
    def short(self) -> str:
        """The period in a column header: "Quý I/2024", "Tháng 3/2024"."""
        start = self.start
        if self.kind == "month":
            return f"Tháng {start.month}/{start.year}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[(start.month - 1) // 3]}/{start.year}"
        if self.kind == "half_year":
            return f"6 tháng/{start.year}"
        if self.kind == "nine_months":
            return f"9 tháng/{start.year}"
        if self.kind == "year":
            return f"Năm {start.year}"
        return f"{short_date(start)}–{short_date(self.end)}"


def period_text(block: dict[str, Any] | None, kind: str, fallback: tuple[date, date]) -> PeriodText:
    block = block or {}
    start, end = iso(block.get("start")), iso(block.get("end"))
    if start is None or end is None:
        start, end = fallback
    return PeriodText(block.get("kind", kind), start, end)


def choice_label(choices: type[models.TextChoices], value: Any) -> str:
    """The Vietnamese label of an app's choice (the catalogue's), or the raw value if unknown."""
    with translation.override("vi"):
        try:
            return nfc(str(choices(value).label))
        except ValueError:
            return nfc(str(value))


# --- Who issues it: header, place, signer --------------------------------------------------------


def place_name(unit: Unit) -> str:
    """A locality's name without its administrative prefix: "Huyện Bảo Yên" → "Bảo Yên"."""
    name = nfc(unit.name).strip()
    for prefix in PLACE_PREFIXES:
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :].strip()
    return name


def _chain(unit: Unit) -> list[Unit]:
    """The unit and its ancestors, nearest first."""
    return [unit, *reversed(list(unit.ancestors()))]


def locality_of(unit: Unit) -> Unit | None:
    """The administrative level a body belongs to: the nearest province, district or commune
    (township, ward) from the unit up ("Huyện ủy Bảo Yên" → "Huyện Bảo Yên")."""
    return next((link for link in _chain(unit) if link.kind in LEVEL_KINDS), None)


def superior_body(issuer: Unit) -> str:
    """The first header line, above the issuing body (Hướng dẫn 36: "tên cơ quan cấp trên").

    The rule: a board or office of a Party committee (Ban Dân vận Huyện ủy) is headed by its
    committee ("HUYỆN ỦY BẢO YÊN"). A Party committee is headed by the Party organization of the
    level above its own locality: Huyện ủy Bảo Yên (district) → "ĐẢNG BỘ TỈNH LÀO CAI"; a commune
    Party committee under a district (before July 2025) → "ĐẢNG BỘ HUYỆN …"; a commune Party
    committee after the 2025 reform, whose commune lies directly under the province →
    "ĐẢNG BỘ TỈNH LÀO CAI". A body with no level above (a province) has no superior line.
    """
    chain = _chain(issuer)
    parent = chain[1] if len(chain) > 1 else None
    if issuer.kind != UnitKind.PARTY_COMMITTEE and parent is not None and parent.kind == UnitKind.PARTY_COMMITTEE:
        return nfc(parent.name).upper()
    levels = [link for link in chain if link.kind in LEVEL_KINDS]
    if len(levels) < 2:
        return ""
    return nfc(f"Đảng bộ {levels[1].name}").upper()


def issuing_body(issuer: Unit) -> str:
    """The issuing body in capitals; a board drops the committee its header line already names
    ("Ban Dân vận Huyện ủy" under "HUYỆN ỦY BẢO YÊN" → "BAN DÂN VẬN")."""
    name = nfc(issuer.name).strip()
    parent = issuer.parent
    if issuer.kind != UnitKind.PARTY_COMMITTEE and parent is not None and parent.kind == UnitKind.PARTY_COMMITTEE:
        lowered = name.lower()
        for suffix in (nfc(parent.name).lower(), *COMMITTEE_SUFFIXES):
            if lowered.endswith(" " + suffix):
                name = name[: -len(suffix)].strip()
                break
    return name.upper()


def default_signer_lines(issuer: Unit) -> tuple[str, str]:
    """Authority and title when the report leaves them blank: a Party committee signs "T/M BAN
    THƯỜNG VỤ" / "BÍ THƯ"; a board "TRƯỞNG BAN"; anything else leaves them to the writer."""
    if issuer.kind == UnitKind.PARTY_COMMITTEE:
        return "T/M BAN THƯỜNG VỤ", "BÍ THƯ"
    if issuer.kind == UnitKind.BOARD:
        return "", "TRƯỞNG BAN"
    return "", ""


def number_line(report) -> str:
    """ "Số 12-BC/HU" once issued; a draft leaves the number blank: "Số ______-BC/HU"."""
    if report.document_id and report.document is not None:
        return f"Số {report.document.symbol}"
    abbreviation = DOCUMENT_ABBREVIATIONS.get(DocumentKind.BC, DocumentKind.BC.value)
    return f"Số {NUMBER_BLANK}-{abbreviation}/{nfc(report.issuer.doc_symbol)}"


def issue_date(report, today: date | None = None) -> date:
    if report.document_id and report.document is not None:
        return report.document.date
    return today or timezone.localdate()


def recipients_lines(text: str | None) -> list[str]:
    """The "Nơi nhận:" list: each line "- …", commas between, ending with "- Lưu ….". A last line
    of the writer's own starting with "Lưu" is kept as the archive line; otherwise
    "- Lưu Văn phòng." is added."""
    lines = []
    for raw in nfc(text).splitlines():
        line = raw.strip().lstrip("-–•+* ").strip().rstrip(",;.").strip()
        if line:
            lines.append(line)
    archive = DEFAULT_ARCHIVE
    if lines and lines[-1].lower().startswith("lưu"):
        archive = lines.pop()
    return [f"- {line}," for line in lines] + [f"- {archive}."]


# --- The document model --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    superior: str
    issuer: str
    number: str
    place_date: str
    party: str = PARTY


@dataclass(frozen=True)
class Heading:
    level: int  # 1: "I. KẾT QUẢ …", 2: "1. …", 3: "a) …"
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False
    placeholder: bool = False  # a blank narrative part of a draft, to be written


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]  # "left", "center" or "right" per column
    widths: tuple[float, ...]  # relative
    total: bool = False  # the last row is a total (bold)
    number: int = 0


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Panel:
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class Chart:
    key: str  # "trend", "petitions", "communes"
    caption: str
    kind: str  # "line" or "barh"
    panels: tuple[Panel, ...]
    number: int = 0


Block = Heading | Paragraph | Table | Chart


@dataclass(frozen=True)
class Signature:
    authority: str
    title: str
    name: str


@dataclass
class ReportText:
    header: Header
    title: str
    subject: str
    body: list[Block]
    signature: Signature
    recipients: list[str]
    is_draft: bool
    closing: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def lines(self) -> Iterable[str]:
        """Every line of text in reading order (tests, and a plain-text preview)."""
        header = self.header
        yield from (header.superior, header.issuer, "*", header.number, header.party, header.place_date)
        yield from (self.title, self.subject)
        for block in self.body:
            if isinstance(block, Heading | Paragraph):
                yield block.text
            elif isinstance(block, Table):
                yield block.caption
                yield " | ".join(block.headers)
                yield from (" | ".join(row) for row in block.rows)
            elif isinstance(block, Chart):
                yield block.caption
        yield self.closing
        yield from ("Nơi nhận:", *self.recipients)
        yield from (self.signature.authority, self.signature.title, self.signature.name)


# --- Annex tables (typed values; XLSX sheets, DOCX/PDF tables) -----------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "num"  # "text", "num", "pct" (one decimal, kept) or "month"
    width: float = 14  # XLSX column width, in characters
    short: str = ""  # the header in a document table, where columns are narrow


@dataclass
class Annex:
    sheet: str  # the XLSX sheet name (at most 31 characters)
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None

    def table(self, caption: str, picks: Iterable[int] | None = None, widths: Iterable[float] | None = None) -> Table:
        """The annex as a document table: the ``picks`` columns, values formatted."""
        indexes = list(picks) if picks is not None else list(range(len(self.columns)))
        columns = [self.columns[index] for index in indexes]
        rows = [*self.rows, *([self.total] if self.total else [])]
        return Table(
            caption=caption,
            headers=tuple(column.short or column.header for column in columns),
            rows=tuple(tuple(cell_text(row[index], self.columns[index].kind) for index in indexes) for row in rows),
            align=tuple("left" if column.kind == "text" else "right" for column in columns),
            widths=tuple(widths) if widths is not None else tuple(column.width for column in columns),
            total=bool(self.total),
        )


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return DASH if kind != "text" else ""
    if isinstance(value, str) and kind != "text":
        return nfc(value)  # a label in a number column ("" in a total row's STT, "x")
    if kind == "month" and isinstance(value, date):
        return f"{value.month:02d}/{value.year}"
    if kind == "text":
        return nfc(str(value))
    if kind == "pct":
        return number(value, 1, strip=False)
    return number(value)


def _num(value: Any) -> int | Decimal | None:
    """A frozen figure as a typed value: ints stay ints, decimal strings become Decimals."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return to_decimal(value)


def _share(part: Any, whole: Any) -> Decimal | None:
    part, whole = to_decimal(part), to_decimal(whole)
    if part is None or not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Facts:
    """Read access to frozen figures, tolerant of missing parts (an old schema, an empty block)."""

    def __init__(self, figures: dict[str, Any], kind: str, start: date, end: date):
        self.figures = figures or {}
        self.period = period_text(self.figures.get("period"), kind, (start, end))
        self.previous = period_text(self.figures.get("previous"), self.period.kind, (start, end))
        self.last_year = period_text(self.figures.get("last_year"), self.period.kind, (start, end))

    def get(self, *path: str, default: Any = None) -> Any:
        value: Any = self.figures
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def section(self, name: str) -> dict[str, Any]:
        value = self.figures.get(name)
        return value if isinstance(value, dict) else {}

    def kpi(self, key: str, block: str = "kpis") -> Any:
        if block == "kpis":
            return self.get("kpis", key)
        return self.get(block, "kpis", key)

    @property
    def previous_is_last_year(self) -> bool:
        return (self.previous.start, self.previous.end) == (self.last_year.start, self.last_year.end)

    def comparisons(self) -> list[tuple[str, str, PeriodText]]:
        """(figures block, how a sentence names it, period) for each distinct comparison."""
        kind = self.period.kind
        if self.previous_is_last_year:
            noun = "năm trước" if kind == "year" else "cùng kỳ năm trước"
            return [("last_year", noun, self.last_year)]
        previous_noun = {"month": "tháng trước", "quarter": "quý trước"}.get(kind, "kỳ trước")
        return [("previous", previous_noun, self.previous), ("last_year", "cùng kỳ năm trước", self.last_year)]


def change_phrase(current: Any, base: Any, unit: str, noun: str, unit_word: str = "") -> str | None:
    """ "tăng 12,5% so với cùng kỳ năm trước", "giảm 3 điểm phần trăm so với quý trước", "bằng
    cùng kỳ năm trước"; an absolute difference when the base is zero; None without a base."""
    now, then = to_decimal(current), to_decimal(base)
    if now is None or then is None:
        return None
    if unit in ("percent", "score"):
        difference = (now - then).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if difference == 0:
            return f"bằng {noun}"
        verb = "tăng" if difference > 0 else "giảm"
        return f"{verb} {number(abs(difference))} điểm phần trăm so với {noun}"
    if then == 0:
        if now == 0:
            return f"bằng {noun}"
        word = f" {unit_word}" if unit_word else ""
        return f"tăng {number(now)}{word} so với {noun}"
    change = (Decimal(100) * (now - then) / then).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if change == 0:
        return f"bằng {noun}"
    verb = "tăng" if change > 0 else "giảm"
    return f"{verb} {number(abs(change))}% so với {noun}"


def kpi_comparison(facts: Facts, key: str) -> str:
    """ " (tăng 12,5% so với quý trước, giảm 2% so với cùng kỳ năm trước)" or ""."""
    unit = kpi_set.BY_KEY[key].unit if key in kpi_set.BY_KEY else "count"
    unit_word = KPI_TEXT.get(key, ("", ""))[1]
    phrases = [
        change_phrase(facts.kpi(key), facts.kpi(key, block), unit, noun, unit_word)
        for block, noun, _period in facts.comparisons()
    ]
    phrases = [phrase for phrase in phrases if phrase]
    return f" ({', '.join(phrases)})" if phrases else ""


def _counts(values: dict[str, Any] | None, labels: type[models.TextChoices] | None = None) -> list[tuple[str, Any]]:
    """Non-zero entries of a {key: count} dict, labelled, largest first (ties in given order)."""
    items = [(key, count) for key, count in (values or {}).items() if not is_zero(count)]
    items.sort(key=lambda item: -(to_decimal(item[1]) or 0))
    return [(choice_label(labels, key) if labels else nfc(str(key)), count) for key, count in items]


#: Labels that keep their capital inside a sentence ("Nhân dân" is written so in Party texts).
KEEP_CAPITAL = ("Nhân dân",)


def lower_first(label: str) -> str:
    """A label inside a sentence: "Cán bộ, công chức" → "cán bộ, công chức"; acronyms ("UBND")
    and "Nhân dân" unchanged."""
    if not label or label.startswith(KEEP_CAPITAL) or (len(label) > 1 and label[1].isupper()):
        return label
    return label[0].lower() + label[1:]


def _enumerate(parts: list[str]) -> str:
    return "; ".join(parts)


def kpi_annex(facts: Facts) -> Annex:
    columns = [
        Column("STT", "num", 6),
        Column("Chỉ tiêu", "text", 44),
        Column("Đơn vị tính", "text", 14),
        Column(f"Kỳ báo cáo ({facts.period.short})", "num", 20, facts.period.short),
        Column(f"Kỳ trước ({facts.previous.short})", "num", 20, facts.previous.short),
        Column(f"Cùng kỳ năm trước ({facts.last_year.short})", "num", 22, facts.last_year.short),
    ]
    rows = []
    for index, kpi in enumerate(kpi_set.KPIS, start=1):
        name, unit = KPI_TEXT.get(kpi.key, (kpi.key, ""))
        rows.append(
            [
                index,
                name,
                unit,
                _num(facts.kpi(kpi.key)),
                _num(facts.kpi(kpi.key, "previous")),
                _num(facts.kpi(kpi.key, "last_year")),
            ]
        )
    return Annex("Tổng hợp KPI", "Tổng hợp các chỉ tiêu chủ yếu", columns, rows)


def _count_annex(sheet: str, title: str, label: str, values: dict[str, Any], labels) -> Annex:
    total = sum((to_decimal(count) or 0) for count in (values or {}).values())
    rows = []
    for index, (key, count) in enumerate(
        sorted((values or {}).items(), key=lambda item: -(to_decimal(item[1]) or 0)), start=1
    ):
        rows.append([index, choice_label(labels, key), _num(count), _share(count, total)])
    columns = [
        Column("STT", "num", 6),
        Column(label, "text", 44),
        Column("Số kiến nghị", "num", 16),
        Column("Tỷ lệ (%)", "pct", 12),
    ]
    footer = ["", "Tổng cộng", int(total), Decimal("100.0") if total else None] if rows else None
    return Annex(sheet, title, columns, rows, footer)


def agency_annex(facts: Facts) -> Annex:
    rows = [
        [
            index,
            row.get("agency", ""),
            _num(row.get("assigned")),
            _num(row.get("answered")),
            _num(row.get("open")),
            _num(row.get("overdue")),
        ]
        for index, row in enumerate(facts.get("petitions", "by_agency", default=[]) or [], start=1)
    ]
    columns = [
        Column("STT", "num", 6),
        Column("Cơ quan được giao", "text", 44),
        Column("Được giao", "num", 12),
        Column("Đã trả lời", "num", 12),
        Column("Chưa trả lời", "num", 13),
        Column("Quá hạn", "num", 12),
    ]
    total = None
    if rows:
        total = ["", "Tổng cộng", *[sum(row[index] or 0 for row in rows) for index in range(2, 6)]]
    return Annex("Kiến nghị theo cơ quan", "Kết quả giải quyết kiến nghị theo cơ quan được giao", columns, rows, total)


def _item_columns() -> list[Column]:
    return [Column("Nội dung", "text", 52), Column("Đơn vị tính", "text", 14), Column("Số lượng", "num", 20)]


def dialogue_annex(facts: Facts) -> Annex:
    dialogues = facts.section("dialogues")
    rows: list[list[Any]] = [["Tổng số cuộc đối thoại", "cuộc", _num(facts.kpi("dialogues"))]]
    for label, count in _counts(dialogues.get("by_kind"), DialogueKind):
        rows.append([f"– {label}", "cuộc", _num(count)])
    for label, count in _counts(dialogues.get("by_host"), HostBody):
        rows.append([f"– {label} chủ trì", "cuộc", _num(count)])
    meetings = dialogues.get("engagement_meetings") or {}
    rows += [
        ["Gặp mặt chức sắc, già làng, người có uy tín", "buổi", _num(meetings.get("meetings"))],
        ["Lượt người dự gặp mặt", "lượt người", _num(meetings.get("attendees"))],
    ]
    return Annex("Đối thoại", "Đối thoại và gặp mặt", _item_columns(), rows)


def program_annex(facts: Facts) -> Annex:
    programs = facts.section("programs")
    value, labour = programs.get("value") or {}, programs.get("labour_days") or {}
    people, by_level = programs.get("person_times") or {}, programs.get("by_level") or {}
    rows: list[list[Any]] = [
        ["Số chương trình ra quân, hoạt động dân vận", "chương trình", _num(programs.get("count"))]
    ]
    rows += [
        [f"– Cấp {choice_label(OrganizerLevel, level).lower()}", "chương trình", _num(count)]
        for level, count in by_level.items()
    ]
    rows.append(["Giá trị huy động" + _hedge_note(value), "đồng", _num(value.get("value_vnd"))])
    rows += [
        [f"– {choice_label(ContributionKind, kind)}", "đồng", _num(amount)]
        for kind, amount in (value.get("by_kind") or {}).items()
    ]
    rows.append(["Ngày công lao động" + _hedge_note(labour), "ngày công", _num(labour.get("days"))])
    rows.append(["Giá trị ngày công", "đồng", _num(labour.get("value_vnd"))])
    rows.append(["Lượt người tham gia" + _hedge_note(people), "lượt người", _num(people.get("total"))])
    rows += [
        [f"– {choice_label(ParticipantCategory, category)}", "lượt người", _num(count)]
        for category, count in (people.get("by_category") or {}).items()
    ]
    return Annex("Chương trình", "Chương trình, đóng góp và lượt người tham gia", _item_columns(), rows)


HEDGE_NOTES = {
    "over": " (số liệu tối thiểu, ghi “trên”)",
    "almost": " (số liệu ghi “gần”)",
    "mixed": " (số liệu ước tính, ghi “khoảng”)",
}


def _hedge_note(block: dict[str, Any]) -> str:
    return HEDGE_NOTES.get(block.get("qualifier") or "", "")


def donation_annex(facts: Facts) -> Annex:
    programs = facts.section("programs")
    donations, roads = programs.get("donations") or {}, programs.get("roads") or {}
    rows: list[list[Any]] = [
        ["Lượt hộ gia đình, cá nhân hiến đất, tài sản", "lượt hộ", _num(donations.get("donors"))],
        ["Diện tích đất hiến", "m²", _num(donations.get("area_m2"))],
        ["Cây trồng hiến", "cây", _num(donations.get("trees"))],
    ]
    rows += [[f"– {nfc(species)}", "cây", _num(count)] for species, count in _counts(donations.get("trees_by_species"))]
    rows += [
        ["Ngày công hiến", "ngày công", _num(donations.get("labour_days"))],
        ["Tiền mặt", "đồng", _num(donations.get("cash_vnd"))],
        ["Tổng giá trị hiến tặng quy đổi", "đồng", _num(donations.get("value_vnd"))],
        ["Đường giao thông làm mới (theo năm)", "tuyến", _num(roads.get("count"))],
        ["Tổng chiều dài", "m", _num(roads.get("length_m"))],
        ["Tổng chiều dài", "km", _num(roads.get("km"))],
        ["Tổng mức đầu tư", "đồng", _num(roads.get("total_investment_vnd"))],
        ["Trong đó Nhân dân đóng góp", "đồng", _num(roads.get("people_share_vnd"))],
    ]
    for year, block in (roads.get("by_year") or {}).items():
        rows.append([f"– Năm {year}: số tuyến", "tuyến", _num(block.get("count"))])
        rows.append([f"– Năm {year}: chiều dài", "km", _num(block.get("km"))])
    return Annex("Hiến đất", "Hiến đất và đường giao thông nông thôn", _item_columns(), rows)


def clearance_annex(facts: Facts) -> Annex:
    programs = facts.section("programs")
    rows = []
    for index, project in enumerate(programs.get("clearance_projects") or [], start=1):
        rows.append(
            [
                index,
                project.get("name", ""),
                project.get("unit", ""),
                choice_label(ClearanceStatus, project.get("status")) if project.get("status") else "",
                "x" if project.get("is_key_project") else "",
                _num(project.get("households")),
                _num(project.get("area_ha")),
                _num(project.get("budget_vnd")),
                _num(project.get("disbursed_vnd")),
                _num(project.get("disbursed_in_period_vnd")),
                _num(project.get("percent")),
            ]
        )
    totals = programs.get("clearance") or {}
    total = None
    if rows:
        total = [
            "",
            "Tổng cộng",
            "",
            "",
            _num(totals.get("key_projects")),
            _num(totals.get("households")),
            _num(totals.get("area_ha")),
            _num(totals.get("budget_vnd")),
            _num(totals.get("disbursed_vnd")),
            _num(totals.get("disbursed_in_period_vnd")),
            _num(totals.get("percent")),
        ]
    columns = [
        Column("STT", "num", 6),
        Column("Dự án", "text", 40),
        Column("Đơn vị phụ trách", "text", 20),
        Column("Tình trạng", "text", 18),
        Column("Trọng điểm", "text", 10),
        Column("Số hộ", "num", 10),
        Column("Diện tích (ha)", "num", 12),
        Column("Kinh phí bồi thường (đồng)", "num", 20),
        Column("Đã chi trả lũy kế (đồng)", "num", 20),
        Column("Chi trả trong kỳ (đồng)", "num", 20),
        Column("Tỷ lệ (%)", "pct", 10),
    ]
    return Annex("GPMB", "Bồi thường, giải phóng mặt bằng", columns, rows, total)


def movement_annex(facts: Facts) -> Annex:
    campaigns = facts.section("campaigns")
    scores, selections = campaigns.get("scores") or {}, campaigns.get("selections") or {}
    awards, models_, commitments = (
        campaigns.get("awards") or {},
        campaigns.get("models") or {},
        campaigns.get("commitments") or {},
    )
    coverage = campaigns.get("coverage") or []
    rows: list[list[Any]] = [
        ["Đợt chấm điểm trong kỳ", "đợt", len(coverage)],
        ["Lượt đơn vị được chấm điểm", "lượt đơn vị", sum(int(row.get("scored") or 0) for row in coverage)],
        ["Lượt đơn vị đủ điều kiện chấm điểm", "lượt đơn vị", sum(int(row.get("eligible") or 0) for row in coverage)],
        ["Phiếu chấm đã thẩm định", "phiếu", _num(scores.get("cards"))],
        ["Điểm bình quân", "%", _num(scores.get("average_percent"))],
    ]
    rows += [
        [f"– {choice_label(TargetType, kind)}", "%", _num(block.get("average_percent"))]
        for kind, block in (scores.get("by_type") or {}).items()
    ]
    bands = scores.get("bands") or {}
    for key, label in (
        ("80_plus", "từ 80% trở lên"),
        ("65_to_80", "từ 65% đến dưới 80%"),
        ("50_to_65", "từ 50% đến dưới 65%"),
        ("below_50", "dưới 50%"),
    ):
        rows.append([f"Phiếu đạt {label}", "phiếu", _num(bands.get(key))])
    rows += [
        ["Lượt bình chọn đơn vị tiêu biểu", "lượt", _num(selections.get("selected"))],
        ["Đơn vị được bình chọn", "đơn vị", _num(selections.get("units"))],
        ["Khen thưởng", "lượt", _num(awards.get("total"))],
    ]
    for form, count in (awards.get("by_form") or {}).items():
        rows.append([f"– {choice_label(AwardForm, form)}", "lượt", _num(count)])
    rows += [
        ["Tiền thưởng", "đồng", _num(awards.get("prize_value_vnd"))],
        ["Mô hình, điển hình “Dân vận khéo” đăng ký mới", "mô hình", _num(models_.get("registered"))],
        ["Mô hình, điển hình được công nhận", "mô hình", _num(models_.get("recognized"))],
        ["Lượt hộ ký cam kết", "lượt hộ", _num(commitments.get("signed"))],
        ["Trường hợp vi phạm cam kết", "trường hợp", _num(commitments.get("broken"))],
    ]
    return Annex("Phong trào", "Phong trào thi đua và mô hình “Dân vận khéo”", _item_columns(), rows)


def coverage_annex(facts: Facts) -> Annex:
    rows = [
        [iso(row.get("month")), _num(row.get("eligible")), _num(row.get("scored")), _num(row.get("percent"))]
        for row in facts.get("campaigns", "coverage", default=[]) or []
    ]
    columns = [
        Column("Tháng", "month", 12),
        Column("Đơn vị đủ điều kiện", "num", 18),
        Column("Đơn vị được chấm", "num", 18),
        Column("Tỷ lệ (%)", "pct", 12),
    ]
    return Annex("Chấm điểm theo tháng", "Đơn vị được chấm điểm thi đua theo tháng", columns, rows)


def commune_annex(facts: Facts) -> Annex:
    columns = [Column("Hạng", "num", 7), Column("Đơn vị cấp xã", "text", 26), Column("Điểm hoạt động", "num", 12)]
    columns += [Column(f"{name} ({unit})", "num", 18, KPI_SHORT[key]) for key, (name, unit) in KPI_TEXT.items()]
    rows = []
    for row in facts.figures.get("communes") or []:
        values = row.get("kpis") or {}
        rows.append(
            [_num(row.get("rank")), row.get("unit", ""), _num(row.get("activity"))]
            + [_num(values.get(key)) for key in KPI_TEXT]
        )
    return Annex("Xếp hạng xã", "Xếp hạng các đơn vị cấp xã", columns, rows)


TREND_KEYS = ("programs", "dialogues", "petitions_received", "petitions_resolved")


def trend_annex(facts: Facts) -> Annex:
    columns = [Column("Tháng", "month", 12)] + [Column(KPI_TEXT[key][0], "num", 20) for key in TREND_KEYS]
    rows = [
        [iso(row.get("month"))] + [_num(row.get(key)) for key in TREND_KEYS] for row in facts.figures.get("trend") or []
    ]
    return Annex("Xu hướng 12 tháng", "Diễn biến 12 tháng", columns, rows)


def field_annex(facts: Facts) -> Annex:
    return _count_annex(
        "Kiến nghị theo lĩnh vực",
        "Kiến nghị tiếp nhận theo lĩnh vực",
        "Lĩnh vực",
        facts.get("petitions", "by_field", default={}),
        PetitionField,
    )


def status_annex(facts: Facts) -> Annex:
    return _count_annex(
        "Kiến nghị theo tình trạng",
        "Tình trạng giải quyết kiến nghị tiếp nhận trong kỳ",
        "Tình trạng",
        facts.get("petitions", "by_status", default={}),
        PetitionStatus,
    )


def facts_of(report) -> Facts:
    return Facts(report.figures or {}, report.kind, report.period_start, report.period_end)


def annexes(report) -> list[Annex]:
    """Every annex table, in the order of the XLSX sheets."""
    facts = facts_of(report)
    return [
        kpi_annex(facts),
        field_annex(facts),
        status_annex(facts),
        agency_annex(facts),
        dialogue_annex(facts),
        program_annex(facts),
        donation_annex(facts),
        clearance_annex(facts),
        movement_annex(facts),
        coverage_annex(facts),
        commune_annex(facts),
        trend_annex(facts),
    ]


# --- Charts (data and wording; charts.py draws them) --------------------------------------------


def trend_chart(facts: Facts) -> Chart | None:
    rows = facts.figures.get("trend") or []
    if not rows or all(is_zero(row.get(key)) for row in rows for key in TREND_KEYS):
        return None
    months = [iso(row.get("month")) for row in rows]
    labels = tuple(f"{month.month}/{month.year}" if month else "" for month in months)
    series = tuple(
        Series(KPI_TEXT[key][0], tuple(float(to_decimal(row.get(key)) or 0) for row in rows)) for key in TREND_KEYS
    )
    last = months[-1]
    caption = f"Diễn biến 12 tháng đến tháng {last.month}/{last.year}" if last else "Diễn biến 12 tháng"
    return Chart("trend", caption, "line", (Panel("", labels, series),))


def petitions_chart(facts: Facts) -> Chart | None:
    panels = []
    for key, labels, title in (
        ("by_field", PetitionField, "Theo lĩnh vực"),
        ("by_status", PetitionStatus, "Theo tình trạng"),
    ):
        counts = _counts(facts.get("petitions", key, default={}), labels)
        if counts:
            values = tuple(float(to_decimal(count) or 0) for _label, count in counts)
            panels.append(Panel(title, tuple(label for label, _count in counts), (Series("Số kiến nghị", values),)))
    if not panels:
        return None
    return Chart("petitions", "Kiến nghị tiếp nhận trong kỳ theo lĩnh vực và tình trạng", "barh", tuple(panels))


def communes_chart(facts: Facts) -> Chart | None:
    rows = facts.figures.get("communes") or []
    if len(rows) < 2 or all(is_zero(row.get("activity")) for row in rows):
        return None
    labels = tuple(f"{row.get('rank')}. {nfc(row.get('unit', ''))}" for row in rows)
    values = tuple(float(to_decimal(row.get("activity")) or 0) for row in rows)
    return Chart(
        "communes",
        "Xếp hạng các đơn vị cấp xã theo điểm hoạt động",
        "barh",
        (Panel("", labels, (Series("Điểm hoạt động", values),)),),
    )


# --- The body ------------------------------------------------------------------------------------


class Body:
    """Collects blocks, numbering tables and charts as they come ("Bảng 2.", "Biểu đồ 1.")."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables = 0
        self.charts = 0

    def heading(self, level: int, text: str) -> None:
        self.blocks.append(Heading(level, text))

    def para(self, text: str, **kwargs: Any) -> None:
        if text:
            self.blocks.append(Paragraph(text, **kwargs))

    def table(self, table: Table) -> None:
        if not table.rows:
            return
        self.tables += 1
        self.blocks.append(
            Table(
                caption=f"Bảng {self.tables}. {table.caption}",
                headers=table.headers,
                rows=table.rows,
                align=table.align,
                widths=table.widths,
                total=table.total,
                number=self.tables,
            )
        )

    def chart(self, chart: Chart | None) -> None:
        if chart is None:
            return
        self.charts += 1
        self.blocks.append(
            Chart(chart.key, f"Biểu đồ {self.charts}. {chart.caption}", chart.kind, chart.panels, self.charts)
        )


def _scope(report) -> str:
    return SCOPE_WORDS.get(report.unit.kind, "đơn vị")


def _dialogue_section(body: Body, facts: Facts, scope: str) -> None:
    dialogues = facts.section("dialogues")
    held = facts.kpi("dialogues")
    if is_zero(held):
        body.para(f"Trong kỳ, toàn {scope} chưa tổ chức cuộc đối thoại nào{kpi_comparison(facts, 'dialogues')}.")
    else:
        by_kind = _counts(dialogues.get("by_kind"), DialogueKind)
        kinds = ", ".join(f"{number(n)} cuộc {lower_first(label)}" for label, n in by_kind)
        by_host = _counts(dialogues.get("by_host"), HostBody)
        hosts = _enumerate([f"{label}: {number(n)} cuộc" for label, n in by_host])
        text = (
            f"Toàn {scope} đã tổ chức {number(held)} cuộc đối thoại giữa người đứng đầu cấp ủy, chính quyền "
            f"với Nhân dân{kpi_comparison(facts, 'dialogues')}"
        )
        if kinds:
            text += f", gồm {kinds}"
        if hosts:
            text += f"; theo chủ thể chủ trì: {hosts}"
        body.para(text + ".")
    meetings = dialogues.get("engagement_meetings") or {}
    if not is_zero(meetings.get("meetings")):
        body.para(
            f"Tổ chức {number(meetings.get('meetings'))} buổi gặp mặt, tiếp xúc chức sắc, chức việc tôn giáo, "
            f"già làng, người có uy tín với {number(meetings.get('attendees'))} lượt người tham dự."
        )
    petitions = facts.section("petitions")
    received = petitions.get("received", facts.kpi("petitions_received"))
    if is_zero(received):
        comparison = kpi_comparison(facts, "petitions_received")
        body.para(f"Trong kỳ không tiếp nhận ý kiến, kiến nghị mới của Nhân dân{comparison}.")
    else:
        parts = []
        if not is_zero(petitions.get("answered_on_spot")):
            parts.append(f"{number(petitions['answered_on_spot'])} kiến nghị được trả lời trực tiếp tại hội nghị")
        if not is_zero(petitions.get("assigned")):
            parts.append(f"{number(petitions['assigned'])} kiến nghị được giao cơ quan chức năng giải quyết")
        if not is_zero(petitions.get("routed_out")):
            parts.append(
                f"{number(petitions['routed_out'])} đơn được hướng dẫn giải quyết theo trình tự khiếu nại, tố cáo"
            )
        comparison = kpi_comparison(facts, "petitions_received")
        text = f"Tiếp nhận {number(received)} ý kiến, kiến nghị của Nhân dân{comparison}"
        body.para(text + (f", trong đó: {'; '.join(parts)}." if parts else "."))
    answered, resolved = petitions.get("answered"), facts.kpi("petitions_resolved")
    replies = (
        f"các cơ quan đã trả lời bằng văn bản {number(answered)} kiến nghị"
        if not is_zero(answered)
        else "chưa có kiến nghị được trả lời bằng văn bản"
    )
    closed = (
        f"{number(resolved)} kiến nghị được giải quyết dứt điểm"
        if not is_zero(resolved)
        else "chưa có kiến nghị được giải quyết dứt điểm"
    )
    body.para(f"Trong kỳ, {replies}; {closed}{kpi_comparison(facts, 'petitions_resolved')}.")
    on_time = petitions.get("on_time") or {}
    if on_time.get("rate") is not None:
        due = int(on_time.get("on_time") or 0) + int(on_time.get("late") or 0)
        body.para(
            f"Tỷ lệ trả lời đúng hạn đạt {number(on_time['rate'])}%{kpi_comparison(facts, 'on_time_rate')}: "
            f"{number(on_time.get('on_time'))}/{number(due)} kiến nghị đến hạn trong kỳ được trả lời đúng hạn."
        )
    if petitions.get("median_days_to_answer") is not None:
        body.para(
            f"Thời gian từ khi tiếp nhận đến khi có văn bản trả lời (trung vị) là "
            f"{number(petitions['median_days_to_answer'])} ngày."
        )
    overdue = petitions.get("overdue")
    if overdue is not None:
        if is_zero(overdue):
            body.para(f"Đến ngày {short_date(facts.period.end)}, không còn kiến nghị quá hạn chưa được trả lời.")
        else:
            body.para(
                f"Đến ngày {short_date(facts.period.end)}, còn {number(overdue)} kiến nghị quá hạn chưa được trả lời, "
                "cần tiếp tục đôn đốc giải quyết."
            )
    body.table(field_annex(facts).table("Kiến nghị tiếp nhận theo lĩnh vực", widths=(9, 61, 18, 14)))
    body.table(status_annex(facts).table("Tình trạng giải quyết kiến nghị tiếp nhận trong kỳ", widths=(9, 61, 18, 14)))
    body.table(agency_annex(facts).table("Kết quả giải quyết theo cơ quan được giao", widths=(9, 43, 12, 12, 12, 12)))
    body.chart(petitions_chart(facts))


def _program_section(body: Body, facts: Facts, scope: str) -> None:
    programs = facts.section("programs")
    count = facts.kpi("programs")
    if is_zero(count):
        comparison = kpi_comparison(facts, "programs")
        body.para(f"Trong kỳ, toàn {scope} chưa tổ chức chương trình ra quân dân vận nào{comparison}.")
        return
    levels = ", ".join(
        f"{number(n)} chương trình cấp {choice_label(OrganizerLevel, level).lower()}"
        for level, n in (programs.get("by_level") or {}).items()
        if not is_zero(n)
    )
    people = programs.get("person_times") or {}
    categories = _enumerate(
        [f"{lower_first(label)} {number(n)}" for label, n in _counts(people.get("by_category"), ParticipantCategory)]
    )
    text = f"Tổ chức {number(count)} chương trình ra quân, hoạt động dân vận{kpi_comparison(facts, 'programs')}"
    if levels:
        text += f", trong đó {levels}"
    text += (
        f"; thu hút {QUALIFIER_WORDS.get(people.get('qualifier') or '', '')}{number(facts.kpi('person_times'))} "
        f"lượt người tham gia{kpi_comparison(facts, 'person_times')}"
    )
    if categories:
        text += f", gồm: {categories}"
    body.para(text + ".")
    value, labour = programs.get("value") or {}, programs.get("labour_days") or {}
    kinds = _enumerate(
        [f"{lower_first(label)} {number(n)} đồng" for label, n in _counts(value.get("by_kind"), ContributionKind)]
    )
    text = (
        f"Tổng giá trị huy động {QUALIFIER_WORDS.get(value.get('qualifier') or '', '')}"
        f"{number(facts.kpi('value_mobilized_vnd'))} đồng{kpi_comparison(facts, 'value_mobilized_vnd')}"
    )
    if kinds:
        text += f", gồm: {kinds}"
    text += "."
    if not is_zero(labour.get("days")):
        text += (
            f" Tổng số ngày công lao động đóng góp là {QUALIFIER_WORDS.get(labour.get('qualifier') or '', '')}"
            f"{number(labour.get('days'))} ngày công."
        )
    body.para(text)


def _years_phrase(years: list[str]) -> str:
    if not years:
        return ""
    if len(years) == 1:
        return f"năm {years[0]}"
    return f"các năm {', '.join(years[:-1])} và {years[-1]}"


def _donation_section(body: Body, facts: Facts, scope: str) -> None:
    programs = facts.section("programs")
    donations, roads = programs.get("donations") or {}, programs.get("roads") or {}
    if is_zero(donations.get("donors")):
        body.para(f"Trong kỳ chưa có hộ gia đình, cá nhân hiến đất{kpi_comparison(facts, 'land_donated_m2')}.")
    else:
        parts = [f"hiến {number(donations.get('area_m2'))} m² đất{kpi_comparison(facts, 'land_donated_m2')}"]
        if not is_zero(donations.get("trees")):
            species = ", ".join(
                f"{number(n)} cây {nfc(name)}" for name, n in _counts(donations.get("trees_by_species"))
            )
            parts.append(f"{number(donations['trees'])} cây trồng" + (f" ({species})" if species else ""))
        if not is_zero(donations.get("labour_days")):
            parts.append(f"{number(donations['labour_days'])} ngày công")
        if not is_zero(donations.get("cash_vnd")):
            parts.append(f"{number(donations['cash_vnd'])} đồng tiền mặt")
        body.para(
            f"Vận động {number(donations.get('donors'))} lượt hộ gia đình, cá nhân {', '.join(parts)}; "
            f"tổng giá trị hiến tặng quy đổi {number(donations.get('value_vnd'))} đồng."
        )
    years = [str(year) for year in (roads.get("by_year") or {})]
    if is_zero(roads.get("count")):
        body.para("Chưa ghi nhận tuyến đường giao thông nông thôn làm mới trong kỳ.")
        return
    text = (
        f"Trong {_years_phrase(years) or 'kỳ'}, toàn {scope} làm mới {number(roads.get('count'))} tuyến đường "
        f"giao thông nông thôn với tổng chiều dài {number(roads.get('km'))} km"
    )
    if not is_zero(roads.get("total_investment_vnd")):
        text += f", tổng mức đầu tư {number(roads['total_investment_vnd'])} đồng"
        if not is_zero(roads.get("people_share_vnd")):
            text += f", trong đó Nhân dân đóng góp {number(roads['people_share_vnd'])} đồng"
    text += "."
    if facts.period.kind != "year":
        text += " (Số liệu đường giao thông được tổng hợp theo năm.)"
    body.para(text)


def _clearance_section(body: Body, facts: Facts) -> None:
    programs = facts.section("programs")
    clearance = programs.get("clearance") or {}
    if is_zero(clearance.get("projects")):
        body.para("Trong kỳ không có dự án bồi thường, giải phóng mặt bằng trên địa bàn.")
        return
    key_projects = clearance.get("key_projects")
    text = f"Tham gia vận động bồi thường, giải phóng mặt bằng {number(clearance.get('projects'))} dự án"
    if not is_zero(key_projects):
        text += f" ({number(key_projects)} dự án trọng điểm)"
    text += (
        f" với {number(clearance.get('households'))} hộ bị ảnh hưởng, diện tích {number(clearance.get('area_ha'))} ha. "
        f"Kinh phí bồi thường theo kế hoạch {number(clearance.get('budget_vnd'))} đồng; lũy kế đến ngày "
        f"{short_date(facts.period.end)} đã chi trả {number(clearance.get('disbursed_vnd'))} đồng"
    )
    if clearance.get("percent") is not None:
        text += f", đạt {number(clearance['percent'])}% kế hoạch{kpi_comparison(facts, 'clearance_percent')}"
    text += f"; riêng trong kỳ chi trả {number(clearance.get('disbursed_in_period_vnd'))} đồng."
    body.para(text)
    body.table(
        clearance_annex(facts).table(
            "Tiến độ bồi thường, giải phóng mặt bằng", picks=(0, 1, 5, 6, 7, 8, 10), widths=(7, 25, 9, 11, 20, 20, 9)
        )
    )


def _movement_section(body: Body, facts: Facts) -> None:
    campaigns = facts.section("campaigns")
    coverage = campaigns.get("coverage") or []
    scores, selections = campaigns.get("scores") or {}, campaigns.get("selections") or {}
    awards, dvk, commitments = (
        campaigns.get("awards") or {},
        campaigns.get("models") or {},
        campaigns.get("commitments") or {},
    )
    said = False
    if coverage:
        scored = sum(int(row.get("scored") or 0) for row in coverage)
        eligible = sum(int(row.get("eligible") or 0) for row in coverage)
        share = _share(scored, eligible)
        text = (
            f"Qua {number(len(coverage))} đợt chấm điểm hằng tháng, có {number(scored)} lượt đơn vị được chấm điểm "
            f"trên {number(eligible)} lượt đơn vị đủ điều kiện"
        )
        text += f" (đạt {number(share)}%)" if share is not None else ""
        body.para(text + f"{kpi_comparison(facts, 'movement_units_scored')}.")
        said = True
    if not is_zero(scores.get("cards")):
        types = _enumerate(
            [
                f"{lower_first(choice_label(TargetType, kind))} {number(block.get('average_percent'))}%"
                for kind, block in (scores.get("by_type") or {}).items()
                if block.get("average_percent") is not None
            ]
        )
        bands = scores.get("bands") or {}
        text = (
            f"Điểm bình quân của {number(scores['cards'])} phiếu chấm đã thẩm định đạt "
            f"{number(scores.get('average_percent'))}%{kpi_comparison(facts, 'movement_average_score')}"
        )
        text += f" ({types})" if types else ""
        text += (
            f"; {number(bands.get('80_plus', 0))} phiếu đạt từ 80% trở lên, "
            f"{number(bands.get('below_50', 0))} phiếu dưới 50%."
        )
        body.para(text)
        said = True
    if not is_zero(selections.get("selected")):
        body.para(
            f"Bình chọn {number(selections['selected'])} lượt đơn vị tiêu biểu "
            f"({number(selections.get('units'))} đơn vị được bình chọn ít nhất một lần)."
        )
        said = True
    if not is_zero(awards.get("total")):
        forms = ", ".join(f"{number(n)} {lower_first(label)}" for label, n in _counts(awards.get("by_form"), AwardForm))
        text = f"Khen thưởng {number(awards['total'])} lượt tập thể, cá nhân" + (f" ({forms})" if forms else "")
        if not is_zero(awards.get("prize_value_vnd")):
            text += f", tổng tiền thưởng {number(awards['prize_value_vnd'])} đồng"
        body.para(text + ".")
        said = True
    if not is_zero(dvk.get("registered")) or not is_zero(dvk.get("recognized")):
        fields = ", ".join(f"{lower_first(label)} {number(n)}" for label, n in _counts(dvk.get("by_field"), DvkField))
        text = f"Đăng ký mới {number(dvk.get('registered') or 0)} mô hình, điển hình “Dân vận khéo”"
        text += f" ({fields})" if fields else ""
        text += f"; {number(dvk.get('recognized') or 0)} mô hình, điển hình được công nhận."
        body.para(text)
        said = True
    if not is_zero(commitments.get("signed")) or not is_zero(commitments.get("broken")):
        body.para(
            f"Có {number(commitments.get('signed') or 0)} lượt hộ gia đình ký cam kết thực hiện các mô hình; "
            f"{number(commitments.get('broken') or 0)} trường hợp vi phạm cam kết."
        )
        said = True
    if not said:
        body.para("Trong kỳ chưa có kết quả chấm điểm thi đua, khen thưởng hoặc mô hình “Dân vận khéo” được ghi nhận.")


def _commune_section(body: Body, facts: Facts) -> bool:
    rows = facts.figures.get("communes") or []
    if len(rows) < 2:
        return False
    body.para(
        "Kết quả các đơn vị cấp xã được xếp hạng theo điểm hoạt động (tổng số chương trình, cuộc đối thoại "
        "và kiến nghị được giải quyết dứt điểm trong kỳ):"
    )
    body.table(
        commune_annex(facts).table(
            "Xếp hạng các đơn vị cấp xã",
            picks=(0, 1, 3, 6, 7, 8, 9, 2),
            widths=(7, 27, 11, 11, 11, 11, 11, 11),
        )
    )
    body.chart(communes_chart(facts))
    return True


def _narrative(body: Body, text: str, placeholder: str, draft: bool) -> bool:
    lines = [line.strip() for line in nfc(text).splitlines() if line.strip()]
    if lines:
        for line in lines:
            body.para(line)
        return True
    if draft:
        body.para(placeholder, italic=True, placeholder=True)
        return True
    return False


def document(report, today: date | None = None) -> ReportText:
    """The whole report as text blocks (see the module docstring)."""
    facts = facts_of(report)
    issuer = report.issuer
    draft = not (report.document_id and report.document is not None)
    locality = locality_of(issuer) or locality_of(report.unit) or report.unit
    header = Header(
        superior=superior_body(issuer),
        issuer=issuing_body(issuer),
        number=number_line(report),
        place_date=f"{place_name(locality)}, {long_date(issue_date(report, today))}",
    )
    label = facts.period.label
    scope = _scope(report)
    body = Body()
    intro = f"{nfc(issuer.name)} báo cáo kết quả công tác dân vận {label} như sau:"
    body.para(intro)
    if report.include_predecessors:
        names = ", ".join(nfc(unit.name) for unit in report.unit.predecessors.order_by("path"))
        if names:
            body.para(
                f"Số liệu của {nfc(report.unit.name)} bao gồm số liệu của các đơn vị trước sắp xếp ({names}).",
                italic=True,
            )

    body.heading(1, "I. KẾT QUẢ THỰC HIỆN")
    if facts.previous_is_last_year:
        against = f"cùng kỳ năm trước ({facts.last_year.label})"
    else:
        against = f"kỳ trước ({facts.previous.label}) và cùng kỳ năm trước ({facts.last_year.label})"
    body.para(f"Các chỉ tiêu chủ yếu trong {label}, so với {against}:")
    body.table(
        kpi_annex(facts).table(
            "Tổng hợp các chỉ tiêu chủ yếu",
            picks=(0, 1, 2, 3, 5) if facts.previous_is_last_year else (0, 1, 2, 3, 4, 5),
            widths=(7, 41, 13, 20, 20) if facts.previous_is_last_year else (7, 30, 12, 17, 17, 17),
        )
    )
    body.chart(trend_chart(facts))
    body.heading(2, "1. Công tác đối thoại, tiếp nhận và giải quyết kiến nghị của Nhân dân")
    _dialogue_section(body, facts, scope)
    body.heading(2, "2. Vận động Nhân dân tham gia các chương trình, đóng góp ngày công, kinh phí")
    _program_section(body, facts, scope)
    body.heading(2, "3. Vận động hiến đất, làm đường giao thông nông thôn")
    _donation_section(body, facts, scope)
    body.heading(2, "4. Vận động bồi thường, giải phóng mặt bằng")
    _clearance_section(body, facts)
    body.heading(2, "5. Phong trào thi đua và mô hình, điển hình “Dân vận khéo”")
    _movement_section(body, facts)
    if len(facts.figures.get("communes") or []) >= 2:
        body.heading(2, "6. Kết quả theo đơn vị cấp xã")
        _commune_section(body, facts)

    part = 1  # the next Roman numeral (I is the results)
    assessment = Body()
    number_in_part = 0
    for name, title in (("strengths", "Ưu điểm"), ("weaknesses", "Hạn chế, nguyên nhân")):
        sub = Body()
        if _narrative(sub, getattr(report, name), PLACEHOLDERS[name], draft):
            number_in_part += 1
            assessment.heading(2, f"{number_in_part}. {title}")
            assessment.blocks.extend(sub.blocks)
    if assessment.blocks:
        body.heading(1, f"{ROMAN[part]}. ĐÁNH GIÁ CHUNG")
        body.blocks.extend(assessment.blocks)
        part += 1
    for name, title in (("next_tasks", "NHIỆM VỤ TRỌNG TÂM KỲ TỚI"), ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ")):
        sub = Body()
        if _narrative(sub, getattr(report, name), PLACEHOLDERS[name], draft):
            body.heading(1, f"{ROMAN[part]}. {title}")
            body.blocks.extend(sub.blocks)
            part += 1

    authority, title = default_signer_lines(issuer)
    signature = Signature(
        authority=nfc(report.signer_authority).strip().upper() or authority,
        title=nfc(report.signer_title).strip().upper() or title,
        name=nfc(report.signer.full_name) if report.signer_id and report.signer is not None else "",
    )
    return ReportText(
        header=header,
        title=TITLE,
        subject=SUBJECT.format(label=label),
        body=body.blocks,
        signature=signature,
        recipients=recipients_lines(report.recipients),
        is_draft=draft,
        closing=f"Trên đây là báo cáo kết quả công tác dân vận {label} của {nfc(issuer.name)}./.",
        meta={"title": f"{TITLE} {SUBJECT.format(label=label)}", "author": nfc(issuer.name)},
    )
