# 就业实名台账 — the two set-up commands are `make run` and `make test`.
# Every target creates .venv in the project root and installs what it needs.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO_DB ?= demo-data/demo.sqlite
# Debian packages a real Qt window (xcb platform) needs beyond the base image.
WINDOW_DEBS := libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-cursor0 \
	libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
# Debian packages the tests use: pdftotext/pdffonts/pdftoppm, and LibreOffice to read the
# exported sheet as a user would (headless, no GUI parts).
TEST_DEBS := poppler-utils libreoffice-calc-nogui

.PHONY: run test lint bench demo venv system-window system-test clean dist same-outputs

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	@touch $(STAMP)

# Install Debian packages only when missing, and only when we are root with apt.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "安装系统软件包:$$missing"; \
			(apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
			 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y --no-install-recommends $$missing >/dev/null)) \
			|| echo "警告：无法安装$$missing"; \
		else echo "提示：缺少系统软件包$$missing（需要 root 安装）"; fi; \
	fi
endef

system-window:
	$(call apt_install,$(WINDOW_DEBS))

system-test:
	$(call apt_install,$(TEST_DEBS))

# Build the demo database once, then open the window on it.
run: venv system-window
	@if [ ! -s $(DEMO_DB) ]; then mkdir -p $(dir $(DEMO_DB)) && \
		$(PY) main.py demo --db $(DEMO_DB) --records 20000 --seed 1; fi
	JIUYE_DB=$(DEMO_DB) $(PY) main.py

demo: venv
	$(PY) main.py demo --db $(DEMO_DB) --records 20000 --seed 1

test: venv system-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: venv
	$(PIP) install --quiet -e '.[dev,bench]'
	QT_QPA_PLATFORM=offscreen $(PY) -m bench --write-docs

# Issue 15's check that a restructuring changed no output: the sample ledgers through the command
# line of two revisions (SAME_BASE, default 6656f60, and SAME_HEAD, default HEAD), compared
# (tools/same_outputs.py says what and how). Not part of `make test`: a few minutes, sequential.
SAME_BASE ?= 6656f60
SAME_HEAD ?= HEAD
same-outputs: venv
	$(PY) tools/same_outputs.py $(SAME_BASE) $(SAME_HEAD)

# The bundle for the system make runs on (PyInstaller cannot cross-build): dist/jiuye/.
dist: venv
	$(PIP) install --quiet pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
	$(PY) -m PyInstaller --noconfirm --clean pyinstaller.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
