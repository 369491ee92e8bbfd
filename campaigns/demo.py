"""Demo movement "10 phút góp phần cải thiện môi trường" scored monthly (July–December 2024), two Dân vận khéo
models (Chính quyền thân thiện; the Hmong model at Nặm Mèng with household commitments) and the
parishes' pledges.

One ``seed_demo`` step, ``seed_campaigns``. Every record is written through ``campaigns.services``
by the demo account whose job it is: demo_district runs the movement (criteria, rounds,
verification, closing, awards) and the district's model; demo_commune scores Vĩnh Yên's units and
keeps the Nặm Mèng model and its commitments; demo_commune2 scores Nghĩa Đô's; demo_admin scores
Phố Ràng's and records the parishes' pledges (those places have no demo account). So the demo
passes the same checks as the pages (who may score or verify what, criteria adding up, the
model's lifecycle, households inside the model's area).

What comes from the source article (seed/000_ffea95bce85c4951.txt):

* the movement's name, its separate criteria for villages, offices and schools, monthly scoring
  and rewards at the monthly conference ("hội nghị tuyên vận hằng tháng"), and the activities its
  criteria are drawn from: daily office cleaning, clean-up outings in villages, moving livestock
  pens away from houses, tidy houses, flower roads, sorting, collecting and treating waste;
* "Chính quyền thân thiện" (2022–2025), its results (top of the province's administrative
  reform and satisfaction indices in 2022–2023, the Sa Pa airport clearance) and its four pillars
  of 2024, quoted as printed except for the article's typo "cơi mở" (for "cởi mở"), corrected;
* the Hmong model "Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới": survey, village
  meeting, then households sign five commitments; the habits it builds (cleaning houses, fences,
  pens moved away, no littering of plastic bags and pesticide packaging, shared drainage ditches,
  flowers, weekly clean-up of village paths, cultural clubs);
* parishes and religious groups registering to emulate: no child or consanguineous marriage.

ILLUSTRATIVE, not from the article: every date; the criteria's wording and **points** (the
article gives no scoring grid); every score, rank and selection; the self-assessments the
district corrected; which units received a Giấy khen; the model criteria's targets and results;
the households' names (fictional) and which commitments were broken; the pledges' results. Text
fields of these records say so ("minh họa").

Idempotent: each record is looked up by its natural key (movement name and area; criteria set
type and year; round month; award round and recipient; model name and owner; household head,
model and village; pledge unit and year) and created only when missing. A closed round is left
as it is.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from organization.models import Unit, User

from . import services
from .commitment_items import ensure_defaults
from .models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    Criterion,
    DvkField,
    DvkKind,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    PledgeResult,
    RoundStatus,
    ScorecardStatus,
    ScoringRound,
    TargetType,
    target_type_of,
)
from .workflow import DvkStatus

if TYPE_CHECKING:  # seed_demo imports this module; import its Seed only for type checking
    from organization.management.commands.seed_demo import Seed

DISTRICT = "bao-yen"
HUYEN_UY = "bao-yen/huyen-uy"
VINH_YEN = "bao-yen/vinh-yen"
NGHIA_DO = "bao-yen/nghia-do"
PHO_RANG = "bao-yen/pho-rang"
NAM_MENG = "bao-yen/vinh-yen/tong-kim/nam-meng"

ILLUSTRATIVE = "Số liệu minh họa (demo), không phải số liệu thực của huyện."

# --- The movement and its criteria ---------------------------------------------------------------

MOVEMENT = "10 phút góp phần cải thiện môi trường"
MOVEMENT_DESCRIPTION = (
    "Phong trào Dân vận khéo do Huyện ủy Bảo Yên phát động, với các tiêu chí cụ thể cho thôn bản, "
    "công sở làm việc và trường học; kết quả được chấm điểm, bình chọn và khen thưởng tại hội nghị "
    "tuyên vận hằng tháng. Ngày phát động, nội dung và điểm của các tiêu chí là minh họa (demo)."
)
LAUNCH_DATE = date(2023, 6, 5)
YEAR = 2024
NEXT_YEAR = 2025

#: (code, criterion, group, maximum points). The activities are the article's; the wording and
#: the points are illustrative. Each set totals 100 points, every weight 1.
CRITERIA: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    TargetType.VILLAGE: (
        ("TB1", "Ra quân dọn dẹp vệ sinh đường làng, ngõ xóm, khơi thông rãnh thoát nước ít nhất mỗi tuần một lần",
         "Vệ sinh môi trường", 25),
        ("TB2", "Di chuyển chuồng trại gia súc ra xa nhà ở; chuồng trại sạch sẽ", "Chuồng trại", 20),
        ("TB3", "Dọn dẹp, sắp xếp nhà cửa gọn gàng, sạch sẽ", "Nhà ở", 15),
        ("TB4", "Trồng và chăm sóc đường hoa, cây xanh", "Cảnh quan", 15),
        ("TB5", "Phân loại, thu gom và xử lý rác thải theo quy định", "Rác thải", 25),
    ),
    TargetType.OFFICE: (
        ("CS1", "Duy trì vệ sinh công sở hằng ngày (10 phút đầu giờ)", "Vệ sinh công sở", 40),
        ("CS2", "Khuôn viên, bồn hoa, cây xanh được chăm sóc", "Cảnh quan", 20),
        ("CS3", "Phân loại, thu gom rác thải tại nguồn", "Rác thải", 25),
        ("CS4", "Phòng làm việc, hồ sơ sắp xếp gọn gàng", "Vệ sinh công sở", 15),
    ),
    TargetType.SCHOOL: (
        ("TH1", "Giáo viên, học sinh vệ sinh lớp học, sân trường hằng ngày", "Vệ sinh trường lớp", 35),
        ("TH2", "Trồng và chăm sóc bồn hoa, cây xanh trong trường", "Cảnh quan", 25),
        ("TH3", "Phân loại, thu gom rác thải; không xả rác bừa bãi", "Rác thải", 25),
        ("TH4", "Tham gia ra quân vệ sinh môi trường khu dân cư quanh trường", "Vệ sinh môi trường", 15),
    ),
}  # fmt: skip

#: 2025's village criteria: waste (TB5) is split so plastic bags and pesticide packaging are scored on
#: their own (the article's Hmong model names them). 2024's scores do not change: the 2024 set
#: is frozen, this is a new set.
VILLAGE_2025 = (
    *CRITERIA[TargetType.VILLAGE][:4],
    ("TB5", "Phân loại, thu gom và xử lý rác thải theo quy định", "Rác thải", 20),
    ("TB6", "Không vứt túi ni lông, vỏ bao bì thuốc bảo vệ thực vật bừa bãi", "Rác thải", 5),
)
NOTE_2025 = "Sửa đổi năm 2025: tách tiêu chí túi ni lông, bao bì thuốc bảo vệ thực vật (minh họa)."


@dataclass(frozen=True)
class Scored:
    """A unit's verified score in percent: ``base`` in the first month scored, ``gain`` more each
    month after. The commune's own assessment is ``overstated`` points higher (the district
    corrects it)."""

    key: str  # below bao-yen/
    base: int
    gain: int = 1
    overstated: int = 0

    def verified(self, month: int) -> int:
        return self.base + self.gain * (month - MONTHS[0])


#: The months of 2024 scored: the second half-year, enough to show a trend while keeping the
#: seed fast (every scorecard goes through the services: about 30 queries each).
MONTHS = range(7, 13)

#: 13 villages and residential groups, 3 offices, 4 schools. The ties are deliberate: in July
#: Nà Pồng and Nà Đình share third place with 80 (1, 2, 3, 3: both selected); in September Nà
#: Pồng and Tổ dân phố 2 share second place with 82 (1, 2, 2, 4).
SCORED = (
    Scored("vinh-yen/tong-kim", 68, 2),
    Scored("vinh-yen/tong-kim/nam-meng", 71, 4),
    Scored("vinh-yen/ban-vanh", 60),
    Scored("vinh-yen/ban-bong", 55, overstated=3),
    Scored("vinh-yen/khuoi-phuong", 45, overstated=5),
    Scored("vinh-yen/tru-so-xa", 75),
    Scored("vinh-yen/truong-th-thcs", 72, 2),
    Scored("vinh-yen/truong-mam-non", 85, overstated=2),
    Scored("nghia-do/na-pong", 80),
    Scored("nghia-do/na-dinh", 80, 0),
    Scored("nghia-do/na-luong", 62, overstated=4),
    Scored("nghia-do/khuoi-phec", 50, 2),
    Scored("nghia-do/tru-so-xa", 80),
    Scored("nghia-do/truong-thcs", 78),
    Scored("pho-rang/to-dan-pho-1", 85),
    Scored("pho-rang/to-dan-pho-2", 82, 0),
    Scored("pho-rang/to-dan-pho-3", 75),
    Scored("pho-rang/to-dan-pho-4", 65),
    Scored("pho-rang/tru-so-thi-tran", 88, 0),
    Scored("pho-rang/truong-thpt", 90, 0),
)
SELECTED_PER_TYPE = 3
MIN_PERCENT = Decimal(80)
#: The top village of these months receives a Giấy khen of the Huyện ủy at the next monthly
#: conference (the 10th of the following month).
AWARD_MONTHS = (9, 11, 12)


def split_points(total: int, maxima: list[int]) -> list[int]:
    """Scores per criterion adding up to ``total``: the missing points taken off one at a time,
    from the last criterion backwards, so they spread evenly."""
    scores = list(maxima)
    missing = sum(maxima) - total
    while missing > 0:
        for index in reversed(range(len(scores))):
            if missing and scores[index] > 0:
                scores[index] -= 1
                missing -= 1
    return scores


# --- Dân vận khéo models ------------------------------------------------------------------------

FRIENDLY = "Chính quyền thân thiện"
FRIENDLY_PILLARS = (
    (1, "Hoạt động chính quyền công khai, minh bạch, thân thiện", ""),
    (2, "Môi trường công sở văn minh, thân thiện, hiện đại", ""),
    (3, "Cán bộ của chính quyền chuyên nghiệp, thân thiện vì Nhân dân phục vụ", ""),
    (
        4,
        "Người dân cởi mở, thân thiện và phối hợp với cán bộ của cả hệ thống chính trị trong các hoạt động công vụ",
        "Bài viết in “cơi mở”, lỗi chính tả của “cởi mở”.",
    ),
)
FRIENDLY_CRITERIA = (
    ("Chỉ số cải cách hành chính của huyện", "Nhóm dẫn đầu khối huyện, thị xã, thành phố",
     "Top đầu năm 2022 và 2023", "Theo bài viết nguồn"),
    ("Chỉ số hài lòng của người dân, doanh nghiệp", "Nhóm dẫn đầu khối huyện, thị xã, thành phố",
     "Top đầu năm 2022 và 2023", "Theo bài viết nguồn"),
    ("Giải phóng mặt bằng Cảng hàng không Sa Pa", "Giải ngân 100% kế hoạch",
     "290 hộ / 263,26 ha; giải ngân 250 tỷ đồng, đạt 100% kế hoạch", "Theo bài viết nguồn"),
    ("Giải quyết kịp thời kiến nghị, đề xuất của Nhân dân sau đối thoại", "100% kiến nghị được trả lời",
     "100% (minh họa)", "Thông báo kết luận sau đối thoại (minh họa)"),
)  # fmt: skip
FRIENDLY_PATH = (
    (DvkStatus.SURVEYED, "Khảo sát thực trạng công tác dân vận chính quyền (minh họa).", date(2022, 2, 15)),
    (DvkStatus.VILLAGE_CONSULTED, "Lấy ý kiến Nhân dân qua các hội nghị đối thoại (minh họa).", date(2022, 4, 15)),
    (DvkStatus.LAUNCHED, "Triển khai trong cả hệ thống chính trị (minh họa).", date(2022, 5, 19)),
    (DvkStatus.IN_PROGRESS, "", date(2022, 6, 1)),
    (DvkStatus.EVALUATED, "Sơ kết giai đoạn 2022 – 2023 (minh họa).", date(2023, 12, 15)),
    (DvkStatus.RECOGNIZED, "Công nhận mô hình Dân vận khéo cấp huyện (minh họa).", date(2023, 12, 28)),
)
FRIENDLY_RECOGNIZED_ON = date(2023, 12, 28)

HMONG = "Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới"
HMONG_CRITERIA = (
    ("Các hộ dọn dẹp vệ sinh nhà cửa thường xuyên", "100% hộ", "28/30 hộ (minh họa)", False),
    ("Làm hàng rào xung quanh nhà", "100% hộ", "30/30 hộ (minh họa)", True),
    ("Di chuyển chuồng trại ra xa nhà ở", "100% hộ", "27/30 hộ (minh họa)", False),
    ("Không vứt rác, túi nilong, vỏ bao bì thuốc bảo vệ thực vật bừa bãi", "100% hộ", "30/30 hộ (minh họa)", True),
    ("Đào rãnh thoát nước chung", "Toàn khu dân cư", "Hoàn thành (minh họa)", True),
    ("Trồng hoa xung quanh nhà, đường làng", "100% hộ", "25/30 hộ (minh họa)", False),
    ("Hằng tuần cùng nhau dọn dẹp đường làng, ngõ xóm", "Mỗi tuần một lần", "Duy trì hằng tuần (minh họa)", True),
    ("Sinh hoạt câu lạc bộ văn hóa (múa khèn, múa gậy sinh tiền)", "Mỗi tháng một lần",
     "Mỗi tháng một lần (minh họa)", True),
)  # fmt: skip
HMONG_PATH = (
    (DvkStatus.SURVEYED, "Khảo sát thực tế, xác định phần việc và tiêu chí cần đạt (minh họa).", date(2022, 1, 25)),
    (DvkStatus.VILLAGE_CONSULTED, "Họp thôn bản xin ý kiến bà con (minh họa).", date(2022, 3, 5)),
    (DvkStatus.LAUNCHED, "Ra quân xây dựng mô hình (minh họa).", date(2022, 3, 20)),
    (DvkStatus.IN_PROGRESS, "", date(2022, 4, 1)),
)
#: Fictional heads of household of Nặm Mèng, with the Hmong family names of the area.
HOUSEHOLDS = (
    "Giàng A Páo", "Giàng Seo Chứ", "Giàng A Sính", "Vàng A Dính", "Vàng Seo Pao", "Vàng A Tủa",
    "Lý Seo Chơ", "Lý A Sử", "Lý Seo Dế", "Sùng A Lử", "Sùng Seo Pùa", "Sùng A Chứ",
    "Thào A Súa", "Thào Seo Sính", "Thào A Pó", "Hầu A Dếnh", "Hầu Seo Lềnh", "Hầu A Chảo",
    "Mùa A Sểnh", "Mùa Seo Chư", "Lồ A Dình", "Lồ Seo Páo", "Tráng A Lử", "Tráng Seo Sùng",
    "Hạng A Tếnh", "Hạng Seo Vừ", "Giàng Thị Mỷ", "Vàng Thị Dợ", "Lý Thị Say", "Sùng Thị Chá",
)  # fmt: skip
HOUSEHOLD_NOTE = "Hộ gia đình minh họa (demo), tên hư cấu."
#: Households signed over a week after the village meeting, five a day from 10/03/2022.
FIRST_SIGNING = date(2022, 3, 10)
#: (household head, broken on, item code, note): the commitments broken since.
BROKEN = (
    ("Lồ A Dình", date(2023, 8, 20), "no-child-consanguineous-marriage",
     "Để con gái kết hôn khi chưa đủ tuổi (minh họa)."),
    ("Hầu Seo Lềnh", date(2024, 5, 12), "no-backward-customs", "Tổ chức tang lễ kéo dài theo hủ tục (minh họa)."),
)  # fmt: skip

# --- Pledges of the religious groups ------------------------------------------------------------

PLEDGE_ITEM = "no-child-consanguineous-marriage"
#: (religious group, year, result)
PLEDGES = (
    ("bao-yen/pho-rang/giao-ho", 2023, PledgeResult.ACHIEVED),
    ("bao-yen/bao-ha/giao-ho", 2023, PledgeResult.ACHIEVED),
    ("bao-yen/pho-rang/giao-ho", 2024, PledgeResult.ACHIEVED),
    ("bao-yen/bao-ha/giao-ho", 2024, PledgeResult.PLEDGED),
)


# --- The step -----------------------------------------------------------------------------------


@dataclass
class _Cast:
    users: dict[str, User]
    units: dict[str, Unit] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Cast:
        cast = cls(users={user.username: user for user in User.objects.filter(username__startswith="demo_")})
        cast.units = {unit.key: unit for unit in Unit.objects.filter(key__startswith=DISTRICT)}
        return cast

    def unit(self, key: str) -> Unit:
        return self.units[key]

    @property
    def district_staff(self) -> User:
        return self.users["demo_district"]

    def author(self, unit_key: str) -> User:
        """Who writes a commune's own records: its officer where the demo has one."""
        if unit_key.startswith(VINH_YEN):
            return self.users["demo_commune"]
        if unit_key.startswith(NGHIA_DO):
            return self.users["demo_commune2"]
        return self.users["demo_admin"]

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] = self.created.get(what, 0) + n


def seed_campaigns(seed: Seed) -> None:
    """The "10 phút" movement with six scored rounds of 2024 and awards, two models, Nặm Mèng's
    commitments and the parishes' pledges."""
    cast = _Cast.load()
    ensure_defaults()  # the items households sign, in case the database was emptied since migrating
    movement = _movement(cast)
    sets = _criteria(cast, movement)
    for month in MONTHS:
        _round(cast, movement, sets, month)
    _awards(cast, movement)
    _friendly_government(cast)
    _hmong_model(cast)
    _pledges(cast)
    if not cast.created:
        seed.stdout.write("campaigns: demo records already present, nothing to do")
        return
    seed.stdout.write("campaigns: created " + ", ".join(f"{n} {what}" for what, n in cast.created.items()))


def _movement(cast: _Cast) -> Movement:
    district = cast.unit(DISTRICT)
    movement = Movement.objects.filter(unit=district, name=MOVEMENT).first()
    if movement is None:
        movement = services.movement_create(
            user=cast.district_staff,
            values={
                "name": MOVEMENT,
                "unit": district,
                "launched_by": cast.unit(HUYEN_UY),
                "launch_date": LAUNCH_DATE,
                "is_dvk": True,
                "target_types": [TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL],
                "description": MOVEMENT_DESCRIPTION,
            },
        )
        cast.count("movements")
    return movement


def _rows(criteria) -> list[dict]:
    return [
        {"code": code, "text": text, "group": group, "max_points": Decimal(points), "order": order}
        for order, (code, text, group, points) in enumerate(criteria, start=1)
    ]


def _criteria(cast: _Cast, movement: Movement) -> dict[str, list[Criterion]]:
    """2024's sets, then 2025's as copies (the village set then revised)."""
    staff = cast.district_staff
    sets = {}
    for target, criteria in CRITERIA.items():
        criteria_set = CriteriaSet.objects.filter(movement=movement, target_type=target, year=YEAR).first()
        if criteria_set is None:
            criteria_set = services.criteria_set_save(
                user=staff,
                movement=movement,
                data=services.CriteriaSetInput(
                    target_type=target,
                    year=YEAR,
                    total_points=Decimal(100),
                    note="Điểm các tiêu chí là minh họa (demo).",
                    criteria=_rows(criteria),
                ),
            )
            cast.count("criteria sets")
        sets[target] = list(criteria_set.criteria.all())
    for target in CRITERIA:
        if CriteriaSet.objects.filter(movement=movement, target_type=target, year=NEXT_YEAR).exists():
            continue
        source = CriteriaSet.objects.get(movement=movement, target_type=target, year=YEAR)
        copy = services.criteria_set_copy(user=staff, source=source, year=NEXT_YEAR)
        if target == TargetType.VILLAGE:
            services.criteria_set_save(
                user=staff,
                movement=movement,
                criteria_set=copy,
                data=services.CriteriaSetInput(
                    target_type=target,
                    year=NEXT_YEAR,
                    total_points=Decimal(100),
                    note=NOTE_2025,
                    criteria=_rows(VILLAGE_2025),
                ),
            )
        cast.count("criteria sets")
    return sets


def _round(cast: _Cast, movement: Movement, sets: dict[str, list[Criterion]], month: int) -> None:
    """Open the month's round, let each commune fill and submit its grid, verify, close."""
    first = date(YEAR, month, 1)
    staff = cast.district_staff
    round_ = ScoringRound.objects.filter(movement=movement, month=first).first()
    if round_ is None:
        round_ = services.round_create(
            user=staff,
            movement=movement,
            month=first,
            closes_on=date(YEAR, month, monthrange(YEAR, month)[1]),
            selected_per_type=SELECTED_PER_TYPE,
            min_percent_for_selection=MIN_PERCENT,
        )
        cast.count("scoring rounds")
    if round_.status == RoundStatus.CLOSED:
        return
    if round_.status == RoundStatus.DRAFT:
        round_ = services.round_open(user=staff, round_=round_)
    done = set(round_.scorecards.exclude(status=ScorecardStatus.DRAFT).values_list("unit__key", flat=True))
    by_author: dict[User, dict[int, dict[int, str]]] = {}
    corrections: dict[int, dict[int, str]] = {}
    for spec in SCORED:
        key = f"{DISTRICT}/{spec.key}"
        if key in done:
            continue
        unit = cast.unit(key)
        criteria = sets[_target_of(unit)]
        maxima = [int(c.max_points) for c in criteria]
        verified = split_points(spec.verified(month), maxima)
        assessed = split_points(spec.verified(month) + spec.overstated, maxima)
        by_author.setdefault(cast.author(key), {})[unit.pk] = {
            c.pk: str(score) for c, score in zip(criteria, assessed, strict=True)
        }
        if spec.overstated:
            corrections[unit.pk] = {c.pk: str(score) for c, score in zip(criteria, verified, strict=True)}
    for author, rows in by_author.items():
        services.grid_save(user=author, round_=round_, rows=rows, submit=True)
        cast.count("scorecards", len(rows))
    for card in round_.scorecards.filter(status=ScorecardStatus.SUBMITTED).select_related("round"):
        services.scorecard_verify(
            user=staff,
            scorecard=card,
            verified=corrections.get(card.unit_id),
            note="Điều chỉnh theo kết quả kiểm tra thực tế (minh họa)." if card.unit_id in corrections else "",
        )
    services.round_close(user=staff, round_=round_)


def _target_of(unit: Unit) -> str:
    target = target_type_of(unit)
    assert target is not None, unit.key
    return target


def _awards(cast: _Cast, movement: Movement) -> None:
    """A Giấy khen of the Huyện ủy for the top village of a few months."""
    issuer = cast.unit(HUYEN_UY)
    for month in AWARD_MONTHS:
        round_ = ScoringRound.objects.get(movement=movement, month=date(YEAR, month, 1))
        top = round_.scorecards.filter(target_type=TargetType.VILLAGE, rank_in_type=1).select_related("unit")
        for card in top:
            if Award.objects.filter(round=round_, recipient_unit=card.unit).exists():
                continue
            services.award_create(
                user=cast.district_staff,
                values={
                    "movement": movement,
                    "round": round_,
                    "recipient_unit": card.unit,
                    "form": AwardForm.CERTIFICATE,
                    "issuer": issuer,
                    "date": (round_.month_end() + timedelta(days=10)),
                    "reason": (
                        f"Dẫn đầu các thôn, bản, tổ dân phố trong phong trào “{MOVEMENT}” tháng "
                        f"{round_.month:%m/%Y} ({card.final_total:.0f} điểm). Khen thưởng minh họa (demo)."
                    ),
                },
            )
            cast.count("awards")


def _walk(cast: _Cast, user: User, model: DvkModel, path, *, until: str | None = None, **final) -> DvkModel:
    """Move the model along ``path`` (steps of status, note, day it happened) from wherever it is
    on it, up to ``until`` (default: the end, where ``final`` goes with the last move). Idempotent."""
    statuses = [status for status, _note, _day in path]
    position = statuses.index(model.status) + 1 if model.status in statuses else 0
    stop = statuses.index(until) + 1 if until else len(statuses)
    for status, note, day in path[position:stop]:
        extra = final if status == statuses[-1] else {}
        model = services.dvk_transition(user=user, model=model, to_status=status, note=note, effective_on=day, **extra)
        cast.count("model status changes")
    return model


def _friendly_government(cast: _Cast) -> DvkModel:
    district, staff = cast.unit(DISTRICT), cast.district_staff
    model = DvkModel.objects.filter(owner_unit=district, name=FRIENDLY).first()
    if model is None:
        model = services.dvk_model_create(
            user=staff,
            data=services.DvkModelInput(
                values={
                    "name": FRIENDLY,
                    "kind": DvkKind.MODEL,
                    "field": DvkField.POLITICAL_SYSTEM,
                    "level": DvkLevel.DISTRICT,
                    "owner_unit": district,
                    "locality": district,
                    "target_group": "Cán bộ, công chức chính quyền các cấp và Nhân dân trên địa bàn huyện",
                    "registered_on": date(2022, 1, 14),
                    "rationale": (
                        "Đổi mới mạnh mẽ công tác dân vận chính quyền; nhiệm vụ trọng tâm của cả hệ thống "
                        "chính trị giai đoạn 2022 – 2025."
                    ),
                    "objectives": (
                        "Làm tốt các bước công khai, dân chủ, vận động Nhân dân đồng thuận trong giải phóng "
                        "mặt bằng phục vụ các dự án; thực hiện tốt công tác cải cách thủ tục hành chính; giải "
                        "quyết kịp thời các kiến nghị, đề xuất của Nhân dân."
                    ),
                    "methods": (
                        "Vận hành dưới mô hình Dân vận khéo, dưới sự chỉ đạo của các cấp ủy đảng, thực hiện từ "
                        "nhiều hành động nhỏ, nhiều việc làm cụ thể."
                    ),
                    "forces": "Cả hệ thống chính trị huyện, xã",
                    "timeline": "2022 – 2025",
                    "start_date": date(2022, 1, 14),
                    "end_date": date(2025, 6, 30),
                    "outputs": (
                        "Năm 2024: giải pháp xây dựng chính quyền thân thiện với 4 trụ cột. Ngày đăng ký, "
                        "ngày công nhận là minh họa (demo)."
                    ),
                },
                criteria=[
                    {"text": text, "target": target, "achieved": achieved, "met": True, "evidence": evidence}
                    for text, target, achieved, evidence in FRIENDLY_CRITERIA
                ],
                pillars=[
                    {"number": number, "title": title, "description": description}
                    for number, title, description in FRIENDLY_PILLARS
                ],
            ),
        )
        cast.count("models")
    return _walk(cast, staff, model, FRIENDLY_PATH, recognized_on=FRIENDLY_RECOGNIZED_ON)


def _hmong_model(cast: _Cast) -> DvkModel:
    commune, locality = cast.unit(VINH_YEN), cast.unit(NAM_MENG)
    officer = cast.author(VINH_YEN)
    model = DvkModel.objects.filter(owner_unit=commune, name=HMONG).first()
    if model is None:
        model = services.dvk_model_create(
            user=officer,
            data=services.DvkModelInput(
                values={
                    "name": HMONG,
                    "kind": DvkKind.MODEL,
                    "field": DvkField.CULTURE_SOCIETY,
                    "level": DvkLevel.VILLAGE,
                    "owner_unit": commune,
                    "locality": locality,
                    "target_group": "Đồng bào Mông Khu dân cư Nặm Mèng, bản Tổng Kim",
                    "registered_on": date(2022, 1, 10),
                    "rationale": (
                        "Phát huy vai trò chủ thể của người dân, đồng bào dân tộc thiểu số xóa bỏ những tập tục "
                        "lạc hậu, giữ gìn văn hóa truyền thống tốt đẹp, phát triển kinh tế, đảm bảo an ninh trật tự."
                    ),
                    "objectives": (
                        "Khu dân cư có hạ tầng đáp ứng nhu cầu của người dân; đời sống ấm no, hạnh phúc; bản sắc "
                        "văn hóa truyền thống của đồng bào Mông được giữ gìn và phát triển; khu dân cư trở thành "
                        "điểm tham quan, học tập kinh nghiệm của các thôn đồng bào Mông trong và ngoài huyện."
                    ),
                    "methods": (
                        "Khảo sát thực tế, xác định phần việc và tiêu chí cần đạt; họp thôn bản xin ý kiến bà con; "
                        "các hộ ký cam kết; cán bộ cầm tay chỉ việc, đồng hành cùng người dân."
                    ),
                    "forces": "Các cơ quan, ban ngành, địa phương, cán bộ, công chức và người dân",
                    "timeline": "2022 – 2025",
                    "start_date": date(2022, 3, 19),
                    "outputs": (
                        "Trên 750 m đường bê tông xi măng; tuyến đường nội thôn trên 600 m; gần 300 m² đất cho "
                        "khu sinh hoạt chung và nhà truyền thống."
                    ),
                },
                criteria=[
                    {"text": text, "target": target, "achieved": achieved, "met": met}
                    for text, target, achieved, met in HMONG_CRITERIA
                ],
            ),
        )
        cast.count("models")
    # Households sign after the village meeting, before the launch.
    model = _walk(cast, officer, model, HMONG_PATH, until=DvkStatus.VILLAGE_CONSULTED)
    _commitments(cast, officer, model, locality)
    return _walk(cast, officer, model, HMONG_PATH)


def _commitments(cast: _Cast, officer: User, model: DvkModel, village: Unit) -> None:
    items = list(CommitmentItem.objects.filter(is_active=True))
    existing = {c.household_head: c for c in HouseholdCommitment.objects.filter(model=model, village=village)}
    for index, head in enumerate(HOUSEHOLDS):
        if head in existing:
            continue
        existing[head] = services.commitment_create(
            user=officer,
            values={
                "model": model,
                "household_head": head,
                "village": village,
                "signed_on": FIRST_SIGNING + timedelta(days=index // 5),
                "note": HOUSEHOLD_NOTE,
            },
            items=items,
        )
        cast.count("household commitments")
    codes = {item.code: item for item in items}
    for head, broken_on, code, note in BROKEN:
        commitment = existing[head]
        if commitment.status == CommitmentStatus.BROKEN:
            continue
        services.commitment_update(
            user=officer,
            commitment=commitment,
            values={"status": CommitmentStatus.BROKEN, "broken_on": broken_on, "note": f"{HOUSEHOLD_NOTE} {note}"},
            broken_items=[codes[code]],
        )
        cast.count("broken commitments")


def _pledges(cast: _Cast) -> None:
    item = CommitmentItem.objects.get(code=PLEDGE_ITEM)
    for key, year, result in PLEDGES:
        unit = cast.unit(key)
        if EmulationPledge.objects.filter(unit=unit, year=year).exists():
            continue
        assessed = result != PledgeResult.PLEDGED
        services.pledge_save(
            user=cast.author(key),
            values={
                "unit": unit,
                "year": year,
                "signed_on": date(year, 1, 20),
                "representative": f"Ban hành giáo {unit.name} (minh họa)",
                "result": result,
                "assessment": (
                    "Không có trường hợp tảo hôn, hôn nhân cận huyết thống trong năm (minh họa)." if assessed else ""
                ),
            },
            items=[item],
        )
        cast.count("pledges")


#: Run by ``seed_demo`` after the organization's and earlier apps' steps.
DEMO_STEPS = [seed_campaigns]
