"""The index update and key terms run in a background process; any failure means facets only, said once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from conftest import MINIMAL_CASE
from learning_atlas.related_terms import KeyTermsJob, _update_and_weigh

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"


def _cases(tmp_path: Path, count: int = 3) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    text = MINIMAL_CASE.read_text(encoding="utf-8")
    for n in range(count):
        title = f"title: Daily safety huddles on surgical ward {n} with handover notes"
        (cases / f"case-{n}.md").write_text(
            text.replace("title: Daily safety huddles on an example surgical ward", title), encoding="utf-8"
        )
    return cases


def test_the_job_returns_key_terms_for_every_case(tmp_path):
    cases = _cases(tmp_path)
    terms, notes = KeyTermsJob(cases, tmp_path / ".atlas" / "index", SCHEMAS).result()
    assert terms is not None and set(terms) == {"case-0", "case-1", "case-2"}
    assert notes == []


def test_an_index_that_cannot_be_written_means_facets_only_with_the_reason(tmp_path):
    cases = _cases(tmp_path)
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the index folder's parent should be")
    terms, notes = KeyTermsJob(cases, blocker / "index", SCHEMAS).result()
    assert terms is None
    assert len(notes) == 1 and notes[0].startswith("related cases use shared facets only this time: ")


def test_a_process_that_dies_means_facets_only_never_a_hang(tmp_path, monkeypatch):
    cases = _cases(tmp_path)

    def die(sender, *args):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr("learning_atlas.related_terms._update_and_weigh", die)
    terms, notes = KeyTermsJob(cases, tmp_path / "index", SCHEMAS).result()
    assert terms is None
    assert "stopped" in notes[0] and "facets only" in notes[0]


def test_cancel_stops_the_process(tmp_path, monkeypatch):
    def forever(sender, *args):
        import time

        time.sleep(600)

    monkeypatch.setattr("learning_atlas.related_terms._update_and_weigh", forever)
    job = KeyTermsJob(_cases(tmp_path), tmp_path / "index", SCHEMAS)
    job.cancel()
    assert not job._process.is_alive()
    assert _update_and_weigh is not forever
