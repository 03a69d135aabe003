# One task list, used the same way on a laptop and in CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test smoke lint serve clean browser install

site: $(STAMP)
	$(BIN)/livingreview validate
	$(BIN)/livingreview build --strict

# When make started (read once, as make reads this file), so `make test` can say how long it took,
# installs included, and still exit with the tests' status.
STARTED := $(shell date +%s)
took = echo "make $@ took $$(( ($$(date +%s) - $(STARTED)) / 60 )) min $$(( ($$(date +%s) - $(STARTED)) % 60 )) s"

# The linters: ruff (style, imports, likely bugs) and mypy (types, `None` misuse; pyproject.toml).
LINT = $(BIN)/ruff check build_tools tests benchmarks && $(BIN)/mypy build_tools

test: $(TEST_STAMP) browser
	@echo "Running the linters and all tests (about 8 minutes on 2 cores)"
	@$(LINT) && $(BIN)/python -m pytest; \
	  status=$$?; $(took); exit $$status

# The shipped review only (its studies/, review.yaml, cache/): validates, builds strictly, checks
# every study has a page and every navigation link a page. CI runs it for study pull requests.
smoke: $(TEST_STAMP)
	$(BIN)/python -m pytest tests/test_shipped_review.py

# Installs the tools only (CI's record checks use .venv/bin/livingreview).
install: $(STAMP)

serve: $(STAMP)
	$(BIN)/livingreview serve

lint: $(TEST_STAMP)
	$(LINT)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Chromium (tests/browser.py finds it); install Debian's when none is there.
# As root (this machine, its CI) apt-get runs directly; elsewhere through passwordless sudo.
browser:
	@if [ -n "$$LIVINGREVIEW_CHROMIUM" ] || command -v chromium >/dev/null 2>&1 \
	   || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
	  exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "No Chromium found: install Debian's chromium (apt-get install chromium)" \
	  "or set LIVINGREVIEW_CHROMIUM to a Chromium executable"; exit 1; fi; \
	echo "Installing Debian's chromium for the browser tests"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

clean:
	rm -rf site .site-new-* .site-old-* .pytest_cache .ruff_cache
