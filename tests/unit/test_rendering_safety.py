"""Whatever Markdown a case holds, the rendered HTML runs no script: a corpus of known XSS tricks."""

from __future__ import annotations

import html

import pytest
from bs4 import BeautifulSoup
from conftest import SCHEMAS
from hypothesis import given, settings
from hypothesis import strategies as st
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.domain_checks import script_scheme
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.site.rendering import MarkdownRenderer, render_case_article, sanitise

RENDERER = MarkdownRenderer()
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "base", "meta", "style", "link", "svg", "math",
                  "frame", "frameset", "applet", "input", "button", "textarea", "select", "template", "noscript"}

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror="&#97;lert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<math href="javascript:alert(1)">x</math>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    '[x](javascript&#58;alert(1))',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](x.png)',
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "<iframe src=https://example.org></iframe>",
    "<object data=x></object><embed src=x>",
    "<form action=https://example.org><input name=x><button>Go</button></form>",
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="x:expression(alert(1))">x</p>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<a href="x" onclick="alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<a href="https://example.org" target="_blank">x</a>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    '<template><script>alert(1)</script></template>',
]


def assert_safe(rendered: str) -> None:
    soup = BeautifulSoup(rendered, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in FORBIDDEN_TAGS, rendered
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), rendered
            assert name.lower() not in ("style", "srcdoc", "formaction", "xlink:href") or (
                name == "style" and tag.name in ("td", "th")
            ), rendered
            values = value if isinstance(value, list) else [value]
            for item in values:
                assert script_scheme(item) is None, rendered
                assert not html.unescape(item).strip().lower().startswith(("javascript", "data:", "vbscript")), rendered
        if tag.name == "a" and tag.get("target"):
            assert "noopener" in tag.get("rel", []), rendered


@pytest.mark.parametrize("trick", XSS)
def test_known_tricks_are_neutralised(trick):
    for text in (trick, f"Before {trick} after", f"- item {trick}\n", f"> {trick}", f"| a |\n|---|\n| {trick} |"):
        assert_safe(RENDERER.render(text, slug="case"))
        assert_safe(sanitise(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ :&#;()[]!`\nabcjvsriptonerlhfx0123")), max_size=120))
def test_random_markup_is_safe(text):
    assert_safe(RENDERER.render(text, slug="case"))


def test_harmless_markdown_survives():
    rendered = RENDERER.render("**Bold** and [a link](https://example.org) and ![chart](case/chart.png)\n\n"
                               "| a | b |\n|:--|--:|\n| 1 | 2 |", slug="case")
    soup = BeautifulSoup(rendered, "html.parser")
    assert soup.select_one("strong").get_text() == "Bold"
    assert soup.select_one("a")["href"] == "https://example.org"
    assert soup.select_one("img")["src"] == "chart.png"
    assert soup.select_one("th")["style"] == "text-align:left"


def test_headings_are_demoted_under_the_page_heading():
    rendered = RENDERER.render("# Top\n\n## Next", slug="case", top_heading=3)
    assert [t.name for t in BeautifulSoup(rendered, "html.parser").find_all(["h1", "h2", "h3", "h4"])] == ["h3", "h4"]


def test_markdown_is_rendered_as_github_shows_it():
    """Contributors preview their case on GitHub; the page renders it the same way (GFM)."""
    rendered = RENDERER.render("See https://example.org/report and ~~old~~ new.\n\n"
                               "```python\ncode <b>\n```", slug="case")
    soup = BeautifulSoup(rendered, "html.parser")
    assert soup.select_one("a")["href"] == "https://example.org/report"
    assert soup.select_one("del").get_text() == "old"
    assert soup.select_one("pre code").get_text() == "code <b>\n"


def test_an_unclosed_fence_in_one_section_does_not_swallow_the_next(tmp_path, minimal_text):
    text = minimal_text.replace("leading_change: |\n", "leading_change: |\n  ```\n  an unclosed fence\n", 1)
    assert text != minimal_text
    (tmp_path / "fence-case.md").write_text(text, encoding="utf-8")
    (loaded,) = check_paths([tmp_path], load_case_schema(SCHEMAS)).cases
    article, _ = render_case_article(Case.from_loaded(loaded), RENDERER)
    soup = BeautifulSoup(article, "html.parser")
    assert "an unclosed fence" in soup.select_one("pre").get_text()
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings[:3] == ["Leading change", "What to change", "How to change"]
