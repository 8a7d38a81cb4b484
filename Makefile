# The two commands a fresh machine needs: `make serve` and `make test`.
# Both create .venv and install the project with what it needs.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1:8000

.PHONY: install serve build test check schema bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

serve: $(STAMP)   ## build the atlas and serve it at http://$(HOST)/
	$(VENV)/bin/mkdocs serve --dev-addr $(HOST)

build: $(STAMP)   ## build the atlas into site/, failing on any invalid case
	$(VENV)/bin/mkdocs build --strict

check: $(STAMP)   ## check every case study against the contract
	$(VENV)/bin/atlas check cases

schema: $(STAMP)  ## regenerate schemas/case.schema.json from the YAML schema and vocabularies
	$(VENV)/bin/atlas schema --output schemas/case.schema.json

test: $(STAMP)    ## run every test: unit, acceptance and browser
	tests/browser/install-browser.sh
	$(VENV)/bin/python -m pytest

bench: $(STAMP)   ## run the benchmarks and rewrite BENCHMARKS.md
	$(PYTHON) bench/check_bench.py
	$(PYTHON) bench/search_bench.py
	$(PYTHON) bench/site_bench.py
	$(PYTHON) bench/related_bench.py
	$(PYTHON) bench/reader_search_bench.py

clean:
	rm -rf $(VENV) site .atlas .pytest_cache .hypothesis
