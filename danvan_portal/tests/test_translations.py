"""The Vietnamese catalogue is complete: Vietnamese is the default language, so an untranslated
or fuzzy entry would show English to every user."""

import gettext
import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if re.search(r'^msgid "', block, re.M)][1:]  # skip header


def test_every_vietnamese_entry_is_translated_and_not_fuzzy():
    untranslated = []
    for block in _entries():
        msgid = re.search(r'^msgid "(.*)"', block, re.M).group(1)
        if "#, fuzzy" in block or "fuzzy," in block:
            untranslated.append(f"fuzzy: {msgid}")
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        if not strings or any(re.sub(r'"\s*"', "", value).strip() == '""' for value in strings):
            untranslated.append(msgid)
    assert untranslated == []


def test_compiled_catalogue_matches_its_source():
    """A .po edited without `make messages` would leave the shipped .mo stale."""
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    checked = 0
    for block in _entries():
        single = re.search(r'^msgid "(.+)"\nmsgstr "(.+)"$', block, re.M)
        if single is None or "msgctxt" in block or "msgid_plural" in block:
            continue
        msgid, msgstr = (
            value.encode().decode("unicode_escape").encode("latin-1").decode() for value in single.groups()
        )
        assert compiled.gettext(msgid) == msgstr, msgid
        checked += 1
    assert checked > 100
