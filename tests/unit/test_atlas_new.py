"""``atlas new``: prompts and options, slugs, refusals, and placeholders that ``atlas check`` reports."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import SCHEMAS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learning_atlas.contract.placeholders import PROSE_FIELDS, placeholder_text
from learning_atlas.editors.new_case import slug_from_title

OPTIONS = [
    "--organisation", "Example Hospitals NHS Foundation Trust",
    "--region", "north-west",
    "--setting", "acute",
    "--theme", "patient-safety",
    "--published", "2021-03-15",
    "--lead-role", "Ward Sister",
    "--contact-name", "Ward 7 team",
    "--contact-email", "ward7@example.org",
    "--consent-confirmed",
]

REAL_TEXT = {
    "summary": "A surgical ward held a ten-minute safety huddle at every shift change, and reported falls went down.",
    "leading_change": "A ward sister led daily safety huddles on a busy surgical ward, with the matron's support.",
    "where_to_look": "Falls on the ward were above the trust's average, and handovers missed known risks.",
    "what_to_change": "The team replaced an informal handover of risks with a short, structured huddle.",
    "how_to_change": "The team tested the huddle on one shift, improved the prompt sheet weekly, then spread it.",
    "adding_value.better_outcomes": "Fewer falls were reported on the ward after the huddles began.",
    "adding_value.better_experience": "Staff said they felt safer and better informed at the start of each shift.",
    "adding_value.better_use_of_resources": "Ten minutes a shift replaced longer, repeated conversations about risk.",
    "challenges": "Keeping the huddle to ten minutes on busy days took practice and a visible timer.",
}


@pytest.fixture
def atlas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty atlas (schemas and a cases folder) as the working folder; returns the cases folder."""
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    (tmp_path / "cases").mkdir()
    monkeypatch.chdir(tmp_path)
    return Path("cases")


def fill_placeholders(path: Path) -> None:
    """Replace every placeholder ``atlas new`` wrote with real text, as a clinician would."""
    text = path.read_text(encoding="utf-8")
    summary = '"' + placeholder_text("summary", width=10_000).strip() + '"'
    assert summary in text
    text = text.replace(summary, f'"{REAL_TEXT["summary"]}"')
    for key in PROSE_FIELDS:
        indent = "    " if key.startswith("adding_value.") else "  "
        block = "".join(indent + line + "\n" for line in placeholder_text(key).splitlines())
        assert block in text, key
        text = text.replace(block, f"{indent}{REAL_TEXT[key]}\n")
    path.write_text(text, encoding="utf-8")


def placeholder_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "placeholder text from 'atlas new'" in line]


# --- by options ------------------------------------------------------------------------------


def test_options_write_a_case_that_fails_on_its_placeholders_and_passes_once_they_are_replaced(run_line, atlas):
    result = run_line(["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *OPTIONS])
    assert result.exit_code == 0, result.output
    path = atlas / "daily-safety-huddles-on-a-surgical-ward.md"
    assert result.output.splitlines()[0] == f"Wrote {path}."
    assert "replace the 9 placeholders (text starting 'TODO:')" in result.output

    checked = run_line(["check", str(path)])
    assert checked.exit_code == 1
    lines = checked.output.splitlines()
    assert len(placeholder_lines(checked.output)) == 9 == len(lines) - 1
    assert lines[-1] == "1 case checked: 9 errors in 1 file"
    text = path.read_text(encoding="utf-8").splitlines()
    for line in lines[:-1]:  # each on the placeholder's own line, at its key's column
        number, column = map(int, re.match(r".+?:(\d+):(\d+): error: ", line).groups())
        assert "TODO:" in text[number - 1]
        assert text[number - 1].index("TODO:") >= column - 1
    assert lines[1] == (
        f"{path}:16:1: error: leading_change: still holds the placeholder text from 'atlas new'; replace it "
        "with who led the change, in which role, and what it achieved (Markdown, at least 50 characters)"
    )

    fill_placeholders(path)
    checked = run_line(["check", str(path)])
    assert checked.output == "1 case checked: no problems found\n"
    assert checked.exit_code == 0


def test_every_field_can_be_given_as_an_option(run_line, atlas):
    prose = {
        "--leading-change": REAL_TEXT["leading_change"], "--where-to-look": REAL_TEXT["where_to_look"],
        "--what-to-change": REAL_TEXT["what_to_change"], "--how-to-change": REAL_TEXT["how_to_change"],
        "--better-outcomes": REAL_TEXT["adding_value.better_outcomes"],
        "--better-experience": REAL_TEXT["adding_value.better_experience"],
        "--better-use-of-resources": REAL_TEXT["adding_value.better_use_of_resources"],
        "--challenges": REAL_TEXT["challenges"], "--summary": REAL_TEXT["summary"],
    }
    args = ["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", "--slug", "ward-huddles",
            "--organisation", "Example Partner Trust", "--setting", "Community health services",
            "--theme", "quality-improvement", "--commitment", "4", "--commitment", "2",
            "--review-by", "2030-01-31", "--status", "draft", "--lead-name", "Sam Example",
            "--contact-role", "Matron", "--contact-organisation", "Example Hospitals NHS Foundation Trust",
            *OPTIONS, *[item for pair in prose.items() for item in pair]]
    result = run_line(args)
    assert result.exit_code == 0, result.output
    assert "placeholder" not in result.output
    path = atlas / "ward-huddles.md"
    checked = run_line(["check", str(path)])
    assert checked.output == "1 case checked: no problems found\n"
    text = path.read_text(encoding="utf-8")
    for line in ("  - community\n", "  - acute\n", "commitments: [4, 2]\n", "review_by: 2030-01-31\n",
                 "status: draft\n", '  name: "Sam Example"\n', '  role: "Matron"\n'):
        assert line in text
    assert 'organisations:\n  - "Example Partner Trust"\n  - "Example Hospitals NHS Foundation Trust"\n' in text


def test_the_case_is_written_only_with_consent_confirmed_or_a_reminder(run_line, atlas):
    options = [o for o in OPTIONS if o != "--consent-confirmed"]
    result = run_line(["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *options])
    assert result.exit_code == 0
    assert "set consent_confirmed: true once the people and organisations named have agreed" in result.output
    path = atlas / "daily-safety-huddles-on-a-surgical-ward.md"
    fill_placeholders(path)
    checked = run_line(["check", str(path)])
    assert checked.exit_code == 1
    assert "consent_confirmed: must be true" in checked.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--contact-email", "ward7@"], "error: --contact-email: is not a valid email address; write it like team@example.org"),
        (["--published", "2021-02-30"], "error: --published: '2021-02-30' is not a valid date; write it as YYYY-MM-DD, for example 2021-03-15"),
        (["--published", "15/03/2021"], "error: --published: '15/03/2021' is not a valid date; write it as YYYY-MM-DD, for example 2021-03-15"),
        (["--published", "2999-01-01"], "error: --published: 2999-01-01 is in the future; give the date the case was first published"),
        (["--review-by", "2020-01-01"], "error: --review-by: 2020-01-01 is not after the published date (2021-03-15)"),
        (["--region", "Londn"], "error: --region: 'Londn' is not a region; did you mean 'london'?"),
        (["--setting", "hospital"], "error: --setting: 'hospital' is not a care setting; choose one of: acute, ambulance"),
        (["--commitment", "11"], "error: --commitment: '11' is not a commitment; choose one of: 1, 2, 3"),
        (["--title", "Short"], "error: --title: is too short (5 characters); write at least 10"),
        (["--title", "x" * 200], "error: --title: is too long (200 characters); keep it to 160 at most"),
        (["--summary", "Too short."], "error: --summary: is too short (10 characters); write at least 40"),
        (["--summary", "\x07" + "x" * 50], "error: --summary: holds the control character U+0007; type plain text"),
        (["--lead-role", "<b>Nurse</b>"], "error: --lead-role: must be a role on one line, without < or >"),
        (["--slug", "Not_A_Slug"], "error: --slug: 'Not_A_Slug' is not a valid slug"),
        (["--title", "x"], "error: --title: is too short (1 character); write at least 10"),
        (["--title", "ab"], "error: --title: is too short (2 characters); write at least 10"),
        (["--contact-name", "W"], "error: --contact-name: is too short (1 character); write at least 2"),
        (["--region", "north wst"], "error: --region: 'north wst' is not a region; did you mean 'north-west'?"),
        (["--theme", "Patient safty"], "error: --theme: 'Patient safty' is not a theme; did you mean 'patient-safety'?"),
        (["--theme", "zzz"], "error: --theme: 'zzz' is not a theme; see the list in schemas/vocabularies/themes.yaml"),
        (["--lead-role", "  "], "error: --lead-role: is empty; give its text or leave the option out"),
        (["--region", ""], "error: --region: is empty; give a slug or label, or leave the option out"),
        (["--setting", " "], "error: --setting: is empty; give a slug or label, or leave the option out"),
        (["--organisation", "Trust\x1b[31m"], "error: --organisation: holds the control character U+001B; type plain text"),
    ],
)
def test_bad_values_are_usage_errors_in_plain_english_and_nothing_is_written(run_line, atlas, extra, message):
    args = ["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *OPTIONS]
    result = run_line(args + extra)  # a later option wins over the same option in OPTIONS
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(atlas.iterdir()) == []


def test_no_input_names_every_missing_option(run_line, atlas):
    result = run_line(["new", "--no-input", "--title", "Daily safety huddles on a surgical ward"])
    assert result.exit_code == 2
    assert result.output == (
        "error: --no-input needs --organisation, --region, --setting, --theme, --lead-role, --contact-name, "
        "--contact-email (see 'atlas new --help'); nothing was written\n"
    )


def test_no_cases_folder_is_a_usage_error(run_line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_line(["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *OPTIONS])
    assert result.exit_code == 2
    assert "no cases folder at cases" in result.output


# --- slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Daily safety huddles on a surgical ward", "daily-safety-huddles-on-a-surgical-ward"),
        ("Café & Crème: a nurse-led triage!", "cafe-and-creme-a-nurse-led-triage"),
        ("  Ærø, Łódź and Straße --- 2021  ", "aero-lodz-and-strasse-2021"),
        ("COVID-19: rapid learning (2020–2021)", "covid-19-rapid-learning-2020-2021"),
        ("!!!! ??? ... ---", None),
        ("🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", None),
        ("A 🎉 b", "a-b"),
        ("Ward 7 — 日本語 — 2021", "ward-7-2021"),
        ("abc 🎉🎉🎉🎉🎉🎉", "abc"),
    ],
)
def test_slug_from_title(title, slug):
    assert slug_from_title(title) == slug


def test_a_long_title_gives_a_slug_cut_at_a_word_within_80_characters():
    title = "Learning from incidents across a whole integrated care system " * 3
    slug = slug_from_title(title)
    assert len(slug) <= 80 and not slug.endswith("-")
    assert title.lower().replace(" ", "-").startswith(slug + "-")
    assert slug_from_title("x" * 200) == "x" * 80


def test_a_title_without_letters_needs_a_slug(run_line, atlas):
    result = run_line(["new", "--no-input", "--title", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", *OPTIONS])
    assert result.exit_code == 2
    assert "cannot make a slug from the title" in result.output and "give one with --slug" in result.output
    result = run_line(["new", "--no-input", "--title", "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉", "--slug", "party-time", *OPTIONS])
    assert result.exit_code == 0, result.output
    assert (atlas / "party-time.md").is_file()


def test_an_existing_case_is_never_overwritten(run_line, atlas):
    path = atlas / "daily-safety-huddles-on-a-surgical-ward.md"
    path.write_text("mine\n", encoding="utf-8")
    result = run_line(["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *OPTIONS])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {path} already exists; 'atlas new' never overwrites a case or takes an old address: "
        "give another slug with --slug. Nothing was written\n"
    )
    assert path.read_text(encoding="utf-8") == "mine\n"
    result = run_line(["new", "--no-input", "--title", "Something else entirely", "--slug", path.stem, *OPTIONS])
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_a_slug_in_another_cases_redirect_from_is_refused(run_line, atlas, minimal_text):
    (atlas / "ward-huddles.md").write_text(
        minimal_text.replace("consent_confirmed: true", "consent_confirmed: true\nredirect_from:\n  - old-huddles"),
        encoding="utf-8",
    )
    result = run_line(["new", "--no-input", "--title", "Old huddles!", *OPTIONS])  # its slug: old-huddles
    assert result.exit_code == 1
    assert result.output.startswith(
        f"error: 'old-huddles' is an old address of {atlas / 'ward-huddles.md'} (it is in that case's redirect_from)"
    )
    assert sorted(p.name for p in atlas.iterdir()) == ["ward-huddles.md"]


# --- interactively ---------------------------------------------------------------------------

ANSWERS = [
    "Café & Crème: a nurse-led triage",  # title
    "",  # summary: leave a placeholder
    "Example Hospitals NHS Foundation Trust",
    "Example Partner Trust",
    "",  # no more organisations
    "Londn",  # region: refused with a did-you-mean
    "2",  # region: London, by number
    "1, Community health services",  # settings: a number and a label
    "patient-safety, 3",  # themes: a slug and a number
    "2 4",  # commitments
    "2021-03-15",
    "",  # review by: none
    "Ward Sister",
    "",  # lead's name: unnamed
    "Ward 7 team",
    "ward7@",  # refused
    "ward7@example.org",
    "y",
]


def test_prompts_list_the_vocabularies_and_check_each_answer(run_line, atlas):
    result = run_line(["new"], input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "   2  London (london)\n" in output
    assert "   5  Community health services (community)\n" in output
    assert "  10  Commitment 10: Technology and informatics\n" in output
    # Our words; Click puts its own prefix before them.
    assert "Region: 'Londn' is not a region; did you mean 'london'?\n" in output
    assert "Contact's email: is not a valid email address; write it like team@example.org\n" in output
    path = atlas / "cafe-and-creme-a-nurse-led-triage.md"
    assert f"The case will be {path}" in output
    text = path.read_text(encoding="utf-8")
    assert "region: london\n" in text
    assert "settings:\n  - acute\n  - community\n" in text
    assert "themes:\n  - patient-safety\n  - quality-improvement\n" in text
    assert "commitments: [2, 4]\n" in text
    assert 'organisations:\n  - "Example Hospitals NHS Foundation Trust"\n  - "Example Partner Trust"\n' in text
    assert "consent_confirmed: true\n" in text

    checked = run_line(["check", str(path)])
    assert len(placeholder_lines(checked.output)) == 9
    fill_placeholders(path)
    assert run_line(["check", str(path)]).output == "1 case checked: no problems found\n"


def test_options_given_are_not_asked_again(run_line, atlas):
    result = run_line(
        ["new", "--title", "Daily safety huddles on a surgical ward", *OPTIONS[:-1]],
        input="\n\n\n\ny\n",  # summary, commitments, review by, lead's name (not an option given), consent
    )
    assert result.exit_code == 0, result.output
    assert "Title" not in result.output and "Region" not in result.output and "Contact's email" not in result.output
    assert "Lead's name" in result.output


def test_a_taken_slug_is_asked_again_with_a_free_one_offered(run_line, atlas):
    (atlas / "daily-safety-huddles-on-a-surgical-ward.md").write_text("mine\n", encoding="utf-8")
    result = run_line(
        ["new", "--title", "Daily safety huddles on a surgical ward", *OPTIONS],
        input="Bad Slug\n\n\n\n\n\n",  # refused, then the offered slug; summary, commitments, review by, lead's name
    )
    assert result.exit_code == 0, result.output
    assert "The slug 'daily-safety-huddles-on-a-surgical-ward' is taken" in result.output
    assert "Slug (the file name, without .md) [daily-safety-huddles-on-a-surgical-ward-2]" in result.output
    assert "Slug: 'Bad Slug' is not a valid slug" in result.output
    assert (atlas / "daily-safety-huddles-on-a-surgical-ward-2.md").is_file()
    assert (atlas / "daily-safety-huddles-on-a-surgical-ward.md").read_text(encoding="utf-8") == "mine\n"


def test_a_title_without_letters_asks_for_a_slug(run_line, atlas):
    result = run_line(
        ["new", "--title", "!!! ??? *** ...", *OPTIONS],
        input="\nwarm-welcome\n\n\n\n\n",  # no slug offered, so Enter asks again; then the rest
    )
    assert result.exit_code == 0, result.output
    assert "cannot make a slug from the title '!!! ??? *** ...'" in result.output
    assert (atlas / "warm-welcome.md").is_file()


def test_input_that_ends_early_writes_nothing(run_line, atlas):
    result = run_line(["new"], input="Daily safety huddles on a surgical ward\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "error: the input ended before every question was answered; nothing was written. To create a case "
        "without questions, give its fields as options with --no-input (see 'atlas new --help')"
    )
    assert list(atlas.iterdir()) == []
    assert run_line(["new"], input="").exit_code == 2


# --- the placeholder check and help ----------------------------------------------------------


def test_a_placeholder_left_in_any_text_is_an_error_on_its_line(run_line, tmp_path, minimal_text):
    path = tmp_path / "daily-huddles.md"
    path.write_text(
        minimal_text.replace(
            "  huddle at each shift change, using a one-page prompt sheet.\n",
            "  huddle at each shift change, using a one-page prompt sheet.\n\n  todo: say how long it took\n",
        ),
        encoding="utf-8",
    )
    result = run_line(["check", "--schemas", str(SCHEMAS), str(path)])
    assert result.output.splitlines() == [
        f"{path}:21:1: error: what_to_change: still holds the placeholder text from 'atlas new'; replace it with "
        "what the team set out to change, and why (Markdown, at least 50 characters)",
        "1 case checked: 1 error in 1 file",
    ]


def test_help_lists_every_option(run_line):
    text = run_line(["new", "--help"]).output
    for option in ("--title", "--slug", "--summary", "--organisation", "--region", "--setting", "--theme",
                   "--commitment", "--published", "--review-by", "--status", "--lead-role", "--lead-name",
                   "--contact-name", "--contact-email", "--contact-role", "--contact-organisation",
                   "--leading-change", "--challenges", "--consent-confirmed", "--no-input", "--cases"):
        assert option in text
    assert "TODO:" in text


# --- Every message names its field, counts grammatically, and suggests the nearest term -----------


def test_no_input_reports_a_bad_title_before_the_slug_made_from_it(run_line, atlas):
    result = run_line(["new", "--no-input", "--title", "x", *OPTIONS])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --title: is too short (1 character); write at least 10",
        "error: nothing was written",
    ]


def test_every_bad_option_is_named_at_once(run_line, atlas):
    args = ["new", "--no-input", "--title", "Daily safety huddles on a surgical ward", *OPTIONS]
    result = run_line(args + ["--region", "nort west", "--setting", "hospitl", "--theme", "zzz", "--summary", "\x07"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --summary: holds the control character U+0007; type plain text",
        "error: --region: 'nort west' is not a region; did you mean 'north-west'?",
        "error: --setting: 'hospitl' is not a care setting; choose one of: acute, ambulance, care-homes, "
        "children-and-young-people, community, learning-disability-and-autism, maternity, mental-health, "
        "primary-care, public-health, social-care, system-wide",
        "error: --theme: 'zzz' is not a theme; see the list in schemas/vocabularies/themes.yaml",
        "error: nothing was written",
    ]
    assert list(atlas.iterdir()) == []


PROMPTED = [
    "x",  # title: 1 character
    "\x07 Daily safety huddles",  # title: a control character
    "Daily safety huddles on a surgical ward",
    "",  # summary: a placeholder
    "E",  # organisation: 1 character
    "Example Hospitals NHS Foundation Trust",
    "Example Hospitals NHS Foundation Trust",  # listed already
    "",
    "Nort West",  # region: the nearest term suggested
    "nrth",  # region: nothing near, so the terms to choose from
    "1, 2",  # region: one only
    "North West",
    "",  # settings: asked again
    "acute",
    "patient safty",  # themes: the nearest term suggested
    "Patient safety",
    "",  # commitments: none
    "2021-02-30",  # published: no such date
    "2021-03-15",
    "",  # review by: none
    "W",  # lead's role: 1 character
    "Ward Sister",
    "",  # lead's name
    "Ward 7 team",
    "ward7@",
    "ward7@example.org",
    "y",
]


@pytest.fixture
def refusals(monkeypatch) -> list[str]:
    """Every answer refused at a prompt, as our message (what Click prints it after is Click's business)."""
    import click

    refused: list[str] = []
    prompt = click.prompt

    def recording_prompt(*args, value_proc=None, **kwargs):
        def proc(value):
            try:
                return value_proc(value)
            except click.BadParameter as exc:
                refused.append(exc.message)
                raise

        return prompt(*args, value_proc=proc if value_proc else None, **kwargs)

    monkeypatch.setattr(click, "prompt", recording_prompt)
    return refused


FIELDS = r"(Title|Slug|Summary|Organisation|Region|Care settings|Themes|Commitments|Published|Review by|" \
         r"Lead's role|Lead's name|Contact's name|Contact's email): "


def test_every_refusal_at_a_prompt_names_its_field(run_line, atlas, refusals):
    result = run_line(["new"], input="\n".join(PROMPTED) + "\n")
    assert result.exit_code == 0, result.output
    assert all(f"{message}\n" in result.output for message in refusals)
    assert refusals == [
        "Title: is too short (1 character); write at least 10",
        "Title: holds the control character U+0007; type plain text",
        "Organisation: is too short (1 character); write at least 3",
        "Organisation: 'Example Hospitals NHS Foundation Trust' is listed already",
        "Region: 'Nort West' is not a region; did you mean 'north-west'?",
        "Region: 'nrth' is not a region; choose one of: east-of-england, london, midlands, north-east-and-yorkshire, "
        "north-west, south-east, south-west, national, wales, scotland, northern-ireland; or give its number in "
        "the list above",
        "Region: choose one",
        "Themes: 'patient safty' is not a theme; did you mean 'patient-safety'?",
        "Published: '2021-02-30' is not a valid date; write it as YYYY-MM-DD, for example 2021-03-15",
        "Lead's role: is too short (1 character); write at least 3",
        "Contact's email: is not a valid email address; write it like team@example.org",
    ]
    text = (atlas / "daily-safety-huddles-on-a-surgical-ward.md").read_text(encoding="utf-8")
    assert "region: north-west\n" in text and "themes:\n  - patient-safety\n" in text


def test_an_answer_that_is_not_utf8_is_refused_and_asked_again(run_line, atlas, refusals):
    typed = b"\xff\xfe Daily safety huddles\n" + "\n".join(PROMPTED[2:]).encode("utf-8") + b"\n"
    result = run_line(["new"], input=typed)
    assert result.exit_code == 0, result.output
    assert refusals[0] == "Title: holds bytes that are not UTF-8; type plain text"


_option_values = st.text(max_size=30) | st.sampled_from(["", " ", "x", "north wst", "Patient safety", "2021-02-30"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--title", "--summary", "--organisation", "--region", "--setting", "--theme",
                               "--commitment", "--published", "--review-by", "--lead-role", "--contact-email",
                               "--slug", "--challenges"]),
       value=_option_values)
def test_any_option_value_is_written_or_refused_naming_the_option(run_line, option, value):
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(SCHEMAS, Path(folder) / "schemas")
        (Path(folder) / "cases").mkdir()
        args = ["new", "--no-input", "--cases", str(Path(folder) / "cases"), "--schemas", str(Path(folder) / "schemas"),
                "--title", "Daily safety huddles on a surgical ward", *OPTIONS, option, value]
        result = run_line(args)
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 2:
            lines = result.stderr.splitlines()
            assert any(line.startswith(f"error: {option}: ") or f" {option}" in line for line in lines), lines
            assert all(line.startswith(("error: --", "error: nothing was written")) for line in lines), lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=20), max_size=30))
def test_any_answers_at_the_prompts_are_refused_naming_the_field(run_line, refusals, answers):
    refusals.clear()
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(SCHEMAS, Path(folder) / "schemas")
        (Path(folder) / "cases").mkdir()
        typed = ("\n".join(answers) + "\n").encode("utf-8", "surrogatepass")  # a lone surrogate: bytes not UTF-8
        result = run_line(["new", "--cases", str(Path(folder) / "cases"), "--schemas", str(Path(folder) / "schemas")],
                          input=typed)
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
        assert all(re.match(FIELDS, message) for message in refusals), refusals
        assert all(len(message.splitlines()) == 1 for message in refusals), refusals
