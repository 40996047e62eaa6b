# DealerMall: `make demo` runs the product on the embedded default, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DATABASE_URL_TEST ?= postgres://postgres@127.0.0.1:5432/dealermall
SAMPLE := sample_data/online-retail-2010-12.csv.gz
PORT ?= 8000

.PHONY: demo test install lint bench clean-demo browser-deps translations

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "DealerMall needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	@touch $@

install: $(VENV)/.installed
	@$(PY) manage.py compile_translations --verbosity 0

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_online_retail $(SAMPLE)
	$(PY) manage.py setup_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@PORT=$(PORT) $(PY) manage.py demo_banner
	@# Invitation e-mails link to SITE_URL: the port the demo serves on.
	export SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	  $(PY) manage.py deliver_webhooks --loop & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# Browser tests (tests/browser): Debian's Chromium and axe-core from npm. As root a missing
# Chromium is installed (with a Chinese font, so screenshots of the zh-hans pages show text);
# otherwise those tests are skipped and say why.
BROWSER_DIR := tests/browser
BROWSER_PACKAGES := chromium fonts-wqy-zenhei
browser-deps: $(BROWSER_DIR)/node_modules/.installed
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "browser-deps: installing $(BROWSER_PACKAGES)"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 \
	      || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; } \
	      || echo "browser-deps: could not install chromium: the browser tests will be skipped"; \
	  elif [ ! -x /usr/bin/chromium ]; then \
	    echo "browser-deps: /usr/bin/chromium is missing and this is not root: the browser tests will be skipped"; \
	  else \
	    echo "browser-deps: no Chinese font (fonts-wqy-zenhei): zh-hans screenshots will show boxes"; \
	  fi; \
	fi

$(BROWSER_DIR)/node_modules/.installed: $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd $(BROWSER_DIR) && npm ci --silent --no-audit --no-fund && touch node_modules/.installed) \
	    || echo "browser-deps: npm ci failed: the accessibility tests will be skipped"; \
	else \
	  echo "browser-deps: npm is missing: the accessibility tests will be skipped"; \
	fi

test: install browser-deps
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} $(PY) -m pytest -q -n 2 --create-db

lint: install
	$(VENV)/bin/ruff check .

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(DATABASE_URL_TEST)} $(PY) bench/replay.py

# After changing text in a template or in Python: re-extract, translate the new strings in
# locale/*/LC_MESSAGES/django.po, compile (docs/translations.md).
translations: install
	$(PY) manage.py update_translations
	$(PY) manage.py compile_translations
