# `make run` and `make test` work on a fresh clone: both create .venv and install first, and
# `npm ci` (osls for packaging; GraphiQL and React, which the local server serves itself).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

NODE_STAMP := node_modules/.installed-stamp
STAGE ?= dev
TEMPLATE := .serverless/cloudformation-template-update-stack.json

.PHONY: install run test bench lint format typecheck lock clean package deploy browser-test console

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: install $(NODE_STAMP)
	$(BIN)/usermgmt serve

test: install $(NODE_STAMP) lint typecheck package
	$(BIN)/pytest
	$(MAKE) browser-test

# The console in a real browser (tests/browser, its own npm package): Playwright drives the
# Chromium that @sparticuz/chromium ships inside its npm package (no browser download, ever),
# against `usermgmt serve` on a temporary data directory serving a fresh build of web/.
BROWSER_STAMP := tests/browser/node_modules/.installed-stamp
WEB_STAMP := web/node_modules/.installed-stamp

$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(BROWSER_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# The console's build (web/dist), which `usermgmt serve` serves at /console/.
console: $(WEB_STAMP)
	cd web && npm run build

browser-test: install $(BROWSER_STAMP) console
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm test

# osls (the open-source Serverless Framework) and its Python plugin, and GraphiQL's built files
# (graphiql, react, react-dom: api/graphiql.py serves them), pinned by package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Build every function's zip and the CloudFormation template without an AWS account, then lint
# the template. W3005 (an explicit DependsOn also implied by a reference) is Serverless's doing.
package: install $(NODE_STAMP)
	USERMGMT_PACKAGING_PYTHON=$(abspath $(BIN)/python) npx --no-install osls package --stage $(STAGE)
	$(BIN)/cfn-lint --ignore-checks W3005 -- $(TEMPLATE)

deploy: install $(NODE_STAMP)
	USERMGMT_PACKAGING_PYTHON=$(abspath $(BIN)/python) npx --no-install osls deploy --stage $(STAGE)

bench: install
	$(BIN)/usermgmt bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

# Pin every dependency to what a fresh resolve gives today; commit requirements.lock.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules .serverless
	rm -rf tests/browser/node_modules tests/browser/test-results web/node_modules web/dist
