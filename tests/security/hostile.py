"""Hostile case studies that pass `atlas check`: what an attacker can get through the gate, field by field.

Every payload carries a marker (``zqNNN``) so a test can find where it landed in
each output. The payloads try each way out of the context a value is printed
in: HTML text and attributes, ``<title>``, ``<meta content>``, inline script,
JSON, XML and CSV cells, Jinja, and the tricks that made the theme unescape
(entities) or a spreadsheet run a formula.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import yaml

XSS_FLAG = "window.__atlasXss=1"
"""What every script payload would run; a browser test fails if it is ever set."""

ONE_LINE = [
    "</title><b>{m}</b>",
    "</title><!--{m}",
    "&lt;/title&gt;&lt;img src=x onerror=" + XSS_FLAG + "&gt;{m}",
    "&#60;img src=x onerror=" + XSS_FLAG + "&#62;{m}",
    '" http-equiv="refresh" content="0;url=https://evil.example/{m}',
    "' onmouseover='" + XSS_FLAG + "' x='{m}",
    '"><b>{m}</b><"',
    "</script><b>{m}</b>",
    "{{{{ config.repo_url }}}}{{% raw %}}{m}",
    "]]><![CDATA[{m}",
    "=HYPERLINK(\"https://evil.example/{m}\",\"x\")",
    "+SUM(1,1){m}",
    "-1+1{m}",
    "@SUM(A1){m}",
    "\t=1+1{m}",
    "\r=1+1{m}",
    "＝1+1{m}",
    "\u2028\u2029{m} line separators",
    "\u202e{m} right-to-left override",
    "javascript:" + XSS_FLAG + " {m}",
    "&amp;&quot;&#39;&lt; {m}",
    "\\u003cscript\\u003e {m}",
    "%3Cscript%3E {m}",
    "${{{m}}} and #{{{m}}}",
    "<!--{m}-->",
]
"""Payloads for one-line text fields. Some hold '<' or '>', which only the title allows; the rest can go anywhere."""

MARKDOWN = [
    '[link {m}](https://example.org/ "\\" onmouseover=\\"' + XSS_FLAG + '\\"")',
    "<a href=\"https://example.org/\" title='\" onclick=" + XSS_FLAG + "'>{m}</a>",
    "<img alt='\">{m}' src=\"https://example.org/x.png\">",
    "&lt;script&gt;" + XSS_FLAG + "&lt;/script&gt; {m}",
    "</div></article></main><b>{m}</b>",
    "```html\n<script>" + XSS_FLAG + "</script> {m}\n```",
    "<table><tr><td>{m}</td></tr></table>",
    "<details><summary>{m}</summary>hidden</details>",
    "<p title=\"</p><img src=x onerror=" + XSS_FLAG + ">\">{m}</p>",
    "<img/src=https://example.org/x.png/onerror=" + XSS_FLAG + "> {m}",
    "< script >" + XSS_FLAG + " {m}",
    "[a](https://example.org/{m}?q=\"><b>)",
    "{{{{ config }}}} {{% for x in range(9) %}}{m}{{% endfor %}}",
]
"""Payloads for Markdown fields that `atlas check` lets through."""

_NO_ANGLE = [p for p in ONE_LINE if "<" not in p and ">" not in p]
_SUMMARY = [p for p in _NO_ANGLE if not set("[]`*") & set(p) and "\n" not in p and "\r" not in p]


def _marker(rng: random.Random) -> str:
    return "zq" + "".join(rng.choice(string.digits) for _ in range(6))


def _fill(text: str, least: int, most: int, rng: random.Random) -> str:
    """``text`` padded with plain words to at least ``least`` characters and cut to ``most``."""
    words = ["ward", "team", "huddle", "safety", "learning", "patients", "change", "care"]
    while len(text) < least:
        text += " " + rng.choice(words)
    return text[:most]


def hostile_case(index: int, rng: random.Random) -> tuple[str, dict]:
    """A case file's text whose every text field holds a hostile payload, and the values it holds."""

    def one_line(pool, least, most) -> str:
        text = rng.choice(pool).format(m=_marker(rng))
        return _fill(text, least, most, rng).strip() if least else text

    def prose() -> str:
        return _fill(rng.choice(MARKDOWN).format(m=_marker(rng)) + "\n", 60, 4000, rng) + "\n"

    data = {
        "title": _fill(one_line([p for p in ONE_LINE if "\r" not in p and "\u2028" not in p], 0, 0), 12, 150, rng).strip(),
        "summary": one_line(_SUMMARY, 45, 390),
        "organisations": [one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 150)],
        "region": rng.choice(["london", "north-west", "wales"]),
        "settings": ["acute"],
        "themes": [rng.choice(["patient-safety", "quality-improvement"])],
        "published": f"20{rng.randint(15, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "lead": {"role": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 110),
                 "name": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 110)},
        "leading_change": prose(),
        "where_to_look": prose(),
        "what_to_change": prose(),
        "how_to_change": prose(),
        "adding_value": {"better_outcomes": prose(), "better_experience": prose()},
        "measures": [{
            "label": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 150),
            "value": rng.choice([12, 3.5, -4]),
            "unit": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p and len(p) < 30], 1, 40),
            "period": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 3, 80),
            "dimension": "outcomes",
        }],
        "challenges": prose(),
        "contact": {"name": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 110),
                    "role": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 110),
                    "email": f"team{index}@example.org"},
        "links": [{"title": one_line([p for p in _NO_ANGLE if "\n" not in p and "\r" not in p], 5, 150),
                   "url": f"https://example.org/{_marker(rng)}?a=\"'<>&b=1"}],
        "consent_confirmed": True,
        "redirect_from": [f"old-hostile-{index}"],
    }
    body = prose()
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n" + body
    return text, data


def write_hostile_atlas(cases_dir: Path, count: int, seed: int) -> dict[str, dict]:
    """Write ``count`` hostile cases into ``cases_dir``; return their values by slug."""
    rng = random.Random(seed)
    cases_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for index in range(count):
        slug = f"hostile-case-{index}"
        text, data = hostile_case(index, rng)
        (cases_dir / f"{slug}.md").write_text(text, encoding="utf-8")
        written[slug] = data
    return written
