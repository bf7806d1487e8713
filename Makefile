# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 runs on Python 3.8-3.10: prefer pyenv's 3.10, else any python3.10 on PATH.
PYTHON_BASE ?= $(firstword $(wildcard /root/.pyenv/versions/3.10*/bin/python) $(shell command -v python3.10))
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/ie-assistant.tar.gz
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false

RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
WEB_PORT ?= 8000
export RASA_PORT ACTIONS_PORT WEB_PORT

# Everything the trained model depends on: retrain only when one of these changed.
MODEL_INPUTS := config.yml $(shell find data domain components language entities fees -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null)

.PHONY: help venv train run shell test bench validate lock clean mail mail-once purge export erase cluster

help:
	@echo "make run    - install, train if needed, start the assistant and tell where to chat"
	@echo "make test   - everything that checks the project"
	@echo "make shell  - chat in the terminal"
	@echo "make cluster - CLUSTER_RASA (2) Rasa servers behind nginx on CLUSTER_PORT (8080), PostgreSQL + Redis (deploy/README.md)"
	@echo "make bench  - answer quality, speed and memory against baselines"
	@echo "make mail   - answer the programme's e-mail (settings: .env, see .env.example); make mail-once: one pass"
	@echo "make purge  - delete conversations, mail state and logs older than RETENTION_DAYS (90)"
	@echo "make export WHO=<sender id or e-mail> / make erase WHO=... - one person's data as JSON / deleted"

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON_BASE)" || { echo "Python 3.10 not found (Rasa 3.6 needs 3.8-3.10)"; exit 1; }
	@test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==24.0
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

$(MODEL): $(VENV)/.installed $(MODEL_INPUTS)
	@mkdir -p models
	@echo "Training the model (data, domain, config or components changed)..."
	$(RASA) train --domain domain --fixed-model-name ie-assistant --out models --quiet
	@touch $@

train: $(MODEL)

# The web chat widget (webchat/README.md), built reproducibly from the lock file.
WIDGET := webchat/dist/webchat.js
$(WIDGET): webchat/package-lock.json webchat/build.mjs $(wildcard webchat/src/*)
	cd webchat && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

run: $(MODEL) $(WIDGET)
	$(PY) -m scripts.stack run

# Several Rasa servers behind nginx, sharing PostgreSQL (tracker store) and Redis (locks):
# scripts/cluster.py, deploy/README.md. `make run` stays the one-process SQLite default.
cluster: $(MODEL) $(WIDGET)
	$(PY) -m scripts.cluster

shell: $(MODEL)
	$(PY) -m scripts.stack shell

validate: $(VENV)/.installed
	$(RASA) data validate --domain domain --max-history 5

test: $(MODEL) $(WIDGET)
	@bash scripts/test.sh

bench: $(MODEL)
	$(PY) -m bench

# The mail worker (mailbot/README.md). Settings: .env (see .env.example). It uses the Rasa
# server at RASA_URL, or starts one itself with the trained model if nothing answers there.
mail: $(MODEL)
	$(PY) -m mailbot loop

mail-once: $(MODEL)
	$(PY) -m mailbot once

lock: $(VENV)/.installed
	{ echo "# Full lock of the project's Python environment (Python 3.10). Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements.txt

clean:
	rm -rf models .rasa results test-artifacts

# Personal data (privacy/, README "Security and privacy"): delete what is older than
# RETENTION_DAYS (90); print or delete everything about one person (WHO=<sender id or e-mail>).
purge: $(VENV)/.installed
	@$(PY) -m privacy purge

export: $(VENV)/.installed
	@$(PY) -m privacy export "$$WHO"

erase: $(VENV)/.installed
	@$(PY) -m privacy erase "$$WHO"
