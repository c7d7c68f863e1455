# The two commands: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app webapp load-plan
	$(BIN)/flask --app webapp seed-demo
	@echo "Mở http://$(HOST):$(PORT) và đăng nhập bằng một tài khoản ở trên."
	$(BIN)/flask --app webapp run --host $(HOST) --port $(PORT)

system-deps:
	./scripts/system-deps.sh

test: $(TEST_STAMP) system-deps
	$(BIN)/pytest

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/province_pages.py
	$(BIN)/python bench/province_exports.py

clean:
	rm -rf $(VENV) .pytest_cache
