#!/usr/bin/env bash
# `make test`: everything that checks the project. Run from the repository root by make,
# after the environment is installed and the model is trained.
set -euo pipefail
PY=.venv/bin/python
RASA=.venv/bin/rasa

step() { printf '\n=== %s\n' "$*"; }
mkdir -p results
# Runs a command quietly into a log; on failure shows the log's end and fails.
quiet() {
  local log="results/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    grep -v "Warning\|^  " "$log" | tail -40
    echo "FAILED: $* (full log: $log)"
    return 1
  fi
}

step "System packages for the browser and mail tests"
bash scripts/system-deps.sh

step "Rasa data validation"
# Exits non-zero on errors (conflicting rules/stories, unknown intents...), not on warnings.
quiet validate $RASA data validate --domain domain --max-history 5

step "Test conversations (rasa test: stories in both languages)"
rm -rf results/conversations
quiet conversations $RASA test core --model models/ie-assistant.tar.gz --stories tests/conversations \
  --out results/conversations --fail-on-prediction-errors
grep -h "Correct:\|Accuracy\|F1" results/conversations.log | head -5 || true

step "pytest: units, content, held-out NLU accuracy, actions, REST conversations, web, mail, channels"
$PY -m pytest tests -q -p no:cacheprovider --timeout=600
