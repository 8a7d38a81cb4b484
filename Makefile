# The two commands a fresh machine needs: `make serve` and `make test`.
# Both create .venv and install exact versions from requirements/test.txt (the
# lock file, with a hash for every file), then the project itself; `make lock`
# refreshes the lock files from pyproject.toml.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1:8000
# The site engine: mkdocs, or properdocs (ProperDocs, the fork of MkDocs 1.6 the tests also build
# with): `make ENGINE=properdocs serve`. test and bench pass it on to tests/site_engine.py.
ENGINE  ?= mkdocs
PYTHON3 ?= python3
# What the GitHub workflows install (the atlas) and what make installs (the atlas and its tests).
LOCKS   := requirements/atlas.txt requirements/test.txt
UV      := $(VENV)/bin/uv
# Both locks resolve for every platform and Python 3.11 or later, and pin the build backend
# (pyproject.toml's build-system.requires) too, so that the project installs with
# --no-build-isolation and nothing unpinned is fetched. LOCK_OPTIONS=--upgrade takes the newest
# versions pyproject.toml admits; without it make lock keeps every pin it can.
COMPILE := $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_OPTIONS)
BUILD_REQUIRES := $(PYTHON) -c 'import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'

.PHONY: install lock serve build test check schema bench clean

install: $(STAMP)

$(VENV)/bin/python:
	@$(PYTHON3) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "make: the atlas needs Python 3.11 or later; $(PYTHON3) is $$($(PYTHON3) --version)" >&2; exit 1; }
	$(PYTHON3) -m venv $(VENV)

# pip as the venv has it (no upgrade from the network); --require-hashes refuses any file
# whose hash the lock does not give, and any package the lock does not pin.
$(STAMP): pyproject.toml $(LOCKS) | $(VENV)/bin/python
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements/test.txt
	$(PYTHON) -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

$(UV): requirements/uv.txt | $(VENV)/bin/python
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements/uv.txt
	touch $(UV)

lock: $(UV)       ## refresh requirements/*.txt from pyproject.toml (LOCK_OPTIONS=--upgrade for the newest)
	$(BUILD_REQUIRES) | $(COMPILE) pyproject.toml - --extra test -o requirements/test.txt
	$(BUILD_REQUIRES) | $(COMPILE) pyproject.toml - --constraint requirements/test.txt -o requirements/atlas.txt
	echo uv | $(COMPILE) - -o requirements/uv.txt

# atlas serve rebuilds only what a save changes (learning_atlas/mkdocs_plugin/serve.py)
serve: $(STAMP)   ## build the atlas and serve it at http://$(HOST)/atlas/ (site_url's path; / leads there)
	$(VENV)/bin/atlas serve -f mkdocs.yml --dev-addr $(HOST) --engine $(ENGINE)

build: $(STAMP)   ## build the atlas into site/, failing on any invalid case
	$(VENV)/bin/$(ENGINE) build --strict -f mkdocs.yml

check: $(STAMP)   ## check every case study and learning collection against the contract
	$(VENV)/bin/atlas check cases collections

schema: $(STAMP)  ## regenerate schemas/case.schema.json (and collection.schema.json) from the YAML schemas and vocabularies
	$(VENV)/bin/atlas schema --output schemas/case.schema.json
	$(VENV)/bin/atlas schema --collection --output schemas/collection.schema.json

test: $(STAMP)    ## run every test: unit, acceptance and browser
	tests/browser/install-browser.sh
	ATLAS_ENGINE=$(ENGINE) $(VENV)/bin/python -m pytest

bench: $(STAMP)   ## run the benchmarks and rewrite BENCHMARKS.md
	$(PYTHON) bench/check_bench.py
	$(PYTHON) bench/search_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/site_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/related_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/reader_search_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/submit_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/explore_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/preview_bench.py
	ATLAS_ENGINE=$(ENGINE) $(PYTHON) bench/charts_bench.py

clean:
	rm -rf $(VENV) site .atlas .pytest_cache .hypothesis
