"""The submission form (/submit/): a clinician writes a case in the browser and gets a file that passes
``atlas check``; the form says what the CLI says, keeps the draft, and passes axe in both schemes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from learning_atlas.contract.case import SECTIONS
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.front_matter import parse_front_matter
from learning_atlas.contract.schema import load_case_schema
from playwright.sync_api import expect
from repository_files import mkdocs_config
from submit_bench import BUDGET, LOADED_LATER, weigh

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CASES = REPO / "cases"
ATLAS = Path(sys.executable).with_name("atlas")
REPO_URL = "https://github.com/shared-learning-atlas/atlas"
SCHEMES = {"light": "default", "dark": "slate"}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
STORAGE_KEY = "atlas-submit-draft"

# A case as a clinician would write it, field by field (the names are the form's).
CASE = {
    "title": "Learning Lessons: nurse-led learning from incidents across a trust",
    "summary": "A mental health nurse built a framework so that learning from serious incidents and complaints "
    "reaches every team in the trust, with a network of Learning Lessons Leads.",
    "organisations.0": "North Staffordshire Combined Healthcare NHS Trust",
    "region": "midlands",
    "settings": ["mental-health", "community"],
    "themes": ["patient-safety", "learning-from-incidents"],
    "commitments": ["2", "6"],
    "published": "2018-09-14",
    "status": "published",
    "lead.role": "Mental Health Nurse",
    "leading_change": "A mental health nurse designed and introduced a trust-wide Learning Lessons framework "
    "that connects investigations with what staff across the trust learn.",
    "what_to_change": "Every serious incident had an action plan, but nothing carried the learning beyond "
    "the team involved or built a learning culture.",
    "how_to_change": "With the backing of the senior team, the nurse built the framework on six elements:\n\n"
    "- monthly learning sessions open to all staff\n- a bulletin after each session",
    "adding_value.better_outcomes": "Attendance at the monthly sessions has grown to more than 325 staff.",
    "measures.0.label": "Staff attending the monthly sessions",
    "measures.0.value": "325",
    "measures.0.unit": "staff",
    "measures.0.dimension": "outcomes",
    "contact.name": "Learning Lessons team",
    "contact.email": "learning.lessons@example.nhs.uk",
    "links.0.title": "The trust's Learning Lessons page",
    "links.0.url": "https://example.org/learning-lessons",
    "consent_confirmed": True,
}
ROWS = {"organisations": 1, "measures": 1, "links": 1, "redirect_from": 0}
SLUG = "learning-lessons-nurse-led-learning-from-incidents-across-a-trust"


def _describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} node(s)]")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}  {node.get('failureSummary', '')[:200]!r}")
    return "\n".join(lines)


def _open(page):
    page.goto("submit/")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")


def _with_draft(page, values, rows=None, slug_edited=False):
    """Open the form with a draft saved in the browser, as if a person had typed it earlier."""
    if not getattr(page, "_accepts_dialogs", False):
        page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" when work is unsent: yes
        page._accepts_dialogs = True
    _open(page)
    draft = {"version": 1, "saved": "2026-01-05T10:30:00Z",
             "state": {"rows": rows or ROWS, "slugEdited": slug_edited, "values": values}}
    page.evaluate("([key, draft]) => localStorage.setItem(key, JSON.stringify(draft))", [STORAGE_KEY, draft])
    page.reload()
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}; focus is on {page.evaluate('document.activeElement.outerHTML')[:200]}")


def _check_file(tmp_path: Path, name: str, text: str):
    """Run `atlas check` on a copy of the atlas's cases plus the new file; return (exit status, output)."""
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    assert not (cases / name).exists(), f"{name} would replace an existing case"
    (cases / name).write_text(text, encoding="utf-8")
    result = subprocess.run([str(ATLAS), "check", str(cases)], capture_output=True, text=True, cwd=REPO, check=False)
    return result.returncode, result.stdout + result.stderr


# --- the clinician's journey -------------------------------------------------------------------------


# Words for developers and for the case file, which a clinician filling in the form should not meet.
DEVELOPER_WORDS = re.compile(r"vocabular|\bslugs?\b|\.md\b|meta description|mkdocs|yaml|front matter|markdown",
                             re.IGNORECASE)


def test_the_forms_labels_hints_and_buttons_are_in_a_clinicians_words(page):
    _open(page)
    page.locator("#s-editors").evaluate("d => d.open = true")
    for name in ("measures", "links", "redirect_from"):
        page.click(f'.atlas-list__add[data-list="{name}"]')  # a row of each list, with its labels
    texts = page.locator(
        "#atlas-submit :is(label, legend, .atlas-hint, summary, h2, button, option), .md-content h1, .md-content h1 ~ p"
    ).all_inner_texts()
    assert len(texts) > 100
    words = {text: DEVELOPER_WORDS.findall(text) for text in texts if DEVELOPER_WORDS.search(text)}
    assert words == {}
    expect(page.locator('label[for="f-slug"]')).to_have_text("Web address of your case study")
    expect(page.locator("#f-measures-0-value-hint")).to_contain_text("for 31%, write 31 here and % in Unit")
    page.fill("#f-redirect_from-0", "Old_Name")  # atlas check's message, shared, in the same plain words
    page.press("#f-redirect_from-0", "Tab")
    message = page.locator('[data-field="redirect_from[0]"] .atlas-error-message')
    expect(message).to_contain_text("Old address 1 must be 3 to 80 lower-case letters, digits and single hyphens")
    assert not DEVELOPER_WORDS.search(message.inner_text())


def test_a_figure_typed_with_its_unit_gets_atlas_checks_message_and_what_to_put_where(page):
    _open(page)
    page.click('.atlas-list__add[data-list="measures"]')
    page.fill("#f-measures-0-value", "31%")
    page.press("#f-measures-0-value", "Tab")
    message = page.locator('[data-field="measures.0.value"] .atlas-error-message')
    expect(message).to_contain_text("Measure 1: Value must be a number, not text")  # atlas check's words
    advice = message.locator(".atlas-error-message__advice")
    expect(advice).to_have_text("Put only the number, 31, in Value, and '%' in Unit.")
    page.fill("#f-measures-0-unit", "%")
    page.press("#f-measures-0-unit", "Tab")
    expect(advice).to_have_text("Put only the number, 31, in Value: Unit already says '%'.")
    page.fill("#f-measures-0-baseline", "£1,200 a year")
    page.press("#f-measures-0-baseline", "Tab")
    expect(page.locator('[data-field="measures.0.baseline"] .atlas-error-message__advice')).to_have_text(
        "Put only the number, 1200, in Baseline, and the unit in Unit."
    )
    page.fill("#f-measures-0-value", "lots")  # no number in it: atlas check's message alone
    page.press("#f-measures-0-value", "Tab")
    expect(message).to_contain_text("must be a number, not text")
    expect(advice).to_have_count(0)
    page.fill("#f-measures-0-value", "31")
    page.press("#f-measures-0-value", "Tab")
    expect(message).to_be_hidden()


def test_a_one_letter_title_is_counted_as_one_character(page):
    _open(page)
    page.fill("#f-title", "L")
    page.press("#f-title", "Tab")
    expect(page.locator('[data-field="title"] .atlas-error-message')).to_contain_text(
        "Title is too short (1 character); write at least 10"
    )


def test_a_clinician_fills_the_form_by_keyboard_fixes_a_missing_field_previews_and_downloads(page, tmp_path):
    _open(page)
    keyboard = page.keyboard

    def type_into(selector: str, text: str) -> None:
        _tab_to(page, selector)
        keyboard.type(text)

    def tick(selector: str) -> None:
        _tab_to(page, selector)
        keyboard.press("Space")

    # The title first, too short: the form says so as soon as the clinician moves on.
    type_into("#f-title", "Learning")
    keyboard.press("Tab")
    error = page.locator('[data-field="title"] .atlas-error-message')
    expect(error).to_contain_text("Title is too short (8 characters); write at least 10")
    expect(page.locator("#f-title")).to_have_attribute("aria-invalid", "true")
    keyboard.press("Shift+Tab")
    keyboard.press("End")  # back in the field, its text is selected: carry on after it
    keyboard.type(CASE["title"][len("Learning"):])
    keyboard.press("Tab")
    expect(error).to_be_hidden()
    expect(page.locator("#f-slug")).to_have_value(SLUG)  # made from the title

    type_into("#f-summary", CASE["summary"])
    type_into("#f-organisations-0", CASE["organisations.0"])
    _tab_to(page, "#f-region")
    keyboard.type("Midlands")
    for setting in CASE["settings"]:
        tick(f"#f-settings-{setting}")
    for theme in CASE["themes"]:
        tick(f"#f-themes-{theme}")
    for commitment in CASE["commitments"]:
        tick(f"#f-commitments-{commitment}")
    # "published" is left empty: the clinician forgets it.
    type_into("#f-lead-role", CASE["lead.role"])
    for key in ("leading_change", "what_to_change", "how_to_change"):
        type_into(f"#f-{key}", CASE[key])
    type_into("#f-adding_value-better_outcomes", CASE["adding_value.better_outcomes"])
    _tab_to(page, '.atlas-list__add[data-list="measures"]')
    keyboard.press("Enter")
    expect(page.locator("#f-measures-0-label")).to_be_focused()
    keyboard.type(CASE["measures.0.label"])
    type_into("#f-measures-0-value", CASE["measures.0.value"])
    type_into("#f-measures-0-unit", CASE["measures.0.unit"])
    _tab_to(page, "#f-measures-0-dimension")
    keyboard.type("Better outcomes")
    type_into("#f-contact-name", CASE["contact.name"])
    type_into("#f-contact-email", CASE["contact.email"])
    _tab_to(page, '.atlas-list__add[data-list="links"]')
    keyboard.press("Enter")
    expect(page.locator("#f-links-0-title")).to_be_focused()
    keyboard.type(CASE["links.0.title"])
    type_into("#f-links-0-url", CASE["links.0.url"])
    tick("#f-consent_confirmed")

    # Submit: the error summary takes the focus and names the missing field ...
    _tab_to(page, "#atlas-submit-button")
    keyboard.press("Enter")
    summary = page.locator("#atlas-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("There is a problem")
    links = summary.locator("a")
    expect(links).to_have_count(1)
    expect(links.first).to_have_text(
        "Published is required but missing; add it: "
        "The date the case was first published, as YYYY-MM-DD; not in the future."
    )
    assert page.title().startswith("Error: ")
    expect(page.locator('[data-field="published"] .atlas-error-message')).to_contain_text("Published is required")
    # ... whose link moves the focus to the field.
    keyboard.press("Tab")
    expect(links.first).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("#f-published")).to_be_focused()
    keyboard.type(CASE["published"])

    _tab_to(page, "#atlas-submit-button")
    keyboard.press("Enter")
    expect(page.locator("#atlas-result-title")).to_be_focused()
    expect(summary).to_be_hidden()
    expect(page.locator("#atlas-file-name")).to_have_text(f"{SLUG}.md")

    # Preview: the sections in the contract's order, with the case page's headings.
    _tab_to(page, "#atlas-preview-button", limit=200)
    keyboard.press("Enter")
    expect(page.locator("#atlas-preview-title")).to_be_focused()
    preview = page.locator("#atlas-preview-page")
    expect(preview.locator(".atlas-preview__title")).to_have_text(CASE["title"])
    filled = {"leading_change", "what_to_change", "how_to_change", "adding_value"}
    expected = [heading for key, heading in SECTIONS if key in filled] + ["Find out more"]
    assert preview.locator("h4").all_inner_texts() == expected
    expect(preview.locator(".atlas-byline")).to_have_text("Led by: Mental Health Nurse")
    expect(preview.locator(".atlas-figure__number")).to_have_text("325 staff")
    expect(preview.locator("li", has_text="monthly learning sessions")).to_have_count(1)  # Markdown list rendered
    expect(preview.locator(".atlas-meta")).to_contain_text("Mental health")  # labels, not slugs

    # Download, by keyboard, and the file passes atlas check.
    _tab_to(page, "#atlas-download", limit=200)
    with page.expect_download() as info:
        keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == f"{SLUG}.md"
    saved = tmp_path / "download.md"
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    status, output = _check_file(tmp_path, download.suggested_filename, text)
    assert status == 0, output
    assert ": error:" not in output, output

    fm, problems = parse_front_matter(text)
    assert not problems
    assert fm.data["title"] == CASE["title"]
    assert set(fm.data["settings"]) == set(CASE["settings"])
    assert fm.data["commitments"] == [2, 6]
    assert fm.data["measures"] == [{"label": CASE["measures.0.label"], "value": 325, "unit": "staff", "dimension": "outcomes"}]
    assert fm.data["consent_confirmed"] is True
    assert fm.data["how_to_change"] == CASE["how_to_change"] + "\n"
    assert "how_to_change: |\n" in text  # prose as a literal block


def test_reloading_mid_way_restores_the_draft_and_leaving_asks_first(page):
    _open(page)
    page.fill("#f-title", CASE["title"])
    page.fill("#f-summary", CASE["summary"])
    page.check("#f-settings-community")
    page.select_option("#f-region", "london")
    page.click('.atlas-list__add[data-list="measures"]')
    page.fill("#f-measures-0-label", "Staff trained")
    page.fill("#f-how_to_change", "Line one\n\n  indented line\n- item")
    page.wait_for_timeout(400)  # the draft is saved a moment after typing stops

    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.reload()
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")
    assert dialogs == ["beforeunload"], dialogs  # unsaved work: the browser asks before leaving

    expect(page.locator("#atlas-restored")).to_be_visible()
    expect(page.locator("#atlas-restored")).to_contain_text("We have restored the case study")
    expect(page.locator("#f-title")).to_have_value(CASE["title"])
    expect(page.locator("#f-slug")).to_have_value(SLUG)
    expect(page.locator("#f-summary")).to_have_value(CASE["summary"])
    expect(page.locator("#f-settings-community")).to_be_checked()
    expect(page.locator("#f-region")).to_have_value("london")
    expect(page.locator("#f-measures-0-label")).to_have_value("Staff trained")
    expect(page.locator("#f-how_to_change")).to_have_value("Line one\n\n  indented line\n- item")

    # Start again: after a confirmation, an empty form and no draft.
    dialogs.clear()
    page.click("#atlas-restored-start-again")
    assert dialogs == ["confirm"]
    expect(page.locator("#f-title")).to_have_value("")
    expect(page.locator("#f-title")).to_be_focused()
    expect(page.locator("#f-settings-community")).not_to_be_checked()
    expect(page.locator("#f-measures-0-label")).to_have_count(0)
    assert page.evaluate("key => localStorage.getItem(key)", STORAGE_KEY) is None
    page.reload()
    assert dialogs == ["confirm"]  # nothing typed since: no question on leaving
    expect(page.locator("#atlas-restored")).to_be_hidden()


# --- the same rules and words as atlas check --------------------------------------------------------

HOSTILE_VALID = {
    **CASE,
    "title": 'Yes: "quoted" #not-a-comment, 1:20 and --- no',
    "summary": "null: 0x1F, 2021-03-15, 'single' and \"double\" quotes, a colon: here, # hash, emoji 🩺 and ~ tilde.",
    "organisations.0": "Off",
    "lead.role": "  1.5e3  ",
    "lead.name": "O'Brien – “Curly” Quotes",
    "leading_change": "    indented first line (a code block)\n---\n...\n- [ ] item: with colon\n# heading\n\n" + "long " * 120,
    "what_to_change": "yes\nno\nnull\n~\n'quoted'\n\"double\"\n&anchor *alias !tag %directive @at `tick` | > {a: b} [c]",
    "how_to_change": "Tab\tinside, trailing spaces   \nback\\slash and emoji 🧑‍⚕️ and Ünïcödé, \\n not a newline, "
    "<b>bold</b> is fine",
    "adding_value.better_outcomes": "true false on off yes no null ~",
    "measures.0.value": "-0.05",
    "measures.0.unit": "%",
    "measures.0.period": "2019",
    "contact.name": "#1 team: yes",
    "contact.role": "- lead",
    "body": "| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\nMore: text.",
}

HOSTILE_INVALID = {
    **CASE,
    "summary": "Uses <b>HTML</b> and [a link](https://example.org) in the summary, which must be plain.",
    "organisations.1": "North Staffordshire Combined Healthcare NHS Trust",
    "updated": "2017-01-01",
    "leading_change": "Our patient 943 476 5919 agreed; write to nurse@example.org or call 020 7946 0018 "
    "for the full story of the change.",
    "what_to_change": "We added <script>alert('x')</script> and <img src=x onerror=alert(1)> to the page "
    "so that it runs.",
    "how_to_change": "TODO: describe the steps.\nSee [the chart](chart.png) and [this](javascript:alert(1)) "
    "for how we did it.",
    "links.0.url": "ftp://example.org/file",
    "contact.email": "not an email",
    "measures.0.value": "lots",
    "body": "<iframe src=\"https://example.org\"></iframe>",
}


def test_yaml_special_text_round_trips_into_a_file_that_passes_check(page, tmp_path):
    _with_draft(page, HOSTILE_VALID, rows=ROWS, slug_edited=True)
    page.fill("#f-slug", "hostile-but-valid")
    result = page.evaluate("AtlasSubmit.check().problems")
    assert [p for p in result if p["severity"] == "error"] == [], result
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-result-title")).to_be_focused()
    text = page.locator("#atlas-file-text").text_content()
    status, output = _check_file(tmp_path, "hostile-but-valid.md", text)
    assert status == 0, output + "\n" + text
    fm, problems = parse_front_matter(text)
    assert not problems
    data = fm.data
    assert data["title"] == HOSTILE_VALID["title"]
    assert data["summary"] == HOSTILE_VALID["summary"]
    assert data["organisations"] == ["Off"]
    assert data["lead"] == {"role": "1.5e3", "name": HOSTILE_VALID["lead.name"]}
    assert data["leading_change"] == HOSTILE_VALID["leading_change"].rstrip() + "\n"
    assert data["what_to_change"] == HOSTILE_VALID["what_to_change"] + "\n"
    assert data["how_to_change"] == HOSTILE_VALID["how_to_change"] + "\n"
    assert data["adding_value"] == {"better_outcomes": "true false on off yes no null ~\n"}
    assert data["measures"] == [{"label": CASE["measures.0.label"], "value": -0.05, "unit": "%", "period": "2019",
                                 "dimension": "outcomes"}]
    assert data["contact"] == {"name": "#1 team: yes", "role": "- lead", "email": CASE["contact.email"]}
    assert fm.body.strip() == HOSTILE_VALID["body"]


def _cli_problems(tmp_path: Path, name: str, text: str) -> set[tuple[str, str, str]]:
    cases = tmp_path / "only"
    cases.mkdir()
    (cases / name).write_text(text, encoding="utf-8")
    result = check_paths([cases], load_case_schema(REPO / "schemas"), today=dt.date.today())
    return {(p.key, p.severity.value, p.message) for p in result.problems}


def test_hostile_input_is_reported_by_the_form_in_the_clis_own_words(page, tmp_path):
    _with_draft(page, HOSTILE_INVALID, rows={**ROWS, "organisations": 2})
    form = page.evaluate("AtlasSubmit.check().problems")
    file = page.evaluate("AtlasSubmit.caseFile()")
    cli = _cli_problems(tmp_path, file["fileName"], file["text"])
    shown = {(p["key"], p["severity"], p["message"]) for p in form}
    assert shown == cli, f"form only: {shown - cli}\nCLI only: {cli - shown}"
    rules = {p["rule"] for p in form}
    for rule in ("privacy.nhs-number", "privacy.email", "privacy.phone", "html.unsafe-tag", "html.event-handler",
                 "html.script-url", "link.outside-folder", "placeholder", "date.updated-before-published"):
        assert rule in rules, f"the form did not report {rule}"

    # On submit every error is in the summary, each linking to its field, and no file is offered.
    page.click("#atlas-submit-button")
    summary = page.locator("#atlas-error-summary")
    expect(summary).to_be_focused()
    texts = summary.locator("a").all_inner_texts()
    errors = [p for p in form if p["severity"] == "error"]
    assert len(texts) == len(errors)
    for p in errors:
        assert any(t.endswith(p["message"]) for t in texts), f"{p['message']!r} not in the summary"
    expect(page.locator("#atlas-result")).to_be_hidden()
    link = summary.locator("a", has_text="contains the tag <script>")
    link.click()
    expect(page.locator("#f-what_to_change")).to_be_focused()
    nhs = page.locator('[data-field="leading_change"] .atlas-error-message')
    expect(nhs).to_contain_text("Leading change contains what looks like an NHS number (943 476 5919)")


def test_the_web_address_is_shown_whole_and_one_taken_by_a_published_case_is_refused(page, cases_data):
    _open(page)
    page.fill("#f-title", CASE["title"])
    address = page.locator("#f-slug-address")
    expect(address).to_have_text(f"Your case study's page will be at {page.url.rsplit('/submit/', 1)[0]}/cases/{SLUG}/")
    expect(page.locator("#f-slug")).to_have_attribute("aria-describedby", re.compile(r"\bf-slug-address\b"))

    taken = cases_data[0]
    _with_draft(page, {**CASE, "slug": taken["slug"]}, slug_edited=True)
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-error-summary a")).to_have_text(
        [f"The web address {taken['slug']!r} is taken by the case study {taken['title']!r} already on the atlas; "
         "choose another, for example by adding your team's or organisation's name"]
    )
    page.locator("#atlas-error-summary a").click()
    expect(page.locator("#f-slug")).to_be_focused()
    page.fill("#f-slug", "Not A Slug")
    expect(address).to_be_hidden()
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-error-summary a")).to_have_text(
        ["The web address 'Not A Slug' can have only lower-case letters (a to z), numbers and single hyphens (-) "
         "between words, 3 to 80 characters; for example 'not-a-slug'"]
    )
    page.fill("#f-slug", "")
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-error-summary a")).to_have_text([re.compile(r"^Give your case study a web address: ")])


def test_the_yaml_writer_round_trips_any_text(page):
    _open(page)
    texts = [
        "plain", "yes", "No", "null", "~", "true", "123", "0x1F", "1:20", "1_000", "3.14", ".inf", "2021-03-15",
        "key: value", "a #comment", "#start", "'quoted'", '"dq"', "- dash", "---", "...", "@at", "`tick`",
        "&anchor", "*alias", "!tag", "%percent", "|pipe", ">gt", "{brace}", "[list]", "a, b", "trailing ",
        " leading", "émoji 😀 ok", "tab\there", "back\\slash", "x" * 300, "A", "Y", "n", "=", "<<", "? q",
        "a: b: c", "ok:no", "\u00a0nbsp", "line one\nline two\n", "  indented first\nsecond\n", "\tTab first\n",
        "---\nmore\n", "a\n\n\nb\n", "#heading\n- item\n", "ends without a newline\nhere", "ends two\n\n",
        "x: y\n  - z\n", "trailing spaces   \nnext  \n", "```\ncode\n```\n", "...\n", "\n\nleading blank\n",
        "💥 unicode\n", "   \n  spaces only line above\n", "\u2028separator", "\x85next line", "bell\x07",
    ]
    cases = [
        {"title": t, "organisations": [t, t + "2"], "lead": {"role": t}, "leading_change": t,
         "adding_value": {"better_outcomes": t},
         "measures": [{"label": t, "value": 1.5e21, "baseline": 0.1}, {"label": "b", "value": -3, "period": t}],
         "published": "2021-03-15", "commitments": [1, 2], "consent_confirmed": True}
        for t in texts
    ]
    files = page.evaluate("cases => cases.map(c => AtlasSubmit.emitCase(c, 'Body: *text*\\n---\\nmore\\n'))", cases)
    for case, text in zip(cases, files):
        fm, problems = parse_front_matter(text)
        assert not problems and fm is not None, f"{case['title']!r}:\n{text}"
        assert fm.data == case, f"{case['title']!r} came back as {fm.data['title']!r}:\n{text}"
        assert fm.body == "Body: *text*\n---\nmore\n"


# --- sending the file --------------------------------------------------------------------------------


def test_copy_and_open_on_github_prefilled_or_by_the_clipboard_when_too_long(new_context):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    _with_draft(page, CASE)
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-result-title")).to_be_focused()
    text = page.locator("#atlas-file-text").text_content()

    page.click("#atlas-copy")
    expect(page.locator("#atlas-action-status")).to_contain_text("Copied the file")
    assert page.evaluate("navigator.clipboard.readText()") == text

    # What the button opens (the test never leaves for GitHub).
    page.evaluate("window.open = (url) => { window.openedUrl = url; return null; }")
    expect(page.locator("#atlas-github")).to_have_text("Open it on GitHub")
    page.click("#atlas-github")
    url = urlsplit(page.evaluate("window.openedUrl"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{REPO_URL}/new/main/cases"
    query = parse_qs(url.query)
    assert query["filename"] == [f"{SLUG}.md"]
    assert query["value"] == [text]

    # Changed since, and wrong now: the buttons check again and show the problem instead.
    page.fill("#f-title", "Too short")
    page.click("#atlas-download")
    expect(page.locator("#atlas-error-summary")).to_be_focused()
    expect(page.locator("#atlas-error-summary a")).to_have_text(["Title is too short (9 characters); write at least 10"])
    expect(page.locator("#atlas-result")).to_be_hidden()

    # A case too long for a web address goes by the clipboard instead, and the page says so.
    long_case = {**CASE, "body": "A long paragraph of more detail. " * 400}
    _with_draft(page, long_case)
    page.click("#atlas-submit-button")
    github = page.locator("#atlas-github")
    expect(github).to_have_text("Copy the file and open GitHub")
    expect(page.locator("#atlas-github-note")).to_contain_text("too long to send to GitHub in a web address")
    long_text = page.locator("#atlas-file-text").text_content()
    page.evaluate("window.open = (url) => { window.openedUrl = url; return null; }")
    github.click()
    url = urlsplit(page.evaluate("window.openedUrl"))
    assert parse_qs(url.query) == {"filename": [f"{SLUG}.md"]}
    expect(page.locator("#atlas-action-status")).to_contain_text("paste the file")
    assert page.evaluate("navigator.clipboard.readText()") == long_text


# --- the page as a reader sees it ---------------------------------------------------------------------

# Elements fixed or stuck on the screen, other than the header and the side navigation, that cover any
# of the page's content: Material's "Back to top" button is one when navigation.top is on.
FLOATING_OVER_CONTENT = """() => {
  const content = document.querySelector(".md-content").getBoundingClientRect();
  return [...document.querySelectorAll("body *")].filter(el => {
    const style = getComputedStyle(el);
    if (style.position !== "fixed" && style.position !== "sticky") return false;
    if (el.closest(".md-header, .md-sidebar, .md-dialog")) return false;
    if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
    const overContent = r.left < content.right && r.right > content.left && r.top < content.bottom && r.bottom > content.top;
    return onScreen && overContent;
  }).map(el => el.outerHTML.slice(0, 120));
}"""


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["1280x800", "390x844"])
def test_no_button_floats_over_the_form_as_the_reader_scrolls_back_up(new_context, size):
    page = new_context(viewport={"width": size[0], "height": size[1]}).new_page()
    _open(page)
    page.fill("#f-title", "Too short")
    page.click("#atlas-submit-button")  # errors shown: the messages a floating button would cover
    for down, up in ((3000, -400), (6000, -1200)):
        page.mouse.wheel(0, down)
        page.wait_for_timeout(200)
        page.mouse.wheel(0, up)  # scrolling up is when Material shows its "Back to top" button
        page.wait_for_timeout(600)
        assert page.evaluate(FLOATING_OVER_CONTENT) == []


# --- what the page loads, and when ------------------------------------------------------------------


def test_until_the_reader_starts_the_page_loads_at_most_60_kb_more_script_than_the_home_page(new_context):
    """Bytes, not time: script bodies as served by the test's plain static server (no compression),
    counted as bench/submit_bench.py counts them; the checks and their libraries wait for the reader."""
    weight = weigh(new_context)
    assert weight.extra <= BUDGET, f"{weight.extra:,} bytes more script than the home page: " + ", ".join(
        f"{r.path} {r.size:,}" for r in weight.submit if r.kind == "script")
    names = lambda responses: {Path(r.path).name for r in responses}  # noqa: E731
    assert names(weight.submit).isdisjoint(LOADED_LATER)
    assert "cases.json" not in names(weight.submit)
    assert set(LOADED_LATER) <= names(weight.started)  # ... and load when the reader focuses a field
    assert "cases.json" in names(weight.started)


# Where every part of the form is on the screen, to the pixel.
LAYOUT = """() => [...document.querySelectorAll("#atlas-submit [data-field], #atlas-submit h2")]
  .map(el => { const r = el.getBoundingClientRect(); return [el.id || el.dataset.field, r.top, r.height]; })"""


def test_when_the_checks_load_nothing_on_the_page_moves(page):
    _open(page)
    before = page.evaluate(LAYOUT)
    expect(page.locator("#atlas-submit")).not_to_have_attribute("data-checks", "ready")
    page.focus("#f-title")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-checks", "ready")
    expect(page.locator(".atlas-preview__title")).to_have_text("Your title")  # the preview, below the form, is there
    assert page.evaluate(LAYOUT) == before


def test_a_restored_draft_appears_in_one_go_with_its_problems_shown(new_context):
    """A saved draft loads the checks at once: when the form appears, its errors are already there."""
    page = new_context().new_page()
    draft = {"version": 1, "saved": "2026-01-05T10:30:00Z",
             "state": {"rows": ROWS, "slugEdited": False, "values": {**CASE, "title": "Too short"}}}
    page.add_init_script(f"""(() => {{
      localStorage.setItem({STORAGE_KEY!r}, {json.dumps(json.dumps(draft))});
      new MutationObserver((changes, observer) => {{
        const root = document.getElementById("atlas-submit");
        if (!root || root.dataset.ready !== "true") return;
        observer.disconnect();
        const shown = [...root.querySelectorAll(".atlas-error-message")].filter(el => !el.hidden);
        window.atReady = {{ checks: root.dataset.checks, errors: shown.map(el => el.textContent) }};
      }}).observe(document, {{ subtree: true, attributes: true, attributeFilter: ["data-ready"] }});
    }})()""")
    page.goto("submit/")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-ready", "true")
    at_ready = page.evaluate("window.atReady")
    assert at_ready["checks"] == "ready"
    assert any("Title is too short (9 characters)" in text for text in at_ready["errors"]), at_ready


def test_when_the_checks_cannot_load_the_form_says_so_keeps_the_typing_and_tries_again(page):
    failing = {"on": True}

    def vendor(route):
        if failing["on"]:
            route.abort()
        else:
            route.continue_()

    page.route("**/vendor/marked.umd.js", vendor)
    _open(page)
    page.fill("#f-title", "Too short")
    notice = page.locator("#atlas-checks-failed")
    expect(notice).to_contain_text("The form could not load its checks")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-checks", "failed")
    page.wait_for_timeout(400)  # the draft is saved a moment after typing stops
    assert json.loads(page.evaluate("key => localStorage.getItem(key)", STORAGE_KEY))["state"]["values"]["title"] == "Too short"

    failing["on"] = False  # the connection is back: the next thing the reader does loads them
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-submit")).to_have_attribute("data-checks", "ready")
    expect(notice).to_have_count(0)
    expect(page.locator("#atlas-error-summary")).to_be_focused()
    expect(page.locator("#atlas-error-summary a").first).to_have_text("Title is too short (9 characters); write at least 10")
    for name in ("ajv2020-formats.min.js", "marked.umd.js", "purify.min.js"):  # each once: the retry loads the failed one
        assert page.locator(f'script[src$="/vendor/{name}"]').count() == 1, name


def test_without_a_github_account_the_file_can_be_emailed_to_the_editors_at_the_sites_address(page):
    editors = mkdocs_config()["extra"]["editors_email"]
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    _with_draft(page, CASE)
    dialogs.clear()
    expect(page.locator(".atlas-submit__saved")).to_contain_text("or email it to the editors")
    page.click("#atlas-submit-button")
    way = page.locator("#atlas-email-way")
    expect(way).to_be_visible()
    expect(way.locator("h3")).to_have_text("No GitHub account? Email it to the editors")
    expect(page.locator("#atlas-email-address")).to_have_text(editors)
    expect(page.locator("#atlas-email-file")).to_have_text(f"{SLUG}.md")
    subject = f"Case study for the Shared Learning Atlas: {CASE['title']}"
    expect(page.locator("#atlas-email-subject")).to_have_text(subject)

    link = page.locator("#atlas-email")
    url = urlsplit(link.get_attribute("href"))
    assert (url.scheme, url.path) == ("mailto", editors)
    query = parse_qs(url.query)
    assert query["subject"] == [subject]
    (body,) = query["body"]
    assert f'"{CASE["title"]}"' in body and f"the file {SLUG}.md" in body and "\r\n" in body

    # Following it opens the reader's email program, which the browser counts as leaving: no "leave?" question.
    link.click()
    expect(page.locator("#atlas-action-status")).to_contain_text(f"attach {SLUG}.md and send it")
    assert dialogs == []

    # Changed since, and wrong now: the link checks again, shows the problem and opens no email.
    page.fill("#f-title", "Too short")
    link.click()
    expect(page.locator("#atlas-error-summary")).to_be_focused()
    expect(page.locator("#atlas-result")).to_be_hidden()


def test_without_the_editors_address_the_form_offers_no_email(page):
    _with_draft(page, CASE)
    page.locator("#atlas-submit").evaluate("root => root.removeAttribute('data-editors')")  # as if mkdocs.yml had none
    page.click("#atlas-submit-button")
    expect(page.locator("#atlas-result")).to_be_visible()
    expect(page.locator("#atlas-email-way")).to_be_hidden()


# --- no JavaScript, accessibility, vendored libraries -------------------------------------------------


def test_without_javascript_the_page_says_so_and_points_to_the_contributing_guide(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("submit/")
    message = page.locator("#atlas-submit-no-script")
    expect(message).to_be_visible()
    expect(message).to_contain_text("This form needs JavaScript")
    link = message.locator("a")
    href = link.get_attribute("href")
    assert href.rstrip("/").endswith("contributing")
    link.click()
    expect(page.locator("h1")).to_be_visible()
    assert page.url.rstrip("/").endswith("/contributing")


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_axe_finds_no_violation_with_errors_shown_or_the_file_ready(new_context, axe_source, scheme):
    page = new_context(color_scheme=scheme).new_page()
    _open(page)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[scheme])
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    page.fill("#f-title", "Too short")
    page.click("#atlas-submit-button")  # every error shown: summary, bars and messages
    expect(page.locator("#atlas-error-summary")).to_be_visible()
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert not result["violations"], f"with errors ({scheme}):\n{_describe(result['violations'])}"
    assert len(result["passes"]) > 10

    _with_draft(page, {**CASE, "leading_change": CASE["leading_change"] + " Call 020 7946 0018."})
    page.click("#atlas-submit-button")  # the file ready, a warning, the preview filled in
    expect(page.locator("#atlas-result")).to_be_visible()
    expect(page.locator("#atlas-result-warnings a")).to_have_text(
        ["Leading change contains a phone number (020 7946 0018); put contact details in 'contact' only"]
    )
    page.locator("#atlas-result details").evaluate("d => d.open = true")
    page.add_script_tag(content=axe_source)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert not result["violations"], f"with the file ready ({scheme}):\n{_describe(result['violations'])}"


DISGUISED = {
    **CASE,
    "leading_change": "Patient **943** 476&nbsp;5919 agreed, and so did ９４３ ４７６ ５９１９ and 943.476.5919; "
    "write to nurse&#64;example.org or j.bloggs＠nhs.net, or call ０１６１\u00a0４９６\u00a0０１２３.",
    "what_to_change": "On 15.03.2021 10.30 the 2019-2021 figures (SNOMED CT 728711697 9) were shared with "
    "12 wards: 94 34 76 59 19 is a number, 943 476\n\n5919 is not.",
    "how_to_change": "- 943\n- 476\n- 5919\n\nand 943&#32;476&#32;5919 in one line, and 0161.496.0123.",
}


def test_disguised_numbers_and_addresses_are_reported_by_the_form_as_by_the_cli(page, tmp_path):
    """The form reads the text as a reader sees it, as atlas check does, and says the same things."""
    _with_draft(page, DISGUISED, rows=ROWS)
    form = page.evaluate("AtlasSubmit.check().problems")
    file = page.evaluate("AtlasSubmit.caseFile()")
    cli = _cli_problems(tmp_path, file["fileName"], file["text"])
    shown = {(p["key"], p["severity"], p["message"]) for p in form}
    privacy = {p for p in cli if "NHS number" in p[2] or "email address" in p[2] or "phone number" in p[2]}
    assert len([p for p in privacy if "NHS number" in p[2]]) >= 4
    assert privacy <= shown, f"CLI only: {privacy - shown}"
    assert {p for p in shown if p not in cli} == set(), f"form only: {shown - cli}"
