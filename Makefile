# crm-lessons: the commands a student, instructor or researcher types. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
JOBS ?= 2
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup lab test test-cjk test-spark test-unit test-notebooks book book-all slides vendor strip refresh exercises fonts benchmark fresh-check clean zh translations

help:
	@echo "make setup      fetch everything later commands need (venv with dev+book extras, vendored JavaScript)"
	@echo "make lab        open the workbook in JupyterLab (runs make setup first)"
	@echo "make test       run every test: unit tests, doctests, exercises and nbval on every notebook"
	@echo "make test-spark run the summary SQL under Spark local mode and compare with DuckDB"
	@echo "make book       execute every notebook and build the HTML book in _build/html (offline)"
	@echo "make book LANG=zh  the Chinese edition's book in _build/html-zh (make book-all: both)"
	@echo "make translations  update the Chinese catalogues locale/zh/*.po from the English source"
	@echo "make zh         write the Chinese edition zh/ from the source and the catalogues, then check it"
	@echo "make slides     reveal.js slides of every chapter in _build/slides (offline)"
	@echo "make strip      strip volatile output and metadata from every notebook"
	@echo "make refresh    re-execute notebooks and store the outputs tests compare"
	@echo "make exercises  rebuild student/ and instructor/ exercise notebooks with otter assign"
	@echo "make fonts      install a CJK font for Chinese chart labels (Debian/Ubuntu, needs root or sudo)"
	@echo "make test-cjk   make fonts, then the tests of Chinese labels (skipped by make test without a font)"
	@echo "make test-deep  the property-based bad-input tests with 20x more generated examples"
	@echo "make benchmark  print timings (import, every notebook)"
	@echo "make fresh-check  install from scratch in a temporary venv (no caches) and run every test"

# The virtual environment, rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crm-lessons)" >/dev/null
	@touch $@

# The server's root is the repository, so the start page's links to ../exercises and ../datasets open.
LAB_ROOT := --ServerApp.root_dir=.

# The Chinese edition when asked (`make lab LANG=zh`) or when the shell's locale is Chinese (zh_CN.UTF-8).
ZH_WANTED := $(filter zh%,$(LANG))
LAB_START := $(if $(ZH_WANTED),zh/notebooks,notebooks)/00_start_here.ipynb

lab: setup
	$(VENV)/bin/jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ROOT) $(LAB_START)

test: test-unit test-notebooks

test-unit: $(VENV)/.installed
	$(PY) -m pytest -rs -n $(JOBS) tests src/crm_lessons --doctest-modules

# Both editions: the English notebooks and the Chinese ones (zh/, with the Chinese exercise solutions).
test-notebooks: $(VENV)/.installed
	$(PY) -m pytest -rs -n $(JOBS) --dist loadfile -p no:cacheprovider --nbval-lax \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 300 notebooks zh/notebooks \
	    $(wildcard zh/exercises/*/instructor/*.ipynb)

$(VENV)/.installed-book: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,book]"
	@touch $@

# The one step that needs the network: PyPI (the venv with the dev and book extras) and the npm registry
# (reveal.js, require.js, jQuery, Font Awesome, MathJax into .cache/vendor). Afterwards lab, test, book and
# slides run offline -- until pyproject.toml changes (e.g. after git pull): then the next make reinstalls.
setup: $(VENV)/.installed-book
	@$(PYTHON) tools/vendor.py || echo "make setup: JavaScript not vendored (needs npm and the network once); make book/slides will try again"

# reveal.js, require.js, jQuery, Font Awesome and MathJax from the npm registry, once, into .cache/vendor
vendor:
	$(PYTHON) tools/vendor.py

# `make book LANG=zh` (or a Chinese locale) builds the Chinese edition; any other LANG, e.g. C.UTF-8, English.
BOOK_LANG := $(if $(ZH_WANTED),zh,en)
book: $(VENV)/.installed-book vendor
	LANG=C.UTF-8 $(PY) tools/book.py --jobs $(JOBS) --lang $(BOOK_LANG)

book-all: $(VENV)/.installed-book vendor
	LANG=C.UTF-8 $(PY) tools/book.py --jobs $(JOBS) --lang en
	LANG=C.UTF-8 $(PY) tools/book.py --jobs $(JOBS) --lang zh

# The Chinese edition (tools/i18n.py): catalogues from the English source, then zh/ from the catalogues.
translations: $(VENV)/.installed
	$(PY) tools/i18n.py extract

zh: $(VENV)/.installed
	$(PY) tools/i18n.py build
	$(PY) tools/i18n.py check

# The customer-summary SQL under Spark's local mode, checked against DuckDB (needs Java 17+).
test-spark: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,spark]"
	$(PY) -m pytest -p no:cacheprovider -m spark tests/test_spark.py tests/test_summary_scale.py

# NB=notebooks/01_customer_value.ipynb builds one deck.
slides: $(VENV)/.installed vendor
	$(PY) tools/slides.py --jobs $(JOBS) $(NB)

strip: $(VENV)/.installed
	$(PY) tools/nbtools.py strip

refresh: $(VENV)/.installed
	$(PY) tools/nbtools.py refresh $(NB)

exercises: $(VENV)/.installed
	$(PY) tools/nbtools.py assign

fonts:
	@if fc-list :lang=zh | grep -q .; then echo "a CJK font is installed"; \
	elif command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] && echo "" || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-wqy-microhei; \
	else echo "install a CJK font (Noto Sans CJK or WenQuanYi Micro Hei) with your system's package manager"; fi

# The tests that need a CJK font (make test skips them, with the reason in its summary, when none is
# installed): fails instead of skipping when no font could be installed.
CJK_TESTS := tests/test_chinese_labels.py tests/test_customize.py tests/test_interact.py tests/test_plotting.py tests/test_value.py
test-cjk: fonts $(VENV)/.installed
	@fc-list :lang=zh | grep -q . || { echo "no CJK font installed: see make fonts"; exit 1; }
	$(PY) -m pytest -rs -n $(JOBS) -p no:cacheprovider $(CJK_TESTS)

# Property-based bad-input tests with 20x more Hypothesis examples (about 10-15 minutes).
test-deep: $(VENV)/.installed
	CRM_HYPOTHESIS_PROFILE=deep $(PY) -m pytest -p no:cacheprovider -q tests/test_bad_input_properties.py

benchmark: $(VENV)/.installed
	$(PY) benchmarks/run_all.py

# Customer summaries from a 100-million-row Parquet log, out of core under a 2 GB DuckDB ceiling
# (written once to .cache/bench_summary, about 1.2 GB). 1M and 10M: benchmarks/bench_summary.py.
.PHONY: benchmark-100m
benchmark-100m: $(VENV)/.installed
	$(PY) benchmarks/bench_summary.py --big --memory-limit 2GB

# What the scheduled maintainer run does (docs/maintainers.md): a new venv, no pip cache, latest releases.
fresh-check:
	rm -rf .fresh-venv
	PIP_NO_CACHE_DIR=1 $(MAKE) test VENV=.fresh-venv
	rm -rf .fresh-venv

clean:
	rm -rf _build .pytest_cache runs
