# One task list, used the same way on a laptop and in CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test lint serve clean browser install

site: $(STAMP)
	$(BIN)/livingreview validate
	$(BIN)/livingreview build --strict

test: $(TEST_STAMP) browser
	$(BIN)/ruff check build_tools tests benchmarks
	$(BIN)/python -m pytest

# Installs the tools only (CI's record checks use .venv/bin/livingreview).
install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve

lint: $(TEST_STAMP)
	$(BIN)/ruff check build_tools tests benchmarks

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium; install it when missing (root on Debian, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install it (e.g. sudo apt-get install chromium)"; exit 1; fi; }

clean:
	rm -rf site .site-new-* .site-old-* .pytest_cache .ruff_cache
