"""Minutes are typed or pasted by commune officers; only safe formatting survives.

nh3 (the Rust ``ammonia`` sanitizer) keeps a small allow-list of tags and drops scripts, event
handlers, styles and links with unsafe schemes, so the stored text renders inert.
"""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def clean_minutes(text: str) -> str:
    return nh3.clean(text or "", tags=ALLOWED_TAGS, attributes={}, link_rel=None).strip()
