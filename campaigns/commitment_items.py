"""The default commitment items: what the Hmong households of the source article signed.

Migration 0002 writes them when the database is created; ``ensure_defaults`` writes any that
are missing, for databases emptied since (a test flush, or an admin who deleted them before
items became undeletable). Admins may add more items; these are only the starting list."""

from __future__ import annotations

DEFAULT_ITEMS = (
    ("no-backward-customs", "Không còn hủ tục lạc hậu"),
    ("no-illegal-organizations", "Không theo tổ chức bất hợp pháp, đạo lạ"),
    ("no-child-consanguineous-marriage", "Không có tảo hôn, hôn nhân cận huyết thống"),
    ("obey-the-law", "Chấp hành nghiêm các quy định của pháp luật"),
    ("join-new-rural-area", "Tích cực tham gia xây dựng nông thôn mới"),
)


def ensure_defaults() -> int:
    """Create the default items that are missing; returns how many were created."""
    from .models import CommitmentItem

    created = 0
    for order, (code, text) in enumerate(DEFAULT_ITEMS, start=1):
        _item, made = CommitmentItem.objects.get_or_create(code=code, defaults={"text": text, "order": order})
        created += made
    return created
