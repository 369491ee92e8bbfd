"""The commitment items households signed in the Hmong "new cultural lifestyle" model (source
article), offered by default. Admins add more in the admin; the list is data, not code."""

from django.db import migrations

ITEMS = [
    ("no-backward-customs", "Không còn hủ tục lạc hậu"),
    ("no-illegal-organizations", "Không theo tổ chức bất hợp pháp, đạo lạ"),
    ("no-child-consanguineous-marriage", "Không có tảo hôn, hôn nhân cận huyết thống"),
    ("obey-the-law", "Chấp hành nghiêm các quy định của pháp luật"),
    ("join-new-rural-area", "Tích cực tham gia xây dựng nông thôn mới"),
]


def add_items(apps, schema_editor):
    CommitmentItem = apps.get_model("campaigns", "CommitmentItem")
    for order, (code, text) in enumerate(ITEMS, start=1):
        CommitmentItem.objects.get_or_create(code=code, defaults={"text": text, "order": order})


def remove_items(apps, schema_editor):
    apps.get_model("campaigns", "CommitmentItem").objects.filter(code__in=[code for code, _ in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(add_items, remove_items)]
