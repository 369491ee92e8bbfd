"""Demo dialogues, petitions, conclusion notices and answers for Bảo Yên, 2021–2024.

One ``seed_demo`` step, ``seed_dialogues``. Every record is written through ``dialogues.services``
by the demo account whose job it is (demo_commune files Vĩnh Yên's own dialogues, demo_district
everything else, demo_leader issues the conclusion notices, demo_agency answers for Phòng Tài
nguyên và Môi trường), so the demo exercises the same rules, numbering and event log as the
pages. Departments without a demo account answer through demo_admin.

What comes from the source article (seed/000_ffea95bce85c4951.txt): the Standing Board's
dialogues, 9 in 2021, 5 in 2022 and 4 in 2023 (18: 16 periodic and 2 ad hoc); the dialogue with
people affected by the remnants of storm No. 3 (2024); Nặm Mèng, Nghĩa Đô's community tourism,
the Sa Pa airport clearance; the meetings with clergy; and the printed totals kept as reported
aggregates (district People's Committee 119; communes 167, printed with a year breakdown that adds
up to 119, which the data-quality check flags). Dates, topics of individual dialogues, petitions
and answers are ILLUSTRATIVE: plausible for the district, not copied from its records.

Idempotent: the whole step is skipped when the first Standing Board dialogue already exists
(seed_demo runs all steps in one transaction, so a half-seeded state cannot be left behind).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from django.utils import timezone

from organization.models import Person, Unit, User

from . import services
from .models import (
    Dialogue,
    DialogueKind,
    DialogueLevel,
    HostBody,
    LegalTrack,
    Petition,
    PetitionField,
    PetitionType,
    ReportedMetric,
)
from .services import DialogueInput, DirectiveInput, PetitionInput
from .workflow import Action

if TYPE_CHECKING:  # seed_demo imports this module; import its Seed only for type checking
    from organization.management.commands.seed_demo import Seed

DISTRICT = "bao-yen"
COMMITTEE = "bao-yen/huyen-uy"
SECRETARY = "Hoàng Văn Demo"  # the fictional Bí thư Huyện ủy created by seed_people
ARTICLE = "Bài viết trên Cổng TTĐT Tỉnh ủy Lào Cai về công tác dân vận huyện Bảo Yên"

TNMT = "bao-yen/ubnd/tai-nguyen-moi-truong"
NONG_NGHIEP = "bao-yen/ubnd/nong-nghiep"
LDTBXH = "bao-yen/ubnd/lao-dong-thuong-binh-xa-hoi"
VAN_HOA = "bao-yen/ubnd/van-hoa-thong-tin"
VAN_PHONG = "bao-yen/ubnd/van-phong"
KTHT = "bao-yen/ubnd/kinh-te-ha-tang"

F = PetitionField
T = PetitionType

#: Which department answers a petition of each field.
AGENCY_FOR = {
    F.LAND: TNMT,
    F.CLEARANCE: TNMT,
    F.ENVIRONMENT: TNMT,
    F.TRANSPORT: KTHT,
    F.POWER_WATER: KTHT,
    F.FARMING: NONG_NGHIEP,
    F.DISASTER: NONG_NGHIEP,
    F.SOCIAL_POLICY: LDTBXH,
    F.ETHNIC_RELIGION: VAN_HOA,
    F.HEALTH: VAN_PHONG,
    F.EDUCATION: VAN_PHONG,
    F.PROCEDURES: VAN_PHONG,
    F.PUBLIC_ORDER: VAN_PHONG,
    F.PERSONNEL: VAN_PHONG,
    F.OTHER: VAN_PHONG,
}

#: key → (field, type, content). What citizens raise, by field.
PETITIONS: dict[str, tuple[str, str, str]] = {
    "gcn-dat": (
        F.LAND,
        T.REQUEST,
        "Đề nghị đẩy nhanh việc cấp giấy chứng nhận quyền sử dụng đất cho các hộ đã đo đạc bản đồ địa chính.",
    ),
    "ranh-gioi": (
        F.LAND,
        T.COMPLAINT,
        "Phản ánh ranh giới đất rừng giữa hai thôn chưa rõ ràng, dễ phát sinh tranh chấp.",
    ),
    "chuyen-muc-dich": (
        F.LAND,
        T.PROPOSAL,
        "Đề xuất đơn giản hóa thủ tục chuyển mục đích sử dụng đất vườn sang đất ở cho các hộ tách hộ.",
    ),
    "do-dac": (
        F.LAND,
        T.REQUEST,
        "Đề nghị đo đạc lại diện tích đất nông nghiệp do sai lệch giữa giấy chứng nhận và thực địa.",
    ),
    "gia-boi-thuong": (
        F.CLEARANCE,
        T.OPINION,
        "Ý kiến về đơn giá bồi thường cây quế trên đất bị thu hồi còn thấp so với giá thị trường.",
    ),
    "tai-dinh-cu": (
        F.CLEARANCE,
        T.REQUEST,
        "Đề nghị sớm hoàn thiện hạ tầng khu tái định cư và bàn giao đất ở cho các hộ bị thu hồi đất.",
    ),
    "chuyen-nghe": (
        F.CLEARANCE,
        T.PROPOSAL,
        "Đề xuất hỗ trợ đào tạo nghề, chuyển đổi việc làm cho lao động bị thu hồi đất sản xuất.",
    ),
    "duong-sat-lo": (
        F.TRANSPORT,
        T.REQUEST,
        "Đề nghị khắc phục điểm sạt lở trên tuyến đường liên thôn sau các trận mưa lớn.",
    ),
    "duong-be-tong": (
        F.TRANSPORT,
        T.PROPOSAL,
        "Đề xuất hỗ trợ xi măng để Nhân dân làm đường bê tông nội thôn; bà con cam kết hiến đất, góp ngày công.",
    ),
    "cau-tran": (
        F.TRANSPORT,
        T.REQUEST,
        "Đề nghị xây cầu tràn qua suối để học sinh đi học an toàn trong mùa mưa lũ.",
    ),
    "nuoc-sinh-hoat": (
        F.POWER_WATER,
        T.REQUEST,
        "Đề nghị sửa chữa công trình nước sinh hoạt tập trung bị hỏng, nhiều hộ thiếu nước vào mùa khô.",
    ),
    "dien-luoi": (
        F.POWER_WATER,
        T.REQUEST,
        "Đề nghị kéo điện lưới quốc gia đến các hộ ở xa trung tâm thôn.",
    ),
    "den-duong": (
        F.POWER_WATER,
        T.PROPOSAL,
        "Đề xuất lắp đèn chiếu sáng trên trục đường chính và các ngõ của tổ dân phố.",
    ),
    "rac-thai": (
        F.ENVIRONMENT,
        T.COMPLAINT,
        "Phản ánh rác thải sinh hoạt khu chợ chưa được thu gom thường xuyên, gây ô nhiễm.",
    ),
    "chuong-trai": (
        F.ENVIRONMENT,
        T.OPINION,
        "Ý kiến đề nghị hướng dẫn, hỗ trợ các hộ di chuyển chuồng trại ra xa nhà ở.",
    ),
    "ho-ngheo": (
        F.SOCIAL_POLICY,
        T.OPINION,
        "Ý kiến về việc rà soát hộ nghèo, hộ cận nghèo ở một số thôn chưa sát thực tế.",
    ),
    "nha-tam": (
        F.SOCIAL_POLICY,
        T.REQUEST,
        "Đề nghị hỗ trợ xóa nhà tạm, nhà dột nát cho các hộ nghèo trong thôn.",
    ),
    "bhyt": (
        F.SOCIAL_POLICY,
        T.REQUEST,
        "Đề nghị cấp thẻ bảo hiểm y tế kịp thời cho người dân tộc thiểu số ở vùng đặc biệt khó khăn.",
    ),
    "ho-tro-covid": (
        F.SOCIAL_POLICY,
        T.REQUEST,
        "Đề nghị chi trả kịp thời khoản hỗ trợ cho lao động tự do mất việc làm do dịch COVID-19.",
    ),
    "tram-y-te": (
        F.HEALTH,
        T.PROPOSAL,
        "Đề xuất bổ sung trang thiết bị và cán bộ y tế cho trạm y tế xã.",
    ),
    "phong-hoc": (
        F.EDUCATION,
        T.REQUEST,
        "Đề nghị sửa chữa phòng học xuống cấp tại điểm trường thôn.",
    ),
    "nha-van-hoa": (
        F.ETHNIC_RELIGION,
        T.REQUEST,
        "Đề nghị hỗ trợ kinh phí sửa chữa nhà văn hóa thôn, mua sắm trang phục và nhạc cụ truyền thống.",
    ),
    "le-hoi": (
        F.ETHNIC_RELIGION,
        T.PROPOSAL,
        "Đề xuất khôi phục lễ hội Lồng tồng gắn với phát triển du lịch cộng đồng.",
    ),
    "homestay": (
        F.OTHER,
        T.REQUEST,
        "Đề nghị hỗ trợ vốn vay ưu đãi để các hộ cải tạo nhà sàn làm homestay, phát triển du lịch cộng đồng.",
    ),
    "giong-que": (
        F.FARMING,
        T.REQUEST,
        "Đề nghị hỗ trợ giống quế, chè chất lượng cao cho các hộ chuyển đổi cây trồng.",
    ),
    "tieu-thu": (
        F.FARMING,
        T.PROPOSAL,
        "Đề xuất hỗ trợ liên kết tiêu thụ sản phẩm quế, chè để bà con yên tâm sản xuất.",
    ),
    "dich-ta-lon": (
        F.FARMING,
        T.REQUEST,
        "Đề nghị hỗ trợ tiêu hủy và phòng, chống bệnh dịch tả lợn châu Phi.",
    ),
    "mot-cua": (
        F.PROCEDURES,
        T.OPINION,
        "Ý kiến về thời gian giải quyết hồ sơ tại bộ phận một cửa còn kéo dài.",
    ),
    "dich-vu-cong": (
        F.PROCEDURES,
        T.PROPOSAL,
        "Đề xuất cử cán bộ hướng dẫn người dân nộp hồ sơ dịch vụ công trực tuyến tại thôn.",
    ),
    "di-doi-sat-lo": (
        F.DISASTER,
        T.REQUEST,
        "Đề nghị hỗ trợ di dời khẩn cấp các hộ có nhà ở nằm trong vùng có nguy cơ sạt lở cao.",
    ),
    "thiet-hai-bao": (
        F.DISASTER,
        T.REQUEST,
        "Đề nghị hỗ trợ khắc phục thiệt hại về nhà ở, hoa màu do hoàn lưu bão số 3.",
    ),
    "khoi-phuc-san-xuat": (
        F.DISASTER,
        T.PROPOSAL,
        "Đề xuất hỗ trợ giống cây trồng, vật nuôi để khôi phục sản xuất sau mưa lũ.",
    ),
    "xe-qua-tai": (
        F.PUBLIC_ORDER,
        T.COMPLAINT,
        "Phản ánh xe chở vật liệu quá tải làm hỏng đường và mất an toàn giao thông.",
    ),
    "can-bo-xuong-thon": (
        F.PERSONNEL,
        T.OPINION,
        "Ý kiến đề nghị cán bộ xã thường xuyên xuống thôn, bản nắm bắt tâm tư, nguyện vọng của Nhân dân.",
    ),
    "khieu-nai-thu-hoi": (
        F.LAND,
        T.COMPLAINT,
        "Khiếu nại quyết định thu hồi đất và phương án bồi thường đối với hộ gia đình.",
    ),
}

#: An agency's answer, by field.
ANSWERS = {
    F.LAND: "đã kiểm tra hồ sơ, phối hợp UBND xã đo đạc, xác định ranh giới và hướng dẫn các hộ hoàn thiện thủ tục.",
    F.CLEARANCE: "đã rà soát đơn giá, phương án bồi thường theo quy định của tỉnh và thông báo công khai tới các hộ.",
    F.ENVIRONMENT: "đã chỉ đạo đơn vị dịch vụ tăng tần suất thu gom và hướng dẫn xã xây dựng điểm tập kết rác.",
    F.TRANSPORT: "đã khảo sát hiện trường, đưa tuyến đường vào kế hoạch sửa chữa và hỗ trợ xi măng theo cơ chế.",
    F.POWER_WATER: "đã phối hợp Điện lực và đơn vị quản lý công trình khảo sát, bố trí kinh phí sửa chữa.",
    F.FARMING: "đã đưa các hộ vào danh sách hỗ trợ giống và cử cán bộ khuyến nông hướng dẫn kỹ thuật.",
    F.DISASTER: "đã tổng hợp thiệt hại, đề xuất UBND huyện hỗ trợ từ nguồn dự phòng và bố trí nơi ở tạm.",
    F.SOCIAL_POLICY: "đã rà soát danh sách, hướng dẫn xã thực hiện đúng quy trình và chi trả chế độ cho các đối tượng.",
    F.ETHNIC_RELIGION: "đã bố trí kinh phí hỗ trợ từ chương trình mục tiêu quốc gia và hướng dẫn thôn thực hiện.",
    F.HEALTH: "đã báo cáo UBND huyện, đề nghị Trung tâm Y tế bổ sung trang thiết bị và luân chuyển cán bộ.",
    F.EDUCATION: "đã đưa điểm trường vào danh mục sửa chữa năm sau, trước mắt khắc phục tạm phần mái.",
    F.PROCEDURES: "đã rà soát quy trình, rút ngắn thời gian giải quyết, tăng cường hướng dẫn dịch vụ công trực tuyến.",
    F.PUBLIC_ORDER: "đã đề nghị Công an huyện tăng cường tuần tra, xử lý xe quá tải trên tuyến.",
    F.PERSONNEL: "đã tiếp thu, chỉ đạo UBND xã phân công cán bộ phụ trách từng thôn, bản.",
    F.OTHER: "đã hướng dẫn các hộ lập phương án vay vốn tại Ngân hàng Chính sách xã hội huyện.",
}

#: Who chaired, as written in minutes ("Đảng ủy" + the commune's name in lower case).
CHAIRS = {
    HostBody.STANDING_BOARD: "Thường trực Huyện ủy",
    HostBody.DISTRICT_PEOPLES_COMMITTEE: "UBND huyện",
    HostBody.COMMUNE_PARTY_COMMITTEE: "Đảng ủy",
    HostBody.COMMUNE_PEOPLES_COMMITTEE: "UBND",
}

ON_SPOT = "Đồng chí chủ trì đã trả lời trực tiếp tại buổi đối thoại, giải thích rõ chính sách và quy định hiện hành."

# What happens to a petition after the dialogue:
SPOT = "spot"  # answered on the spot
LEGAL = "legal"  # a legal complaint, routed out at once
RECEIVED = "received"  # not assigned yet
OPEN = "open"  # assigned, nobody started: overdue once the deadline has passed
STARTED = "started"  # in progress, no answer: overdue too
ANSWERED = "answered"  # answered before the deadline
LATE = "late"  # answered after the deadline
RESOLVED = "resolved"  # answered on time, then marked resolved
REOPENED = "reopened"  # answered, found insufficient, back in progress
TRANSFERRED = "transferred"  # handed to the province

# Dialogue hosts, shortened for the tables below.
SB = HostBody.STANDING_BOARD
UB = HostBody.DISTRICT_PEOPLES_COMMITTEE
DU = HostBody.COMMUNE_PARTY_COMMITTEE
UX = HostBody.COMMUNE_PEOPLES_COMMITTEE
P = DialogueKind.PERIODIC
A = DialogueKind.AD_HOC


@dataclass(frozen=True)
class Spec:
    day: date
    host: str
    kind: str
    place: str  # the commune's key below bao-yen/
    topic: str
    petitions: tuple[tuple[str, str], ...]  # (PETITIONS key, outcome)
    village: str = ""  # key below the commune
    trigger: str = ""
    minutes: bool = True
    participants: int = 80


# The Standing Board's dialogues: 9 in 2021, 5 in 2022, 4 in 2023 (16 periodic, 2 ad hoc), as
# printed in the article; then 2024, outside the article's count.
STANDING_BOARD = (
    Spec(date(2021, 3, 18), SB, P, "vinh-yen", "Xây dựng nông thôn mới, vận động Nhân dân hiến đất làm đường",
         (("duong-be-tong", RESOLVED), ("gcn-dat", ANSWERED), ("can-bo-xuong-thon", SPOT)), village="tong-kim"),
    Spec(date(2021, 4, 22), SB, P, "nghia-do", "Phát triển du lịch cộng đồng gắn với bảo tồn văn hóa dân tộc Tày",
         (("homestay", ANSWERED), ("le-hoi", RESOLVED), ("nuoc-sinh-hoat", LATE)), village="na-pong"),
    Spec(date(2021, 5, 20), SB, P, "bao-ha", "Giải phóng mặt bằng các dự án trọng điểm trên địa bàn xã",
         (("gia-boi-thuong", ANSWERED), ("tai-dinh-cu", LATE), ("khieu-nai-thu-hoi", LEGAL))),
    Spec(date(2021, 6, 17), SB, P, "xuan-hoa", "Chuyển đổi cơ cấu cây trồng, phát triển vùng quế, chè",
         (("giong-que", RESOLVED), ("tieu-thu", ANSWERED))),
    Spec(date(2021, 7, 29), SB, A, "pho-rang", "Phòng, chống dịch COVID-19 và hỗ trợ người dân gặp khó khăn",
         (("ho-tro-covid", ANSWERED), ("mot-cua", SPOT)), village="to-dan-pho-1", trigger="Dịch COVID-19"),
    Spec(date(2021, 8, 19), SB, P, "tan-duong", "Thực hiện chính sách hỗ trợ hộ nghèo, hộ cận nghèo",
         (("ho-ngheo", ANSWERED), ("nha-tam", RESOLVED), ("bhyt", SPOT))),
    Spec(date(2021, 9, 23), SB, P, "dien-quan", "Quản lý, sử dụng đất đai và cấp giấy chứng nhận quyền sử dụng đất",
         (("do-dac", LATE), ("chuyen-muc-dich", RESOLVED), ("ranh-gioi", ANSWERED))),
    Spec(date(2021, 10, 21), SB, P, "kim-son", "Nước sinh hoạt và điện lưới cho các thôn vùng cao",
         (("dien-luoi", ANSWERED), ("nuoc-sinh-hoat", RESOLVED))),
    Spec(date(2021, 11, 25), SB, P, "phuc-khanh", "Xây dựng khu dân cư kiểu mẫu, nếp sống văn minh",
         (("chuong-trai", ANSWERED), ("nha-van-hoa", LATE), ("rac-thai", TRANSFERRED))),
    Spec(date(2022, 3, 24), SB, P, "thuong-ha", "Thực hiện Quy chế dân chủ ở cơ sở",
         (("mot-cua", ANSWERED), ("can-bo-xuong-thon", SPOT), ("do-dac", RESOLVED))),
    Spec(date(2022, 5, 19), SB, P, "minh-tan", "Phát triển kinh tế đồi rừng, trồng rừng sản xuất",
         (("giong-que", ANSWERED), ("ranh-gioi", REOPENED))),
    Spec(date(2022, 6, 16), SB, A, "xuan-thuong", "Khắc phục hậu quả mưa lũ, sạt lở đất",
         (("di-doi-sat-lo", ANSWERED), ("duong-sat-lo", LATE), ("khoi-phuc-san-xuat", RESOLVED)),
         trigger="Mưa lũ, sạt lở đất tháng 6/2022"),
    Spec(date(2022, 8, 18), SB, P, "viet-tien", "Xây dựng mô hình Dân vận khéo “Chính quyền thân thiện”",
         (("dich-vu-cong", ANSWERED), ("mot-cua", SPOT), ("tram-y-te", LATE))),
    Spec(date(2022, 10, 20), SB, P, "nghia-do", "Đề án phát triển du lịch cộng đồng xã Nghĩa Đô, giai đoạn 2022 – 2025",
         (("homestay", RESOLVED), ("den-duong", ANSWERED), ("chuyen-muc-dich", OPEN)), village="na-dinh"),
    Spec(date(2023, 4, 20), SB, P, "vinh-yen", "Mô hình “Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới”",
         (("duong-be-tong", ANSWERED), ("gcn-dat", STARTED), ("nha-van-hoa", RESOLVED)), village="tong-kim"),
    Spec(date(2023, 6, 22), SB, P, "cam-con", "Bồi thường, hỗ trợ tái định cư dự án Cảng hàng không Sa Pa",
         (("gia-boi-thuong", LATE), ("tai-dinh-cu", OPEN), ("chuyen-nghe", ANSWERED), ("khieu-nai-thu-hoi", LEGAL))),
    Spec(date(2023, 8, 24), SB, P, "yen-son", "Xóa nhà tạm, nhà dột nát cho hộ nghèo",
         (("nha-tam", ANSWERED), ("ho-ngheo", STARTED))),
    Spec(date(2023, 10, 19), SB, P, "xuan-hoa", "Phong trào “10 phút góp phần cải thiện môi trường”",
         (("rac-thai", OPEN), ("chuong-trai", ANSWERED), ("phong-hoc", SPOT))),
    Spec(date(2024, 5, 23), SB, P, "pho-rang", "Chính quyền thân thiện với 4 trụ cột, cải cách thủ tục hành chính",
         (("dich-vu-cong", ANSWERED), ("den-duong", STARTED)), village="to-dan-pho-3"),
    Spec(date(2024, 9, 26), SB, A, "bao-ha",
         "Đối thoại với người dân và chính quyền địa phương bị ảnh hưởng do hoàn lưu bão số 3",
         (("thiet-hai-bao", ANSWERED), ("di-doi-sat-lo", OPEN), ("do-dac", OPEN), ("duong-sat-lo", STARTED)),
         trigger="Hoàn lưu bão số 3 (tháng 9/2024)", participants=120),
)  # fmt: skip

DISTRICT_UBND = (
    Spec(date(2021, 6, 10), UB, P, "bao-ha", "Bồi thường, giải phóng mặt bằng dự án đường giao thông liên xã",
         (("gia-boi-thuong", RESOLVED), ("xe-qua-tai", ANSWERED))),
    Spec(date(2022, 4, 14), UB, P, "pho-rang", "Chỉnh trang đô thị, trật tự xây dựng thị trấn Phố Ràng",
         (("den-duong", ANSWERED), ("rac-thai", LATE)), village="to-dan-pho-2"),
    Spec(date(2023, 5, 11), UB, P, "nghia-do", "Cấp nước sinh hoạt tập trung và vệ sinh môi trường",
         (("nuoc-sinh-hoat", ANSWERED), ("chuong-trai", OPEN)), minutes=False),
    Spec(date(2024, 3, 21), UB, P, "xuan-hoa", "Chuyển đổi số trong giải quyết thủ tục hành chính",
         (("dich-vu-cong", ANSWERED), ("mot-cua", SPOT))),
    Spec(date(2024, 11, 14), UB, A, "bao-ha", "Bố trí tái định cư cho các hộ bị sạt lở sau bão số 3",
         (("tai-dinh-cu", OPEN), ("thiet-hai-bao", STARTED), ("gcn-dat", RECEIVED)),
         trigger="Hoàn lưu bão số 3 (tháng 9/2024)", minutes=False),
)  # fmt: skip

COMMUNES = (
    Spec(date(2021, 5, 12), DU, P, "vinh-yen", "Vận động đồng bào Mông xóa bỏ hủ tục, thực hiện nếp sống mới",
         (("nha-van-hoa", ANSWERED), ("le-hoi", SPOT)), village="tong-kim", participants=65),
    Spec(date(2022, 5, 18), UX, P, "vinh-yen", "Làm đường bê tông vào Khu dân cư Nặm Mèng",
         (("duong-be-tong", RESOLVED), ("cau-tran", LATE), ("giong-que", ANSWERED)), village="tong-kim",
         participants=70),
    Spec(date(2023, 6, 14), UX, P, "vinh-yen", "Cấp giấy chứng nhận quyền sử dụng đất cho các hộ tại bản Vành",
         (("gcn-dat", OPEN), ("do-dac", ANSWERED)), village="ban-vanh", participants=55),
    Spec(date(2024, 6, 12), DU, P, "vinh-yen", "Tiếp xúc, đối thoại giữa người đứng đầu cấp ủy với Nhân dân bản Bông",
         (("ranh-gioi", OPEN), ("bhyt", SPOT)), village="ban-bong", minutes=False, participants=48),
    Spec(date(2024, 10, 9), UX, A, "vinh-yen", "Khắc phục sạt lở đường liên thôn sau hoàn lưu bão số 3",
         (("duong-sat-lo", ANSWERED), ("di-doi-sat-lo", STARTED)), village="khuoi-phuong",
         trigger="Hoàn lưu bão số 3 (tháng 9/2024)", participants=60),
    Spec(date(2021, 7, 7), UX, P, "nghia-do", "Giữ gìn bản sắc văn hóa Tày gắn với du lịch cộng đồng",
         (("homestay", ANSWERED), ("nha-van-hoa", RESOLVED)), village="na-pong"),
    Spec(date(2022, 9, 14), DU, P, "nghia-do", "Thực hiện Quy chế dân chủ ở cơ sở tại các thôn, bản",
         (("can-bo-xuong-thon", SPOT), ("ho-ngheo", ANSWERED), ("chuyen-muc-dich", LATE)), village="na-luong"),
    Spec(date(2024, 4, 17), UX, P, "nghia-do", "Chuyển đổi cây trồng và tiêu thụ nông sản",
         (("tieu-thu", ANSWERED), ("dich-ta-lon", OPEN)), village="khuoi-phec"),
    Spec(date(2022, 3, 9), UX, P, "pho-rang", "Vệ sinh môi trường và trật tự đô thị",
         (("rac-thai", ANSWERED), ("xe-qua-tai", RESOLVED)), village="to-dan-pho-4"),
    Spec(date(2023, 9, 13), DU, P, "pho-rang", "Xây dựng tổ dân phố văn minh, “10 phút góp phần cải thiện môi trường”",
         (("den-duong", ANSWERED), ("chuong-trai", SPOT)), village="to-dan-pho-2"),
    Spec(date(2021, 10, 13), UX, P, "xuan-hoa", "Hỗ trợ phát triển sản xuất chè",
         (("giong-que", ANSWERED), ("dien-luoi", LATE))),
    Spec(date(2024, 8, 14), DU, P, "xuan-hoa", "Giải phóng mặt bằng mở rộng tuyến đường liên xã",
         (("gia-boi-thuong", OPEN), ("duong-sat-lo", ANSWERED), ("khieu-nai-thu-hoi", LEGAL))),
    Spec(date(2022, 11, 16), UX, P, "bao-ha", "Phát triển du lịch sinh thái gắn với đền Bảo Hà",
         (("homestay", ANSWERED), ("rac-thai", RESOLVED))),
    Spec(date(2024, 10, 23), DU, A, "bao-ha", "Ổn định đời sống Nhân dân sau hoàn lưu bão số 3",
         (("khoi-phuc-san-xuat", STARTED), ("nha-tam", OPEN), ("thiet-hai-bao", SPOT)),
         trigger="Hoàn lưu bão số 3 (tháng 9/2024)"),
)  # fmt: skip

#: The marker of an already seeded database.
MARKER = STANDING_BOARD[0]


@dataclass
class _Cast:
    """The demo accounts, people and units the step writes with, fetched once."""

    users: dict[str, User]
    secretary: Person
    units: dict[str, Unit] = field(default_factory=dict)
    notices: int = 0

    @classmethod
    def load(cls) -> _Cast:
        users = {user.username: user for user in User.objects.filter(username__startswith="demo_")}
        secretary = Person.objects.get(unit__key=COMMITTEE, full_name=SECRETARY)
        return cls(users=users, secretary=secretary)

    def unit(self, key: str) -> Unit:
        if key not in self.units:
            self.units[key] = Unit.objects.get(key=key)
        return self.units[key]

    def answerer(self, agency: Unit) -> User:
        # demo_agency is Phòng TN&MT's officer; the other departments have no demo account.
        return self.users["demo_agency"] if agency.key == TNMT else self.users["demo_admin"]


def seed_dialogues(seed: Seed) -> None:
    """Dialogues 2021–2024 with minutes, petitions, notices and answers; engagement meetings;
    the article's printed totals as reported aggregates."""
    if Dialogue.objects.filter(unit__key=DISTRICT, date=MARKER.day, topic=MARKER.topic).exists():
        seed.stdout.write("dialogues: demo records already present, nothing to do")
        return
    cast = _Cast.load()
    specs = sorted((*STANDING_BOARD, *DISTRICT_UBND, *COMMUNES), key=lambda spec: spec.day)
    for spec in specs:
        _seed_dialogue(cast, spec)
    _seed_engagement_meetings(cast)
    _seed_reported_aggregates(cast)
    seed.stdout.write(
        f"dialogues: {len(specs)} dialogues, {Petition.objects.count()} petitions, "
        f"{cast.notices} conclusion notices created"
    )


# --- One dialogue -------------------------------------------------------------------------------


def _seed_dialogue(cast: _Cast, spec: Spec) -> Dialogue:
    commune = cast.unit(f"{DISTRICT}/{spec.place}")
    village = cast.unit(f"{commune.key}/{spec.village}") if spec.village else None
    district_level = spec.host in {SB, UB}
    owner = cast.unit(DISTRICT) if district_level else commune
    author = cast.users["demo_commune" if owner.key == f"{DISTRICT}/vinh-yen" else "demo_district"]
    inputs = [_petition_input(key, outcome, village) for key, outcome in spec.petitions]
    values = {
        "unit": owner,
        "level": DialogueLevel.DISTRICT if district_level else DialogueLevel.COMMUNE,
        "host_body": spec.host,
        "chaired_by": cast.secretary if spec.host == SB else None,
        "kind": spec.kind,
        "topic": spec.topic,
        "date": spec.day,
        "commune": commune,
        "village": village,
        "venue": f"Nhà văn hóa {village.name}" if village else f"Hội trường UBND {_lower_first(commune.name)}",
        "audience": f"Cán bộ, đảng viên, người có uy tín và Nhân dân {_lower_first(commune.name)}",
        "participant_count": spec.participants,
        "trigger_event": spec.trigger,
    }
    minutes = _minutes(spec, commune, village, inputs) if spec.minutes else ""
    dialogue = services.dialogue_create(
        user=author, data=DialogueInput(values=values, minutes_text=minutes), petitions=inputs
    )
    petitions = list(dialogue.petitions.order_by("id"))
    to_follow = [
        (petition, outcome)
        for petition, (_key, outcome) in zip(petitions, spec.petitions, strict=True)
        if outcome not in {SPOT, LEGAL, RECEIVED}
    ]
    if not to_follow:
        return dialogue
    if spec.host == SB:
        # The Standing Board concludes with a numbered notice assigning each issue (…-TB/HU).
        _issue_notice(cast, dialogue, [petition for petition, _outcome in to_follow])
    else:
        for petition, _outcome in to_follow:
            _assign(cast, petition, assigned_on=spec.day + timedelta(days=5))
    for petition, outcome in to_follow:
        _follow(cast, petition, outcome)
    return dialogue


def _petition_input(key: str, outcome: str, village: Unit | None) -> PetitionInput:
    field_, type_, content = PETITIONS[key]
    return PetitionInput(
        type=type_,
        field=field_,
        content=content,
        village=village,
        legal_track=LegalTrack.COMPLAINT if outcome == LEGAL else "",
        answered_on_spot=outcome == SPOT,
        on_spot_answer=ON_SPOT if outcome == SPOT else "",
    )


def _minutes(spec: Spec, commune: Unit, village: Unit | None, inputs: list[PetitionInput]) -> str:
    place = f"{village.name}, {_lower_first(commune.name)}" if village else commune.name
    host = CHAIRS[spec.host]
    if spec.host in {DU, UX}:
        host = f"{host} {_lower_first(commune.name)}"
    items = "".join(f"<li>{escape(item.content)}</li>" for item in inputs)
    trigger = f"<p>Lý do tổ chức đột xuất: {escape(spec.trigger)}.</p>" if spec.trigger else ""
    return (
        "<p><strong>BIÊN BẢN</strong> hội nghị tiếp xúc, đối thoại trực tiếp với Nhân dân</p>"
        f"<p>Thời gian: ngày {spec.day:%d/%m/%Y}. Địa điểm: {escape(place)}. Chủ trì: {escape(host)}. "
        f"Số người dự: {spec.participants}.</p>"
        f"<p>Chuyên đề: {escape(spec.topic)}.</p>{trigger}"
        f"<p>Ý kiến, kiến nghị của Nhân dân:</p><ol>{items}</ol>"
        "<p>Đồng chí chủ trì tiếp thu, trả lời trực tiếp các ý kiến thuộc thẩm quyền; các ý kiến còn lại "
        "giao cơ quan chuyên môn kiểm tra, trả lời theo quy định.</p>"
    )


def _lower_first(name: str) -> str:
    """The name as it reads inside a sentence: "Xã Vĩnh Yên" → "xã Vĩnh Yên"."""
    return name[:1].lower() + name[1:]


def _agency_for(cast: _Cast, petition: Petition) -> Unit:
    return cast.unit(AGENCY_FOR[petition.field])


def _issue_notice(cast: _Cast, dialogue: Dialogue, petitions: list[Petition]) -> None:
    day = dialogue.date + timedelta(days=10)
    by_agency: dict[str, list[Petition]] = {}
    for petition in petitions:
        by_agency.setdefault(AGENCY_FOR[petition.field], []).append(petition)
    directives = [
        DirectiveInput(
            agency=cast.unit(key),
            content=f"Giao {cast.unit(key).name} chủ trì, phối hợp UBND xã kiểm tra, trả lời, giải quyết dứt điểm "
            f"{len(items)} ý kiến, kiến nghị của Nhân dân.",
            deadline=day + timedelta(days=30),
            petitions=items,
        )
        for key, items in by_agency.items()
    ]
    services.conclusion_notice_issue(
        user=cast.users["demo_leader"],
        dialogue=dialogue,
        issuer=cast.unit(COMMITTEE),
        day=day,
        summary=(
            "Thường trực Huyện ủy ghi nhận, đánh giá cao ý kiến tâm huyết của Nhân dân; giao các cơ quan chuyên môn "
            "kiểm tra, trả lời, giải quyết dứt điểm trong thời hạn và báo cáo kết quả về Ban Dân vận Huyện ủy."
        ),
        directives=directives,
        signer=cast.secretary,
    )
    cast.notices += 1


def _assign(cast: _Cast, petition: Petition, *, assigned_on: date) -> None:
    agency = _agency_for(cast, petition)
    services.petition_transition(
        user=cast.users["demo_district"],
        petition=petition,
        action=Action.ASSIGN,
        agency=agency,
        deadline=assigned_on + timedelta(days=30),
        comment=f"Giao {agency.name} trả lời.",
    )


def _follow(cast: _Cast, petition: Petition, outcome: str) -> None:
    """Take an assigned petition to ``outcome`` with the answer dates it implies."""
    petition.refresh_from_db()
    agency = petition.assigned_agency
    if outcome == OPEN:
        return
    answerer, staff = cast.answerer(agency), cast.users["demo_district"]
    petition = services.petition_transition(user=answerer, petition=petition, action=Action.START)
    if outcome == STARTED:
        return
    if outcome == TRANSFERRED:
        services.petition_transition(
            user=staff,
            petition=petition,
            action=Action.TRANSFER,
            comment="Vượt thẩm quyền cấp huyện; chuyển Sở Tài nguyên và Môi trường tỉnh giải quyết.",
            on=min(petition.deadline, timezone.localdate()),
        )
        return
    # Spread the answer dates (deterministically) so the median and the on-time rate look real.
    spread = len(petition.content) % 11
    if outcome == LATE:
        answered_on = petition.deadline + timedelta(days=4 + 2 * spread)
    else:
        answered_on = petition.deadline - timedelta(days=1 + 2 * spread)
    services.response_save_draft(
        user=answerer,
        petition=petition,
        text=f"{agency.name} {ANSWERS[petition.field]}",
        answered_on=answered_on,
    )
    petition = services.response_publish(user=answerer, petition=petition)
    if outcome == RESOLVED:
        services.petition_transition(
            user=staff,
            petition=petition,
            action=Action.RESOLVE,
            comment="Nhân dân đồng thuận với câu trả lời.",
            on=min(answered_on + timedelta(days=10), timezone.localdate()),
        )
    elif outcome == REOPENED:
        services.petition_transition(
            user=staff,
            petition=petition,
            action=Action.REOPEN,
            comment="Câu trả lời chưa xác định rõ ranh giới trên thực địa; đề nghị kiểm tra lại cùng hai thôn.",
        )


# --- Engagement meetings and reported aggregates -----------------------------------------------


def _seed_engagement_meetings(cast: _Cast) -> None:
    staff = cast.users["demo_district"]
    pho_rang = cast.unit(f"{DISTRICT}/pho-rang")
    meeting = services.engagement_meeting_create(
        user=staff,
        values={
            "unit": pho_rang,
            "date": date(2023, 12, 14),
            "host": "Thường trực Huyện ủy, Ban Dân vận Huyện ủy",
            "village": cast.unit(f"{pho_rang.key}/to-dan-pho-2"),
            "clergy_count": 4,
            "followers_count": 18,
            "others_count": 6,
            "religions": "Công giáo, Tin lành",
            "purposes": (
                "Cung cấp thông tin tình hình kinh tế - xã hội; lắng nghe ý kiến của chức sắc, chức việc, tín đồ; "
                "phát động đăng ký thi đua giữa các giáo họ, điểm nhóm: không tảo hôn, hôn nhân cận huyết thống."
            ),
        },
        opinions=[
            PetitionInput(
                type=T.REQUEST,
                field=F.TRANSPORT,
                content="Đề nghị hỗ trợ xi măng làm đường bê tông vào điểm sinh hoạt tôn giáo tập trung.",
            ),
            PetitionInput(
                type=T.OPINION,
                field=F.ETHNIC_RELIGION,
                content="Đề nghị hướng dẫn thủ tục đăng ký sinh hoạt tôn giáo tập trung theo quy định mới.",
                answered_on_spot=True,
                on_spot_answer="Trưởng Ban Dân vận Huyện ủy đã hướng dẫn hồ sơ, thủ tục và cơ quan tiếp nhận.",
            ),
        ],
    )
    vinh_yen = cast.unit(f"{DISTRICT}/vinh-yen")
    hmong = services.engagement_meeting_create(
        user=cast.users["demo_commune"],
        values={
            "unit": vinh_yen,
            "date": date(2022, 1, 20),
            "host": "Đảng ủy xã Vĩnh Yên",
            "village": cast.unit(f"{vinh_yen.key}/tong-kim"),
            "prestigious_count": 3,
            "elders_count": 5,
            "others_count": 12,
            "purposes": (
                "Lắng nghe người có uy tín, già làng, trưởng bản đồng bào Mông về xây dựng mô hình "
                "“Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới”."
            ),
        },
        opinions=[
            PetitionInput(
                type=T.PROPOSAL,
                field=F.TRANSPORT,
                content="Đề xuất hỗ trợ xi măng làm đường vào Khu dân cư Nặm Mèng; bà con cam kết hiến đất, "
                "cây quế và góp ngày công.",
                village=cast.unit(f"{vinh_yen.key}/tong-kim/nam-meng"),
            )
        ],
    )
    for held in (meeting, hmong):
        for petition in held.petitions.filter(status="received"):
            _assign(cast, petition, assigned_on=held.date + timedelta(days=7))
            _follow(cast, petition, ANSWERED)


def _seed_reported_aggregates(cast: _Cast) -> None:
    staff, district = cast.users["demo_district"], cast.unit(DISTRICT)
    services.reported_aggregate_create(
        user=staff,
        values={
            "unit": district,
            "metric": ReportedMetric.DIALOGUES,
            "host_body": "",
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 167,
            "source": ARTICLE,
            "note": "Các xã, thị trấn tổ chức 167 cuộc tiếp xúc, đối thoại (năm 2021: 53, năm 2022: 54, năm 2023: 12), "
            "nhập đúng như bài viết; tổng các năm là 119.",
        },
        parts=[("2021", 53), ("2022", 54), ("2023", 12)],
    )
    services.reported_aggregate_create(
        user=staff,
        values={
            "unit": district,
            "metric": ReportedMetric.DIALOGUES,
            "host_body": UB,
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 119,
            "source": ARTICLE,
            "note": "UBND huyện tổ chức 119 cuộc; bài viết không chia theo năm.",
        },
    )


#: Run by ``seed_demo`` after the organization's own steps (units, accounts, people, documents).
DEMO_STEPS = [seed_dialogues]
