"""``builds_on``: the rules between cases that say which cases they build on.

A case may name the cases its work builds on (``builds_on: [{case: <slug>, how, note}]``). The
schema checks each entry's form; here, with every case of the check in hand, each named case must
exist (or be redirected to one by some case's ``redirect_from``: a warning to write the new slug),
not be the case itself, not be named twice, and the links must not go round in a cycle. Each
problem is on the line of the entry at fault.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence

from learning_atlas.contract.loader import SLUG_PATTERN, LoadedCase
from learning_atlas.contract.problems import Problem, Severity

HOW = ("adopted", "adapted", "inspired")
"""How a case took up another's change, as ``builds_on[].how`` says it (the schema's enum)."""


@dataclass(frozen=True)
class BuildsOnLink:
    """One ``builds_on`` entry as written: its place in the list and the slug it names."""

    index: int
    slug: str
    line: int
    column: int


def links_of(case: LoadedCase) -> list[BuildsOnLink]:
    """The entries of a case's ``builds_on`` whose ``case`` is a slug and that the schema found no fault in."""
    entries = case.data.get("builds_on")
    if not isinstance(entries, list) or len(case.builds_on_positions) != len(entries):
        return []
    faulty = {p.key.split("]", 1)[0] + "]" for p in case.problems if p.key.startswith("builds_on[")}
    links = []
    for index, entry in enumerate(entries):
        if f"builds_on[{index}]" in faulty:
            continue  # the entry's own problem (a bad 'how', say) is the one to fix first
        slug = entry.get("case") if isinstance(entry, dict) else None
        if isinstance(slug, str) and SLUG_PATTERN.match(slug):
            line, column = case.builds_on_positions[index]
            links.append(BuildsOnLink(index, slug, line, column))
    return links


def entries_equal(case: LoadedCase, first: int, second: int) -> bool:
    """Whether two entries of a case's ``builds_on`` are the same, key for key."""
    entries = case.data["builds_on"]
    return entries[first] == entries[second]


def redirect_targets(cases: Iterable[LoadedCase]) -> dict[str, str]:
    """``{old slug: slug of the case it now leads to}`` from every case's ``redirect_from``."""
    targets: dict[str, str] = {}
    for case in cases:
        redirects = case.data.get("redirect_from")
        if isinstance(redirects, list):
            for old in redirects:
                if isinstance(old, str):
                    targets.setdefault(old, case.slug)
    return targets


def builds_on_problems(cases: Sequence[LoadedCase]) -> list[Problem]:
    """Every problem with the cases' ``builds_on`` links, each on the line of the entry at fault."""
    owners: dict[str, LoadedCase] = {}
    for case in cases:
        owners.setdefault(case.slug, case)
    redirects = {old: new for old, new in redirect_targets(cases).items() if old not in owners}
    problems: list[Problem] = []
    edges: dict[str, list[tuple[str, LoadedCase, BuildsOnLink]]] = {}
    for case in cases:
        if owners[case.slug] is not case:
            continue  # a second file with the same slug: that is the error to fix first
        seen: dict[str, int] = {}
        for link in links_of(case):
            def problem(message: str, rule: str, severity: Severity = Severity.ERROR) -> Problem:
                return Problem(case.path, link.line, link.column, severity, f"builds_on[{link.index}].case", message, rule)

            target = link.slug
            if target not in owners and target in redirects:
                target = redirects[target]
                if target != case.slug:
                    problems.append(problem(
                        f"{link.slug!r} was renamed to {target!r} (its redirect_from keeps the old slug); "
                        f"write {target!r} here",
                        "builds_on.redirected", Severity.WARNING,
                    ))
            if target == case.slug:
                whose = "this case's own slug" if link.slug == case.slug else "an old slug of this case"
                problems.append(problem(f"{link.slug!r} is {whose}; a case cannot build on itself", "builds_on.self"))
                continue
            if target not in owners:
                problems.append(problem(_unknown_message(link.slug, case.slug, owners, redirects), "builds_on.unknown"))
                continue
            if target in seen:
                if entries_equal(case, seen[target], link.index):
                    continue  # the schema's uniqueItems reports an entry written twice
                again = "" if target == link.slug else f" (as {target!r})"
                problems.append(problem(
                    f"{link.slug!r}{again} is listed already, as builds_on[{seen[target]}]; list each case once",
                    "builds_on.duplicate",
                ))
                continue
            seen[target] = link.index
            edges.setdefault(case.slug, []).append((target, case, link))
    problems.extend(_cycle_problems(edges))
    return problems


def _unknown_message(slug: str, own: str, owners: dict[str, LoadedCase], redirects: dict[str, str]) -> str:
    candidates = [s for s in (*owners, *redirects) if s != own]
    match = difflib.get_close_matches(slug, candidates, n=1, cutoff=0.75)
    if match:
        return f"{slug!r} is not a case in this atlas; did you mean {match[0]!r}?"
    return f"{slug!r} is not a case in this atlas; write the slug of a case in cases/ (its file name without .md)"


def _cycle_problems(edges: dict[str, list[tuple[str, LoadedCase, BuildsOnLink]]]) -> list[Problem]:
    """One error for each group of cases whose links go round in a cycle, on the link that starts it.

    The cycle is named by its path (``a → b → a``), from the group's first slug in alphabetical
    order, so the report is the same whichever file is read first.
    """
    problems = []
    for group in _strongly_connected(edges):
        start = min(group)
        path = _cycle_through(start, group, edges)
        first = path[1]
        _, case, link = next(edge for edge in edges[start] if edge[0] == first)
        problems.append(Problem(
            case.path, link.line, link.column, Severity.ERROR, f"builds_on[{link.index}].case",
            f"{link.slug!r} makes a cycle: {' → '.join(path)}; a case cannot build on a case that builds on it, "
            "so remove one of these links",
            "builds_on.cycle",
        ))
    return problems


def _strongly_connected(edges: dict[str, list[tuple[str, LoadedCase, BuildsOnLink]]]) -> list[set[str]]:
    """The groups of two or more slugs that each reach every other (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = [t for t, _, _ in edges.get(node, ())]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(groups, key=min)


def _cycle_through(start: str, group: set[str], edges: dict[str, list[tuple[str, LoadedCase, BuildsOnLink]]]) -> list[str]:
    """The shortest path of links from ``start`` back to it inside ``group`` (breadth first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target, _, _ in edges.get(node, ()):
                if target not in group:
                    continue
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return [start, start]  # pragma: no cover - a group always has a cycle through each member
