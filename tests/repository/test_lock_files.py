"""The lock files pin, with hashes, versions that pyproject.toml and package.json admit.

``make`` installs requirements/test.txt and the GitHub workflows requirements/atlas.txt, both with
``pip install --require-hashes``; the browser tests' packages come from tests/browser/package-lock.json
with ``npm ci``. When pyproject.toml gains or changes a dependency, these tests fail until
``make lock`` has been run (and npm's lock refreshed with ``npm install``). They read the
repository's own files, not what is installed; only the vendored copies of the browser libraries
the submission form loads are compared with npm's, when npm has installed them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from repository_files import ROOT, expand, make_recipe, makefile

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REQUIREMENTS = ROOT / "requirements"
ATLAS_LOCK = REQUIREMENTS / "atlas.txt"
TEST_LOCK = REQUIREMENTS / "test.txt"
TOOL_LOCK = REQUIREMENTS / "uv.txt"
BROWSER = ROOT / "tests" / "browser"
VENDOR = ROOT / "plugins" / "learning_atlas" / "mkdocs_plugin" / "assets" / "atlas" / "vendor"
"""The browser libraries the submission form loads, copied from the packages npm's lock pins."""
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def _pinned(lock: Path) -> list[tuple[Requirement, list[str]]]:
    """Each requirement of a lock file, with its hashes: continuation lines joined, comments dropped."""
    entries, logical = [], ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        logical += line.rstrip().removesuffix("\\")
        if line.rstrip().endswith("\\"):
            continue
        if logical.strip():
            text, *hashes = re.split(r"\s+(?=--hash=)", logical.strip())
            assert not text.startswith("-"), f"{lock.name}: {text!r}: a lock file holds only pinned packages"
            entries.append((Requirement(text), hashes))
        logical = ""
    return entries


def _versions(lock: Path) -> dict[str, set[Version]]:
    versions: dict[str, set[Version]] = {}
    for requirement, _ in _pinned(lock):
        (pin,) = requirement.specifier
        versions.setdefault(canonicalize_name(requirement.name), set()).add(Version(pin.version))
    return versions


def _build_backend() -> list[str]:
    return PYPROJECT["build-system"]["requires"]


LOCKS = {
    # What each lock must hold: the atlas (and its build backend) for the workflows; that and the
    # test extra for make.
    ATLAS_LOCK: [*PYPROJECT["project"]["dependencies"], *_build_backend()],
    TEST_LOCK: [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["test"],
        *_build_backend(),
    ],
}


@pytest.mark.parametrize("lock", [ATLAS_LOCK, TEST_LOCK, TOOL_LOCK], ids=lambda p: p.name)
def test_every_package_is_pinned_to_one_version_with_hashes(lock):
    entries = _pinned(lock)
    assert entries, f"{lock.name} pins nothing"
    for requirement, hashes in entries:
        specifiers = list(requirement.specifier)
        assert requirement.url is None, f"{lock.name}: {requirement}: install from the index, not a URL"
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{lock.name}: {requirement} is not pinned"
        assert "*" not in specifiers[0].version, f"{lock.name}: {requirement} is not one version"
        assert hashes and all(_HASH.fullmatch(h) for h in hashes), f"{lock.name}: {requirement} has no sha256 hash"


@pytest.mark.parametrize("lock", sorted(LOCKS), ids=lambda p: p.name)
def test_each_lock_pins_every_dependency_at_a_version_pyproject_admits(lock):
    versions = _versions(lock)
    for text in LOCKS[lock]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # not needed where the tests run
        assert name in versions, f"{lock.name} does not pin {requirement.name} ({text!r}): run make lock"
        for version in versions[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock.name} pins {requirement.name} {version}, which {text!r} does not admit: run make lock"
            )


def test_the_atlas_lock_pins_the_same_versions_as_the_test_lock():
    """The workflows build the site with what the tests ran with."""
    atlas, test = _versions(ATLAS_LOCK), _versions(TEST_LOCK)
    assert set(atlas) <= set(test), set(atlas) - set(test)
    for name, versions in atlas.items():
        assert versions == test[name], name


def test_make_installs_the_test_lock_with_hashes_and_reinstalls_when_a_lock_changes():
    variables, text = makefile()
    rule = re.search(r"^\$\(STAMP\):([^\n]*)\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    assert rule, "the Makefile has no $(STAMP) rule"
    prerequisites = expand(rule.group(1).replace("|", " "), variables)
    assert {"pyproject.toml", str(ATLAS_LOCK.relative_to(ROOT)), str(TEST_LOCK.relative_to(ROOT))} <= set(prerequisites)
    recipe = rule.group(2)
    assert re.search(r"pip install .*--require-hashes -r requirements/test\.txt", recipe), recipe
    assert re.search(r"pip install .*--no-build-isolation --no-deps -e \.", recipe), recipe
    assert "--upgrade" not in recipe, "pip installs the locked versions, and only those"


def test_make_lock_refreshes_every_lock_file():
    written = set(re.findall(r"-o (\S+)", make_recipe("lock")))
    assert written == {str(p.relative_to(ROOT)) for p in (ATLAS_LOCK, TEST_LOCK, TOOL_LOCK)}
    for lock in (ATLAS_LOCK, TEST_LOCK, TOOL_LOCK):
        header = lock.read_text(encoding="utf-8").splitlines()[:2]
        assert header[-1].strip("# ") == "make lock", f"{lock.name} says another command made it: {header}"


# --- npm --------------------------------------------------------------------------------------


def _npm_admits(spec: str, version: str) -> bool:
    """npm's meaning of the ranges package.json writes: exact, ^ and ~ (a prerelease only exactly)."""
    if re.fullmatch(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?", spec):
        return spec == version
    match = re.fullmatch(r"([\^~])(\d+)\.(\d+)\.(\d+)", spec)
    found = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    assert match, f"package.json: write {spec!r} as an exact version, or ^ or ~ and one"
    if not found:
        return False
    low, have = tuple(map(int, match.groups()[1:])), tuple(map(int, found.groups()))
    if match.group(1) == "~":
        same = 2
    else:  # ^: the left-most non-zero part stays
        same = next((i + 1 for i, part in enumerate(low) if part), 3)
    return have >= low and have[:same] == low[:same]


@pytest.mark.parametrize("spec, version, admitted", [
    ("4.11.1", "4.11.1", True), ("4.11.1", "4.11.2", False),
    ("^4.11.1", "4.12.0", True), ("^4.11.1", "5.0.0", False), ("^4.11.1", "4.11.0", False),
    ("^0.2.3", "0.2.9", True), ("^0.2.3", "0.3.0", False), ("~1.2.3", "1.2.9", True), ("~1.2.3", "1.3.0", False),
])
def test_npm_ranges_are_read_as_npm_reads_them(spec, version, admitted):
    assert _npm_admits(spec, version) is admitted


def test_the_npm_lock_pins_what_package_json_names_with_hashes():
    package = json.loads((BROWSER / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((BROWSER / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["lockfileVersion"] >= 2, "npm ci reads the packages section of lockfileVersion 2 and later"
    root = lock["packages"][""]
    for group in ("dependencies", "devDependencies", "optionalDependencies"):
        named = package.get(group, {})
        # npm ci refuses a lock whose root differs from package.json: run npm install to refresh it.
        assert root.get(group, {}) == named, f"package-lock.json's {group} are not package.json's: run npm install"
        for name, spec in named.items():
            entry = lock["packages"].get(f"node_modules/{name}")
            assert entry, f"package-lock.json does not pin {name}"
            assert _npm_admits(spec, entry["version"]), f"package-lock.json pins {name} {entry['version']}, not {spec}"
    for path, entry in lock["packages"].items():
        if path and not entry.get("link"):
            assert entry.get("version"), path
            assert re.fullmatch(r"sha512-[A-Za-z0-9+/]+=*", entry.get("integrity", "")), f"{path} has no sha512 hash"


def test_vendored_libraries_are_the_recorded_versions_with_their_licences():
    versions = json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))
    package = json.loads((BROWSER / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((BROWSER / "package-lock.json").read_text(encoding="utf-8"))
    for file, packages in versions.items():
        assert (VENDOR / file).is_file(), file
        for entry in packages:
            name, version = entry["package"], entry["version"]
            assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
            if name in package["devDependencies"]:
                assert package["devDependencies"][name] == version, f"{name}: not pinned to {version}"
            licence = VENDOR / entry["licenseFile"]
            assert licence.is_file() and licence.stat().st_size > 500, f"{name}: no licence file"
    copied = {"marked.umd.js": "marked/lib/marked.umd.js", "purify.min.js": "dompurify/dist/purify.min.js"}
    for file, source in copied.items():
        original = BROWSER / "node_modules" / source
        if original.is_file():  # installed: the vendored copy is the package's own file
            assert (VENDOR / file).read_bytes() == original.read_bytes(), file
