"""The index update, key terms and related lists run in a background process.

It must give what relating in the build's own process would give, and any failure
means related lists by shared facets, said once, never a hang or a crash.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from conftest import MINIMAL_CASE
from learning_atlas.contract.case import Case
from learning_atlas.contract.checker import check_paths
from learning_atlas.contract.schema import load_case_schema
from learning_atlas.processes.background import process_start_time
from learning_atlas.search.key_terms import RelatedListsJob, key_terms
from learning_atlas.site.model import Atlas

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
TOPICS = ["handover notes huddle", "falls pressure ulcers", "video consultation clinic", "handover huddle board"]


def _cases(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    cases.mkdir()
    text = MINIMAL_CASE.read_text(encoding="utf-8")
    for n, topic in enumerate(TOPICS):
        (cases / f"case-{n}.md").write_text(
            text.replace("title: Daily safety huddles on an example surgical ward", f"title: Ward {n} on {topic}")
            + f"\n{topic} {topic} quality improvement\n",
            encoding="utf-8",
        )
    return cases


def _atlas(cases: Path) -> Atlas:
    loaded = check_paths([cases], load_case_schema(SCHEMAS)).cases
    return Atlas([Case.from_loaded(c) for c in loaded], load_case_schema(SCHEMAS).vocabularies, relate=False)


def test_the_job_relates_as_the_build_itself_would(tmp_path):
    cases = _cases(tmp_path)
    index = tmp_path / ".atlas" / "index"
    atlas = _atlas(cases)
    job = RelatedListsJob(cases, index, SCHEMAS, atlas.related_count)
    job.send(atlas.relate_entries())
    related, notes = job.result()
    assert notes == []
    in_process = _atlas(cases)
    in_process.relate(key_terms(index))
    assert related == {case.slug: [other.slug for other in case.related] for case in in_process.cases}
    assert all(slug not in others for slug, others in related.items())


def test_an_index_that_cannot_be_written_means_facets_only_with_the_reason(tmp_path):
    cases = _cases(tmp_path)
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the index folder's parent should be")
    job = RelatedListsJob(cases, blocker / "index", SCHEMAS, 5)
    job.send(_atlas(cases).relate_entries())
    related, notes = job.result()
    assert related is None
    assert len(notes) == 1 and notes[0].startswith("related cases use shared facets only this time: ")


def test_a_process_that_dies_means_facets_only_never_a_hang(tmp_path, monkeypatch):
    def die(connection, *args):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr("learning_atlas.search.key_terms._index_and_relate", die)
    cases = _cases(tmp_path)
    job = RelatedListsJob(cases, tmp_path / "index", SCHEMAS, 5)
    job.send(_atlas(cases).relate_entries())
    related, notes = job.result()
    assert related is None
    assert "stopped" in notes[0] and "facets only" in notes[0]


def _pid_written_to(path: Path) -> int:
    """The pid a process writes to ``path``, waited for (a bound on a busy machine, not a measure)."""
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "the job's process never started"
        time.sleep(0.01)
    return int(path.read_text())


def test_cancel_stops_the_process(tmp_path, monkeypatch):
    pid_file = tmp_path / "pid"

    def forever(connection, *args):
        (tmp_path / "pid.tmp").write_text(str(os.getpid()))
        os.replace(tmp_path / "pid.tmp", pid_file)
        time.sleep(600)

    monkeypatch.setattr("learning_atlas.search.key_terms._index_and_relate", forever)
    job = RelatedListsJob(_cases(tmp_path), tmp_path / "index", SCHEMAS, 5)
    pid = _pid_written_to(pid_file)
    assert process_start_time(pid) is not None
    job.cancel()
    assert process_start_time(pid) is None, "the job's process still runs after cancel()"


def test_an_index_a_killed_writer_left_is_rebuilt_with_a_note(tmp_path):
    cases = _cases(tmp_path)
    index = tmp_path / ".atlas" / "index"
    first = RelatedListsJob(cases, index, SCHEMAS, 5)
    first.send(_atlas(cases).relate_entries())
    expected, _ = first.result()
    # What a writer killed part-way leaves: Whoosh's temporary folder and table of contents,
    # a segment nobody lists, and the state file it had not yet renamed into place.
    (index / "MAIN.tmp").mkdir()
    (index / "MAIN.tmp" / "MAIN_a1b2c3.trm").write_bytes(b"\0" * 64)
    (index / "_MAIN_2.toc.1700000000.5").write_bytes(b"\0" * 16)
    (index / "MAIN_a1b2c3d4e5f6g7h8.seg").write_bytes(b"\0" * 64)
    (index / "atlas-index.json.99999.tmp").write_text('{"layout": ')
    job = RelatedListsJob(cases, index, SCHEMAS, 5)
    job.send(_atlas(cases).relate_entries())
    related, notes = job.result()
    assert related == expected
    assert notes == [f"search index: {index}: an earlier build was stopped while it updated the index, so it was rebuilt"]
    names = sorted(p.name for p in index.iterdir())
    assert not [n for n in names if n.startswith("MAIN.tmp") or ".toc." in n or n.endswith(".tmp") or "a1b2c3" in n]
    again = RelatedListsJob(cases, index, SCHEMAS, 5)
    again.send(_atlas(cases).relate_entries())
    assert again.result() == (expected, [])
