"""The contract's domain rules, one trick at a time."""

from __future__ import annotations

import pytest
from learning_atlas.contract.domain_checks import is_valid_nhs_number, script_scheme


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9434765870"])
def test_valid_nhs_numbers(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "943476591", "abcdefghij", "0000000001"])
def test_invalid_nhs_numbers(number):
    assert not is_valid_nhs_number(number)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript&colon;alert(1)",
        "jav&#x0A;ascript:alert(1)",
        "&amp;#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "\u200bjavascript:alert(1)",
    ],
)
def test_script_schemes_are_seen_through_disguises(url):
    assert script_scheme(url)


@pytest.mark.parametrize("url", ["https://example.org", "mailto:a@example.org", "case/chart.png", "#top", "/cases/x/"])
def test_ordinary_urls_are_not_script(url):
    assert script_scheme(url) is None


def _problems(run_line, tmp_path, minimal_text, insert, *, where="  each week, and then spread"):
    text = minimal_text.replace("  each week, and then spread", where.replace("{}", insert))
    path = tmp_path / "trick-case.md"
    path.write_text(text, encoding="utf-8")
    return run_line(["check", str(path)]).output


@pytest.mark.parametrize(
    "insert, expected",
    [
        ("<ScRiPt>alert(1)</sCrIpT>", "contains the tag <script>"),
        ('<img alt=">" onerror=alert(1)>', "(onerror=)"),
        ("<!--><img src=x onerror=alert(1)>-->", "(onerror=)"),
        ("<!-- --!><img src=x onerror=alert(1)> -->", "(onerror=)"),
        ('<img src="x"onerror=alert(1)>', "(onerror=)"),
        ("<img src=x onerror\t=alert(1)>", "(onerror=)"),
        ('<p title="x"><svg/onload=alert(1)>', "(onload=)"),
        ("<svg><script>alert(1)</script></svg>", "contains the tag <script>"),
        ('<svg onload="alert(1)">', "(onload=)"),
        ('<a href="x" onmouseover=alert(1)', "(onmouseover=)"),
        ('<math><a xlink:href="javascript:alert(1)">x</a></math>', "links to a javascript: address"),
        ("[x](javascript:alert(1))", "links to a javascript: address"),
        ("[x]( <javascript:alert(1)> )", "links to a javascript: address"),
        ("<javascript:alert(1)>", "links to a javascript: address"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "links to a javascript: address"),
        ('<iframe srcdoc="x">', "contains the tag <iframe>"),
        ("<object data=x>", "contains the tag <object>"),
        ("<embed src=x>", "contains the tag <embed>"),
        ("<form action=x>", "contains the tag <form>"),
        ("<style>body{}</style>", "contains the tag <style>"),
        ('<meta http-equiv="refresh" content="0;url=x">', "contains the tag <meta>"),
        ("<base href=x>", "contains the tag <base>"),
    ],
)
def test_script_capable_html_is_an_error(run_line, tmp_path, minimal_text, insert, expected):
    output = _problems(run_line, tmp_path, minimal_text, insert, where="  each week {}, and then spread")
    assert expected in output


def test_reference_link_definition_with_script(run_line, tmp_path, minimal_text):
    text = minimal_text.replace("---\n", "---\n\n[guide]: javascript:alert(1)\n", 2).replace(
        "---\n\n[guide]: javascript:alert(1)\n", "---\n", 1
    )
    path = tmp_path / "ref-case.md"
    path.write_text(text, encoding="utf-8")
    output = run_line(["check", str(path)]).output
    assert "(body): links to a javascript: address" in output


@pytest.mark.parametrize(
    "insert", ["`<script>alert(1)</script>`", "``<iframe>``", "5 < 6 and 7 > 3", "one-to-one", "<b>bold</b>"]
)
def test_harmless_text_is_not_flagged(run_line, tmp_path, minimal_text, insert):
    output = _problems(run_line, tmp_path, minimal_text, insert, where="  each week {}, and then spread")
    assert output == "1 case checked: no problems found\n"


@pytest.mark.parametrize(
    "insert",
    [
        "< script >alert(1)",  # a browser reads "< script >" as text
        "<img/src=x/onerror=alert(1)>",  # one attribute: src="x/onerror=alert(1)"
        '<p title="</p><img src=x onerror=alert(1)>">',  # the "tag" is inside a quoted value
    ],
)
def test_html_is_read_as_a_browser_reads_it(run_line, tmp_path, minimal_text, insert):
    """What looks like script to a pattern but is text or a value to a browser is no error, and stays inert."""
    from justhtml import JustHTML
    from learning_atlas.site.rendering import MarkdownRenderer

    output = _problems(run_line, tmp_path, minimal_text, insert, where="  each week {}, and then spread")
    assert "contains the tag" not in output and "attribute (on" not in output
    rendered = MarkdownRenderer().render(f"each week {insert}", slug="trick-case")

    document = JustHTML(rendered, fragment=True, sanitize=False)
    handlers = [name for node in document.query("*") for name in (node.attrs or {}) if name.startswith("on")]
    assert handlers == [] and document.query("script") == []


def test_fenced_code_in_body_is_not_flagged(run_line, tmp_path, minimal_text):
    path = tmp_path / "code-case.md"
    path.write_text(minimal_text + "\n```html\n<script>alert(1)</script>\n```\n", encoding="utf-8")
    assert run_line(["check", str(path)]).exit_code == 0


@pytest.mark.parametrize(
    "insert, rule",
    [
        ("9434765919", "NHS number (9434765919)"),
        ("943-476-5919", "NHS number (943-476-5919)"),
        ("+44 161 496 0123", "phone number (+44 161 496 0123)"),
        ("(0161) 496 0123", "phone number ((0161) 496 0123)"),
        ("07700900123", "phone number (07700900123)"),
        ("j.bloggs@nhs.net", "email address (j.bloggs@nhs.net)"),
    ],
)
def test_identifiers_and_contact_details(run_line, tmp_path, minimal_text, insert, rule):
    assert rule in _problems(run_line, tmp_path, minimal_text, insert, where="  each week {}, and then spread")


def test_nhs_number_line_is_exact_inside_a_block(run_line, tmp_path, minimal_text):
    text = minimal_text.replace("  each week, and then spread", "  each week,\n  patient 943 476 5919\n  and then spread")
    path = tmp_path / "nhs-case.md"
    path.write_text(text, encoding="utf-8")
    output = run_line(["check", str(path)]).output
    assert output.startswith(f"{path}:23:1: error: how_to_change: contains what looks like an NHS number")


def test_numbers_that_fail_the_check_digit_are_allowed(run_line, tmp_path, minimal_text):
    assert "NHS number" not in _problems(run_line, tmp_path, minimal_text, "9434765918", where="  each week {}, and then spread")


def test_unquoted_dates_are_checked_as_dates(run_line, tmp_path, minimal_text):
    path = tmp_path / "date-case.md"
    path.write_text(minimal_text.replace("published: 2021-03-15", "published: 2021-3-5"), encoding="utf-8")
    assert "'2021-3-5' is not a valid date" in run_line(["check", str(path)]).output
