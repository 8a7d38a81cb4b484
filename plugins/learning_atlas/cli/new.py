"""``atlas new``: start a case study from answers to questions, or from options for scripts.

Each answer is checked as it is given, with the rules of ``atlas check``; a refusal names the
question (at a prompt) or the option (``--title: is too short ...``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from learning_atlas.cli.options import atlas_folders, cases_option, fail, load_schema, schemas_option
from learning_atlas.contract.problems import one_line

if TYPE_CHECKING:
    from learning_atlas.contract.schema import CaseSchema
    from learning_atlas.editors.new_case import CaseAnswers


_FLAG_FOR_KEY = {
    "title": "--title", "summary": "--summary", "organisations": "--organisation", "region": "--region",
    "settings": "--setting", "themes": "--theme", "commitments": "--commitment", "published": "--published",
    "review_by": "--review-by", "status": "--status", "lead.role": "--lead-role", "lead.name": "--lead-name",
    "contact.name": "--contact-name", "contact.role": "--contact-role",
    "contact.organisation": "--contact-organisation", "contact.email": "--contact-email",
    "leading_change": "--leading-change", "where_to_look": "--where-to-look", "what_to_change": "--what-to-change",
    "how_to_change": "--how-to-change", "adding_value.better_outcomes": "--better-outcomes",
    "adding_value.better_experience": "--better-experience",
    "adding_value.better_use_of_resources": "--better-use-of-resources", "challenges": "--challenges",
}
"""The option that sets each front-matter key, to name it in an error."""

_REQUIRED = (
    ("title", "--title"), ("organisations", "--organisation"), ("region", "--region"), ("settings", "--setting"),
    ("themes", "--theme"), ("lead_role", "--lead-role"), ("contact_name", "--contact-name"),
    ("contact_email", "--contact-email"),
)
"""The answers a case cannot be scaffolded without (prose gets placeholders; published defaults to today)."""


def _key_of(problem_key: str) -> str:
    """``organisations[1]`` -> ``organisations``: the key an option sets."""
    return re.sub(r"\[\d+\]", "", problem_key)


def _text_option(name: str, help_text: str, *, multiple: bool = False, metavar: str = "TEXT"):
    return click.option(name, metavar=metavar, multiple=multiple, default=None, help=help_text)


_NEW_OPTIONS = [
    _text_option("--title", "The case study's title, 10 to 160 characters; the slug is made from it."),
    _text_option("--slug", "The file name without .md (default: made from the title).", metavar="SLUG"),
    _text_option("--summary", "The plain-text summary, 40 to 400 characters (default: a placeholder)."),
    _text_option("--organisation", "An organisation's full name (repeat for each).", multiple=True, metavar="NAME"),
    _text_option("--region", "The region: its slug or label.", metavar="REGION"),
    _text_option("--setting", "A care setting: slug or label (repeat for each).", multiple=True, metavar="SETTING"),
    _text_option("--theme", "A theme: slug or label (repeat for each).", multiple=True, metavar="THEME"),
    _text_option("--commitment", "A commitment's number, 1 to 10 (repeat for each).", multiple=True, metavar="N"),
    _text_option("--published", "The date first published, YYYY-MM-DD (default: today).", metavar="DATE"),
    _text_option("--review-by", "The date editors should review it by, YYYY-MM-DD.", metavar="DATE"),
    click.option("--status", type=click.Choice(("published", "draft")), default=None,
                 help="published (the default) or draft (shown only on 'mkdocs serve')."),
    _text_option("--lead-role", "The role of who led the change, e.g. 'Mental Health Nurse'.", metavar="ROLE"),
    _text_option("--lead-name", "The lead's name, if they agreed to be named.", metavar="NAME"),
    _text_option("--contact-name", "Who readers contact: a person's or team's name.", metavar="NAME"),
    _text_option("--contact-email", "The contact's email address, e.g. team@example.org.", metavar="EMAIL"),
    _text_option("--contact-role", "The contact's role.", metavar="ROLE"),
    _text_option("--contact-organisation", "The contact's organisation.", metavar="NAME"),
    _text_option("--leading-change", "Markdown for 'Leading change' (default: a placeholder)."),
    _text_option("--where-to-look", "Markdown for 'Where to look' (default: a placeholder)."),
    _text_option("--what-to-change", "Markdown for 'What to change' (default: a placeholder)."),
    _text_option("--how-to-change", "Markdown for 'How to change' (default: a placeholder)."),
    _text_option("--better-outcomes", "Markdown for adding value: better outcomes (default: a placeholder)."),
    _text_option("--better-experience", "Markdown for adding value: better experience (default: a placeholder)."),
    _text_option("--better-use-of-resources", "Markdown for adding value: better use of resources (default: a placeholder)."),
    _text_option("--challenges", "Markdown for 'Challenges and lessons learnt' (default: a placeholder)."),
    click.option("--consent-confirmed", is_flag=True, default=None,
                 help="The people and organisations named have agreed to publication."),
    click.option("--no-input", is_flag=True, help="Never ask a question: take everything from the options."),
    click.option("--collection", is_flag=True,
                 help="Start a learning collection, collections/<slug>.yaml, instead of a case (--title, --slug, "
                      "--purpose, --case)."),
    _text_option("--purpose", "With --collection: what the collection is for (default: a placeholder)."),
    _text_option("--case", "With --collection: a case's slug to read, in order (repeat for each).", multiple=True,
                 metavar="SLUG"),
    cases_option,
    schemas_option,
]


def _new_options(function):
    for option in reversed(_NEW_OPTIONS):
        function = option(function)
    return function


@click.command()
@_new_options
def new(no_input: bool, cases_dir: Path | None, schema_dir: Path | None, **values: object) -> None:
    """Start a new case study: write cases/<slug>.md from a few answers.

    Asks for the title, organisations, region, care settings, themes,
    commitments, dates, lead and contact, listing each vocabulary's terms
    (answer with a number, a slug or a label), or takes them from the options
    (with --no-input it never asks: scripts give every required option). The
    slug is made from the title (accents folded, lower-case, hyphens; --slug
    to choose it). An existing case is never overwritten, and a slug that
    another case keeps in redirect_from is refused.

    The prose fields not given as options are left holding placeholder text:
    lines starting 'TODO:'. 'atlas check' reports each one as an error until
    it is replaced, and the case passes once they are (and consent is
    confirmed). Exit status: 0 written, 1 the slug is taken (nothing written),
    2 usage error or an invalid value (nothing written).

    With --collection it starts a learning collection instead: it writes
    collections/<slug>.yaml (beside the cases folder) from the title, the
    purpose and the cases to read (--case, each a case's slug, in reading
    order), leaving a placeholder note on each case for you to write.
    """
    from learning_atlas.editors.new_case import CaseAnswers, ScaffoldError, render_case, slug_owner, write_case

    folders = atlas_folders(cases_dir, schema_dir)
    collection = (values.pop("collection"), values.pop("purpose"), values.pop("case"))
    if collection[0]:
        return _new_collection(no_input, values, collection[1], list(collection[2] or ()), folders)
    if collection[1] is not None or collection[2]:
        fail("--purpose and --case are for a learning collection: add --collection; nothing was written", 2)
    folder = folders.cases
    case_schema = load_schema(folders.schemas)
    answers = CaseAnswers()
    _stop_on(_answers_from_options(answers, values, case_schema))
    if no_input:
        answers.published = answers.published or dt.date.today().isoformat()
        missing = [flag for attribute, flag in _REQUIRED if not getattr(answers, attribute)]
        if missing:
            fail(f"--no-input needs {', '.join(missing)} (see 'atlas new --help'); nothing was written", 2)
        _stop_on(_answer_problems(answers, case_schema))  # a bad --title before the slug made from it
        _settle_slug(answers, values.get("slug"), folder, interactive=False)
    else:
        click.echo("A new case study: answer each question (the prose sections are left for you to write in the file).")
        _keep_undecodable_input()
        try:
            _ask(answers, values, folder, case_schema)
        except click.Abort:
            click.echo()  # end the unanswered question's line
            fail(
                "the input ended before every question was answered; nothing was written. To create a case "
                "without questions, give its fields as options with --no-input (see 'atlas new --help')",
                2,
            )
    _stop_on(_answer_problems(answers, case_schema))
    owner = slug_owner(folder, answers.slug)
    if owner is not None:
        fail(f"{owner}; {_TAKEN}", 1)
    path = folder / f"{answers.slug}.md"
    try:
        write_case(path, render_case(answers))
    except ScaffoldError as exc:
        fail(f"{exc}; {_TAKEN}", 1)
    except OSError as exc:
        fail(f"could not write {path}: {exc.strerror or exc}", 1)
    _report_new_case(path, answers)


def _stop_on(messages: list[str]) -> None:
    """Print each message as an error and exit 2 saying nothing was written; nothing when there are none."""
    if messages:
        for message in messages:
            click.echo(f"error: {one_line(message)}", err=True)
        fail("nothing was written", 2)


def _about(name: str, message: object) -> str:
    """A message about one field, naming it first as ``atlas check`` names a key: ``--title: is too short ...``."""
    return f"{name}: {message}"


def _answer_problems(answers: CaseAnswers, case_schema: CaseSchema) -> list[str]:
    """What ``atlas check`` would say of the answers (but placeholders and consent), naming the option at fault."""
    from learning_atlas.editors.new_case import check_answers

    messages = []
    for problem in check_answers(answers, case_schema):
        key = _key_of(problem.key)
        messages.append(_about(_FLAG_FOR_KEY.get(key, problem.key or "the case"), problem.message))
    return messages


def _answers_from_options(answers: CaseAnswers, values: dict[str, object], case_schema: CaseSchema) -> list[str]:
    """Fill ``answers`` from the options given; what is wrong with any of them, each naming its option."""
    from learning_atlas.contract.placeholders import PROSE_FIELDS
    from learning_atlas.editors.new_case import ScaffoldError, choose_term, clean_text

    vocabularies = case_schema.vocabularies
    errors: list[str] = []

    def cleaned(flag: str, value: object) -> str:
        try:
            return clean_text(str(value))
        except ScaffoldError as exc:
            errors.append(_about(flag, exc))
            return ""

    def text(name: str) -> str:
        value = values.get(name)
        if value is None:
            return ""
        flag = "--" + name.replace("_", "-")
        given = cleaned(flag, value)
        if not given and str(value).strip() == "":
            errors.append(_about(flag, "is empty; give its text or leave the option out"))
        return given

    def terms(name: str, vocabulary: str) -> list:
        given = values.get(name)
        chosen = []
        for value in (given,) if isinstance(given, str) else given or ():
            if not str(value).strip():
                errors.append(_about(f"--{name}", "is empty; give a slug or label, or leave the option out"))
                continue
            try:
                term = choose_term(vocabularies[vocabulary], clean_text(str(value)))
            except ScaffoldError as exc:
                errors.append(_about(f"--{name}", exc))
                continue
            if term.slug not in chosen:
                chosen.append(term.slug)
        return chosen

    answers.title = text("title")
    answers.summary = text("summary")
    answers.organisations = []
    for value in values.get("organisation") or ():
        name = cleaned("--organisation", value)
        if name and name not in answers.organisations:
            answers.organisations.append(name)
    regions = terms("region", "regions")
    answers.region = regions[0] if regions else ""
    answers.settings = terms("setting", "settings")
    answers.themes = terms("theme", "themes")
    answers.commitments = terms("commitment", "commitments")
    answers.published = text("published")
    answers.review_by = text("review_by")
    answers.status = str(values.get("status") or "published")
    for attribute in ("lead_role", "lead_name", "contact_name", "contact_email", "contact_role", "contact_organisation"):
        setattr(answers, attribute, text(attribute))
    for key in PROSE_FIELDS:
        given = text(key.split(".")[-1])
        if given:
            answers.prose[key] = given
    answers.consent_confirmed = bool(values.get("consent_confirmed"))
    return errors


_TAKEN = "'atlas new' never overwrites a case or takes an old address: give another slug with --slug. Nothing was written"


def _settle_slug(answers: CaseAnswers, given: object, folder: Path, *, interactive: bool) -> None:
    """Choose the slug: --slug, or one made from the title; asks again (or fails) when it cannot be used."""
    from learning_atlas.editors.new_case import free_slug, slug_from_title, slug_owner, slug_problem

    if given:
        slug = str(given).strip()
        problem = slug_problem(slug)
        if problem:
            fail(_about("--slug", problem), 2)
        owner = slug_owner(folder, slug)
        if owner:
            fail(f"{owner}; {_TAKEN}", 1)
        answers.slug = slug
        return
    slug = slug_from_title(answers.title)
    if slug is None:
        message = (
            f"cannot make a slug from the title {answers.title!r}: it has fewer than 3 letters or digits "
            "once accents and symbols are dropped"
        )
        if not interactive:
            fail(f"{message}; give one with --slug", 2)
        click.echo(f"{message}.")
        answers.slug = _prompt_slug(folder, default=None)
        return
    owner = slug_owner(folder, slug)
    if owner is None:
        answers.slug = slug
    elif not interactive:
        fail(f"{owner}; {_TAKEN}", 1)
    else:
        click.echo(f"The slug {slug!r} is taken: {owner}.")
        answers.slug = _prompt_slug(folder, default=free_slug(folder, slug))


def _prompt_slug(folder: Path, *, default: str | None) -> str:
    from learning_atlas.editors.new_case import slug_owner, slug_problem

    def check(value: str) -> str:
        value = value.strip()
        problem = slug_problem(value) or slug_owner(folder, value)
        if problem:
            raise click.BadParameter(_about("Slug", problem))
        return value

    return click.prompt("Slug (the file name, without .md)", default=default, value_proc=check)


def _keep_undecodable_input() -> None:
    """Read answers that are not UTF-8 as text holding their bytes (``surrogateescape``), as the ``C``
    locale does, so that such an answer is refused and asked again instead of failing with a traceback;
    and write those bytes back, should anything echo them, as escapes rather than fail."""
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors=errors)


def _refusal(name: str, message: object) -> click.BadParameter:
    """An answer refused at a prompt; click shows it as ``Error: Title: is too short ...``."""
    return click.BadParameter(one_line(_about(name, message)))


def _ask(answers: CaseAnswers, values: dict[str, object], folder: Path, case_schema: CaseSchema) -> None:
    """Ask for every field the options left out, checking each answer as it is given.

    Each refusal names the field (``Title: is too short (1 character); write at least 10``).
    """
    from learning_atlas.editors.new_case import ScaffoldError, choose_term, clean_text, split_choices

    vocabularies = case_schema.vocabularies

    def checked(key: str, attribute: str, *, name: str):
        """A value_proc that sets ``attribute`` and refuses what 'atlas check' would refuse at ``key``."""

        def proc(value: str):
            try:
                value = clean_text(value)
            except ScaffoldError as exc:
                raise _refusal(name, exc) from None
            previous = getattr(answers, attribute)
            setattr(answers, attribute, value)
            messages = _problems_at(answers, case_schema, key)
            if messages:
                setattr(answers, attribute, previous)
                raise _refusal(name, "; ".join(messages))
            return value

        return proc

    def listed(vocabulary_name: str) -> None:
        vocabulary = vocabularies[vocabulary_name]
        click.echo(f"{vocabulary.label}:")
        for number, term in enumerate(vocabulary.terms, 1):
            shown = term.label if term.label.startswith(f"Commitment {term.slug}") else f"{term.label} ({term.key})"
            click.echo(f"  {number:>2}  {shown}")

    def choices(vocabulary_name: str, key: str, question: str, *, name: str, many: bool, optional: bool = False):
        listed(vocabulary_name)
        vocabulary = vocabularies[vocabulary_name]

        def proc(value: str):
            chosen: list = []
            try:
                for item in split_choices(value):
                    term = choose_term(vocabulary, item, numbered=True)
                    if term.slug not in chosen:
                        chosen.append(term.slug)
            except ScaffoldError as exc:
                raise _refusal(name, exc) from None
            if not chosen and not optional:
                raise _refusal(name, "choose at least one")
            if not many and len(chosen) > 1:
                raise _refusal(name, "choose one")
            setattr(answers, key, chosen if many else chosen[0])
            messages = _problems_at(answers, case_schema, key)
            if messages:
                raise _refusal(name, "; ".join(messages))
            return chosen

        click.prompt(question, default="" if optional else None, show_default=False, value_proc=proc)

    if not answers.title:
        click.prompt("Title (10 to 160 characters)", value_proc=checked("title", "title", name="Title"))
    _settle_slug(answers, values.get("slug"), folder, interactive=True)
    click.echo(f"The case will be {folder / (answers.slug + '.md')}")
    if not answers.summary:
        click.prompt(
            "Summary (40 to 400 characters of plain text; Enter to leave a placeholder)",
            default="", show_default=False, value_proc=_optional(checked("summary", "summary", name="Summary")),
        )
    if not answers.organisations:
        _ask_organisations(answers, case_schema)
    if not answers.region:
        choices("regions", "region", "Region (a number, slug or label)", name="Region", many=False)
    if not answers.settings:
        choices("settings", "settings", "Care settings (numbers, slugs or labels, separated by commas)",
                name="Care settings", many=True)
    if not answers.themes:
        choices("themes", "themes", "Themes (numbers, slugs or labels, separated by commas)", name="Themes", many=True)
    if not values.get("commitment"):
        choices("commitments", "commitments", "Commitments (numbers separated by commas; Enter for none)",
                name="Commitments", many=True, optional=True)
    if not answers.published:
        click.prompt("Published (YYYY-MM-DD)", default=dt.date.today().isoformat(),
                     value_proc=checked("published", "published", name="Published"))
    if not answers.review_by:
        click.prompt("Review by (YYYY-MM-DD; Enter for none)", default="", show_default=False,
                     value_proc=_optional(checked("review_by", "review_by", name="Review by")))
    if not answers.lead_role:
        click.prompt("Lead's role (e.g. Mental Health Nurse)",
                     value_proc=checked("lead.role", "lead_role", name="Lead's role"))
    if not answers.lead_name and not values.get("lead_name"):
        click.prompt("Lead's name (Enter to leave them unnamed)", default="", show_default=False,
                     value_proc=_optional(checked("lead.name", "lead_name", name="Lead's name")))
    if not answers.contact_name:
        click.prompt("Contact's name (a person or a team)",
                     value_proc=checked("contact.name", "contact_name", name="Contact's name"))
    if not answers.contact_email:
        click.prompt("Contact's email", value_proc=checked("contact.email", "contact_email", name="Contact's email"))
    if not answers.consent_confirmed:
        answers.consent_confirmed = click.confirm(
            "Have the people and organisations named agreed to publication?", default=False
        )


def _optional(proc):
    """A value_proc that lets an empty answer through untouched."""

    def optional(value: str):
        return value if not value.strip() else proc(value)

    return optional


def _ask_organisations(answers: CaseAnswers, case_schema: CaseSchema) -> None:
    from learning_atlas.editors.new_case import ScaffoldError, clean_text

    def proc(value: str) -> str:
        try:
            name = clean_text(value)
        except ScaffoldError as exc:
            raise _refusal("Organisation", exc) from None
        if not name:
            return ""
        if name in answers.organisations:
            raise _refusal("Organisation", f"{name!r} is listed already")
        answers.organisations.append(name)
        messages = _problems_at(answers, case_schema, "organisations")
        if messages:
            answers.organisations.pop()
            raise _refusal("Organisation", "; ".join(messages))
        return name

    click.prompt("Organisation (its full name, e.g. Somerset Partnership NHS Foundation Trust)", value_proc=proc)
    while click.prompt("Another organisation (Enter if none)", default="", show_default=False, value_proc=proc):
        pass


def _problems_at(answers: CaseAnswers, case_schema: CaseSchema, key: str) -> list[str]:
    """What 'atlas check' would say about ``key`` of the answers so far."""
    from learning_atlas.editors.new_case import check_answers

    return [
        p.message for p in check_answers(answers, case_schema)
        if _key_of(p.key) == key or (_key_of(p.key).startswith(key + ".") and key != "")
    ]


def _report_new_case(path: Path, answers: CaseAnswers) -> None:
    """Say what was written and what is left to do."""
    from learning_atlas.contract.placeholders import MARKER

    click.echo(f"Wrote {path}.")
    todo = answers.placeholders
    steps = []
    if todo:
        steps.append(
            f"replace the {len(todo)} placeholder{'s' if len(todo) != 1 else ''} (text starting '{MARKER}') in: "
            + ", ".join(todo)
        )
    if not answers.consent_confirmed:
        steps.append("set consent_confirmed: true once the people and organisations named have agreed")
    steps.append(f"check it: atlas check {path}")
    for number, step in enumerate(steps, 1):
        click.echo(f"  {number}. {step}")


def _new_collection(no_input: bool, values: dict[str, object], purpose: object, cases: list[str], folders) -> None:
    """``atlas new --collection``: write collections/<slug>.yaml from the title, purpose and cases."""
    import difflib

    from learning_atlas.editors.new_case import ScaffoldError, slug_from_title, slug_problem, write_case
    from learning_atlas.editors.new_collection import CollectionAnswers, case_slugs, collection_path, render_collection

    def title_problem(text: str) -> str | None:
        text = " ".join(text.split())
        if not 10 <= len(text) <= 160 or "<" in text or ">" in text:
            return f"{text!r} must be a title of 10 to 160 characters, without < or >"
        return None

    def case_problem(slug: str) -> str | None:
        if slug in known:
            return None
        match = difflib.get_close_matches(slug, known, n=1, cutoff=0.75)
        hint = f"; did you mean {match[0]!r}?" if match else f"; give the slug of a case in {folders.cases}/"
        return f"{slug!r} is not a case{hint}"

    def checked(check):
        def proc(value: str) -> str:
            problem = check(value)
            if problem:
                raise click.BadParameter(problem)
            return value
        return proc

    known = case_slugs(folders.cases)
    answers = CollectionAnswers(title=str(values.get("title") or ""), purpose=str(purpose or ""))
    answers.cases = [c.strip() for c in cases]
    problems = [f"--title: {p}" for p in [title_problem(answers.title)] if answers.title and p]
    problems += [f"--case: {p}" for p in map(case_problem, answers.cases) if p]
    _stop_on(problems)
    if no_input and not answers.title:
        fail("--no-input needs --title (see 'atlas new --help'); nothing was written", 2)
    if not no_input:
        click.echo("A new learning collection: a reading list of case studies, each with a note on why to read it.")
        if not answers.title:
            answers.title = click.prompt("Title", value_proc=checked(title_problem))
        if not purpose:
            answers.purpose = click.prompt("What is it for? (Enter to write it later)", default="", show_default=False)
        if not answers.cases:
            answer = click.prompt("Cases to read, in order: their slugs, separated by commas (Enter to add them later)",
                                  default="", show_default=False,
                                  value_proc=checked(lambda v: next(filter(None, map(case_problem, _slugs(v))), None)))
            answers.cases = _slugs(answer)
    answers.slug = str(values.get("slug") or slug_from_title(answers.title) or "")
    problem = slug_problem(answers.slug)
    if problem:
        fail(f"--slug: {problem}; nothing was written", 2)
    path = collection_path(folders.collections, answers.slug)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_case(path, render_collection(answers))
    except ScaffoldError as exc:
        fail(f"{exc}; 'atlas new' never overwrites a collection: give another slug with --slug. Nothing was written", 1)
    except OSError as exc:
        fail(f"could not write {path}: {exc.strerror or exc}", 1)
    click.echo(f"Wrote {path}.")
    click.echo("  1. replace each placeholder (text starting 'TODO:'): the purpose, and a note on each case")
    click.echo(f"  2. check it: atlas check {folders.collections}")


def _slugs(answer: str) -> list[str]:
    return [part.strip() for part in answer.split(",") if part.strip()]
