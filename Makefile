# The two commands a new user needs: `make run` and `make test`. Everything else follows.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.5.11
MODEL := models/bonemets.tar.gz
SPACY_PIPELINE := build/spacy_pipeline
RED_FLAG_MODEL := build/red_flag_model/red_flag_model.json
TRAINING_INPUTS := $(shell find data content pipeline -type f -not -name '*.pyc' 2>/dev/null) domain.yml config.yml

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run run-scaled test train eval bench review-export lint format lock system-packages

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: $(MODEL) ## Set up what is missing, train if stale, start Rasa, actions and the gateway
	$(PY) -m bot.supervisor.run

run-scaled: $(MODEL) ## Like run, with RASA_WORKERS (2) Rasa workers on local PostgreSQL and Redis
	bash scripts/install-datastores.sh
	$(PY) -m bot.supervisor.run_scaled

test: $(MODEL) system-packages ## Run every test (installs what the tests need)
	$(VENV)/bin/ruff check .
	# Two workers, one per core: a file's tests stay on one worker (tests/conftest.py).
	$(PY) -m pytest -p no:cacheprovider --durations=10 -n 2 --dist loadgroup

train: $(MODEL) ## Train the model if data, domain, config or content changed

eval: $(MODEL) ## Realistic (sealed test + dev) and short sets vs a search box, warning signs, readability -> reports/
	$(PY) -m eval.run

bench: $(SPACY_PIPELINE)/meta.json $(RED_FLAG_MODEL) ## Capacity (1 and 2 workers), overload, vs Rasa's sample bot -> reports/
	bash scripts/install-datastores.sh
	$(PY) -m eval.bench

review-export: $(VENV)/.installed ## Reviewed questions from /staff -> data/nlu/reviewed.yml (make run retrains)
	$(PY) -m bot.insights.export

lint: $(VENV)/.installed ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lock: $(VENV)/.installed ## Re-pin requirements.in into requirements.lock
	$(VENV)/bin/uv pip compile requirements.in -o requirements.lock --python-version $(PYTHON_VERSION)

# Debian packages the tests need: Chromium for the widget, PostgreSQL and Redis for scale-out.
system-packages:
	bash scripts/install-browser.sh
	bash scripts/install-datastores.sh

$(VENV)/.installed: requirements.lock pyproject.toml .python-version
	test -x $(PY) || python$(PYTHON_VERSION) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# Compiled once here: PYTHONDONTWRITEBYTECODE (below) would otherwise make every process
	# compile Rasa and TensorFlow from source at each start (about 15 s of each start).
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# The warning-sign detector's learnt second opinion (content/red_flag_model.py).
$(RED_FLAG_MODEL): $(VENV)/.installed content/build_red_flag_model.py content/red_flag_model.py content/text_model.py content/red_flags.py content/red_flags.yml eval/warning_signs/dev.yml $(wildcard eval/realistic/dev/*.yml)
	$(PY) -m content.build_red_flag_model

$(SPACY_PIPELINE)/meta.json: $(VENV)/.installed content/glossary.yml content/tests.yml pipeline/build.py pipeline/glossary_matcher.py
	$(PY) -m pipeline.build $(SPACY_PIPELINE)

# Rasa skips the parts whose fingerprint did not change; the touch records that it is current.
# Rasa fingerprints SpacyNLP by its path only, so a rebuilt spaCy pipeline (new glossary words)
# would be trained against cached features of the old one: then everything is retrained.
# The second opinion is order-only: rebuilding it does not retrain Rasa, which reads it at start.
$(MODEL): $(VENV)/.installed $(SPACY_PIPELINE)/meta.json $(TRAINING_INPUTS) | $(RED_FLAG_MODEL)
	$(VENV)/bin/rasa train --fixed-model-name bonemets --out models --quiet \
		$(if $(filter $(SPACY_PIPELINE)/meta.json,$?),--force)
	touch $@
