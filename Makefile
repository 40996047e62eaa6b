# DealerMall: `make demo` runs the product on the embedded default, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/dealermall
SAMPLE := sample_data/online-retail-2010-12.csv.gz

.PHONY: demo test install lint bench clean-demo

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "DealerMall needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	@touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_online_retail $(SAMPLE)
	$(PY) manage.py setup_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py demo_banner
	$(PY) manage.py deliver_webhooks --loop & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000 --noreload

test: install
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} $(PY) -m pytest -q -n 2 --create-db

lint: install
	$(VENV)/bin/ruff check .

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} $(PY) bench/replay.py
