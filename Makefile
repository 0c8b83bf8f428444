# Fenghuo: `make run` serves the platform on the embedded default, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
.DEFAULT_GOAL := help

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'

## bench-deadlines: the deadline sweep over 1,000,000 pending deadlines (PostgreSQL)
bench-deadlines: $(BIN)/.installed-dev
	$(BIN)/python bench/deadlines_sweep.py $(BENCH_ARGS)

## bench-dashboard: the metrics endpoints over 1,000,000 incidents and 10,000,000 complaints (PostgreSQL)
bench-dashboard: $(BIN)/.installed-dev
	$(BIN)/python bench/dashboard.py $(BENCH_ARGS)

## bench-pages: the complaint, incident and deadline lists (pages and API) over 10,000,000 complaints and 1,000,000 incidents (PostgreSQL)
bench-pages: $(BIN)/.installed-dev
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

## bench-search: the complaint list's search by phone, number and Chinese words over 10,000,000 complaints (PostgreSQL)
bench-search: $(BIN)/.installed-dev
	$(BIN)/python bench/search.py $(BENCH_ARGS)

## bench-intake: single and bulk complaint intake under load (PostgreSQL, Redis, `hey`)
bench-intake: $(BIN)/.installed-dev
	$(BIN)/python bench/intake.py $(BENCH_ARGS)

## bench-fanout: a red alert to 50 and to 500 people by email and SMS through real workers (PostgreSQL, Redis)
bench-fanout: $(BIN)/.installed-dev
	$(BIN)/python bench/fanout.py $(BENCH_ARGS)

## bench-push: one change told to 1,000 open live-update streams of one web process (PostgreSQL, Redis)
bench-push: $(BIN)/.installed-dev
	$(BIN)/python bench/push.py $(BENCH_ARGS)

.PHONY: bench-search bench-push pytest-sqlite test-dates bench-dashboard bench-pages bench-intake bench-fanout help bench-deadlines run test quicktest lint format typecheck pytest install install-dev messages vendor clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

## run: install, migrate, load the demo data, start web + the deadlines and deliveries workers + beat (Ctrl-C stops all)
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --records
	$(BIN)/python manage.py serve

## test: lint, type checks, the whole suite (PostgreSQL and Redis required) and the embedded pass
test: lint typecheck pytest pytest-sqlite

# The suite in parallel (pytest-xdist), each worker on a PostgreSQL and a Redis database of its
# own (config/settings/test.py); PYTEST_WORKERS=0 runs it in one process. Its default
# distribution hands each worker the tests in the suite's order, so each runs the tests that
# empty the database (transactional ones, last) after those that read the shipped data;
# work stealing would not.
PYTEST_WORKERS ?= 2
PARALLEL := -n $(PYTEST_WORKERS)

pytest: $(BIN)/.installed-dev
	$(BIN)/pytest --create-db $(PARALLEL) $(PYTEST_ARGS)

## pytest-sqlite: `make run`'s embedded default (SQLite, filesystem broker): the demo, every page of every login, the sweep, an upgrade through the migrations, the search without its index, the bulk writes, the pages of a scope read at once
pytest-sqlite: $(BIN)/.installed-dev
	$(BIN)/pytest --ds=config.settings.test_sqlite --create-db $(PYTEST_SQLITE_ARGS) tests/embedded tests/test_migrations.py tests/complaints/test_search.py tests/core/test_bulk.py tests/core/test_keyset.py

# A month's end, a year's end into a year the working-day calendar does not know yet, a public
# holiday (National Day): the suite without the browser, with every test's clock moved there
# (but for the long walks that run wholly on clocks of their own: marked pinned).
# Each pass builds its own database: a pass ends with the shipped data flushed by its
# transactional tests, and the next would start without it.
TEST_DATES := 2026-11-30T23:40:00+08:00 2026-12-31T23:40:00+08:00 2026-10-02T10:00:00+08:00

## test-dates: the suite at a month's end, a year's end and on a public holiday (CI runs it)
test-dates: $(BIN)/.installed-dev
	@for moment in $(TEST_DATES); do \
	  echo "== the suite on $$moment"; \
	  FENGHUO_TEST_NOW=$$moment $(BIN)/pytest --create-db -q $(PARALLEL) -m "not browser and not fuzz and not processes and not pinned" $(PYTEST_ARGS) || exit 1; \
	done

## quicktest: the suite without lint, keeping the test database between runs
quicktest: $(BIN)/.installed-dev
	$(BIN)/pytest --reuse-db $(PYTEST_ARGS)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --check templates && $(BIN)/djlint --lint templates
	! LC_ALL=C.UTF-8 grep -rnE '^.{121,}' templates --include='*.html' --include='*.txt'
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed-dev
	$(BIN)/mypy

format: $(BIN)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

MAKEMESSAGES_ARGS := -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=var

## messages: refresh the Chinese translations and compile them (needs gettext)
messages: $(BIN)/.installed
	cd $(CURDIR) && $(BIN)/python manage.py makemessages $(MAKEMESSAGES_ARGS)
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

## vendor: refresh the vendored ECharts build, the province map and the PDFs' Chinese font from the npm registry
vendor:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack echarts --silent && tar xzf echarts-*.tgz
	cp .vendor-tmp/package/dist/echarts.min.js .vendor-tmp/package/LICENSE .vendor-tmp/package/NOTICE static/vendor/echarts/
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	# the province map: ECharts 4 shipped its provinces' GeoJSON (same licence)
	cd .vendor-tmp && npm pack echarts@4.9.0 --silent && tar xzf echarts-*.tgz
	cp .vendor-tmp/package/map/json/province/jilin.json static/vendor/echarts/
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	# the PDFs' Chinese font (core/pdf.py): Noto Sans SC with TrueType outlines, which reportlab
	# embeds (a subset) in every PDF; the web-font packages ship WOFF2 or CFF, which it cannot read
	cd .vendor-tmp && npm pack @expo-google-fonts/noto-sans-sc@0.4.3 --silent && tar xzf expo-google-fonts-noto-sans-sc-*.tgz
	cp .vendor-tmp/package/400Regular/NotoSansSC_400Regular.ttf core/fonts/NotoSansSC-Regular.ttf
	cp .vendor-tmp/package/LICENSE_FONT core/fonts/OFL.txt
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) var staticfiles test-results .pytest_cache .ruff_cache .mypy_cache
