# Quick start: `make demo` and `make test` work on a fresh machine (they install what is missing).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ACRO_VENV := .venv-acro
ACRO_PY := $(ACRO_VENV)/bin/python
# jlpm (Yarn) must use the registry npm is configured with; no address is written here.
export YARN_NPM_REGISTRY_SERVER := $(shell npm config get registry 2>/dev/null)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-python test-acro test-ui install system-deps acro-env bench lab lint lint-ts clean
# jlpm (from jupyter-builder) and jupyter come from the venv.
VENV_ENV := env PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

## Environment ---------------------------------------------------------------
$(VENV)/.installed: pyproject.toml package.json yarn.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	@# a reinstall would copy its data files through the `develop` symlink into the build
	@# output (jupyter_sdc/labextension/install.json), which the next wheel build then rejects
	rm -rf $(VENV)/share/jupyter/labextensions/jupyter-sdc jupyter_sdc/labextension/install.json
	$(PY) -m pip install -q -e ".[test,spark]"
	@# lifelines pins pandas<3 but runs on pandas 3: install it alone, its other needs are above
	$(PY) -m pip install -q --no-deps "lifelines>=0.30"
	$(VENV_ENV) jupyter labextension develop . --overwrite
	touch $@

install: $(VENV)/.installed

# Debian packages the tests use for real: LibreOffice (opens our .docx), Chromium (JupyterLab UI
# tests) and, where no Java is found, a Java runtime for the Spark tests (local mode).
system-deps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The peer: ACRO 1.0.2 pins pandas <= 2.3.3, so it gets its own environment with jupyter_sdc,
# and the suite runs there once more on pandas 2.
$(ACRO_VENV)/.installed: pyproject.toml
	test -x $(ACRO_PY) || $(PYTHON) -m venv $(ACRO_VENV)
	$(ACRO_PY) -m pip install -q -U pip
	rm -f jupyter_sdc/labextension/install.json
	$(ACRO_PY) -m pip install -q "acro==1.0.2" "pandas==2.3.3" "lifelines>=0.30" -e ".[test]"
	touch $@

acro-env: $(ACRO_VENV)/.installed

## Main jobs -------------------------------------------------------------------
demo: install
	$(PY) examples/project/run_demo.py

test: install acro-env system-deps
	$(MAKE) lint-ts test-python test-acro test-ui

test-python:
	$(PY) -m ruff check jupyter_sdc tests benchmarks examples
	$(PY) -m pytest -q -p no:cacheprovider tests

test-acro:
	$(ACRO_PY) -m pytest -q -p no:cacheprovider tests/unit tests/functional

# The root node_modules come from the editable install's jlpm install; a reinstall skips it
# when the build looks fresh, so a changed package.json or yarn.lock is installed here.
node_modules/.installed: package.json yarn.lock | install
	$(VENV_ENV) jlpm install
	touch $@

ui-tests/node_modules/.installed: ui-tests/package.json ui-tests/yarn.lock | install
	cd ui-tests && $(VENV_ENV) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 jlpm install
	touch $@

examples/project/data/lfs_synthetic.csv: examples/project/make_data.py | install
	$(PY) examples/project/make_data.py

# Galata (Playwright) in Debian's Chromium against a real JupyterLab.
test-ui: install system-deps ui-tests/node_modules/.installed examples/project/data/lfs_synthetic.csv
	$(VENV_ENV) jlpm build
	cd ui-tests && $(VENV_ENV) CI=1 jlpm playwright test

lab: install examples/project/data/lfs_synthetic.csv
	cd examples/project && $(VENV_ENV) jupyter lab $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) analysis.ipynb

bench: install acro-env
	$(PY) benchmarks/run.py

lint: install lint-ts
	$(PY) -m ruff check jupyter_sdc tests benchmarks examples

# ESLint and Prettier (no fixes; `jlpm lint` fixes) on the lab extension and the browser tests.
lint-ts: install node_modules/.installed
	$(VENV_ENV) jlpm lint:check

clean:
	rm -rf $(VENV) $(ACRO_VENV) build dist
