# Two entry points for a newcomer: `make demo` and `make test`. Each builds its own venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-peer fuzz clean serve screenshots

# The ray extra too: the Ray runner's tests (tests/scale) run, and must pass, in CI.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ray]'
	# Byte-compiled as a wheel install leaves it: a checkout run under PYTHONDONTWRITEBYTECODE
	# would otherwise compile every module it imports at every start (about 0.1 s CPU).
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/iamsim demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

# The web playground over the bundled example organization (needs the serve extra, in dev).
serve: $(STAMP)
	$(BIN)/iamsim serve -i src/iamsim/examples/organization/model

# PNGs of each view of the playground under docs/screenshots/ (headless Debian chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# The compiled engine side by side with the peer simulator's core engine (needs node and npm):
# installs the pinned peer under bench/peer/ when missing, then runs both in one run.
bench-peer: $(STAMP)
	test -d bench/peer/node_modules/@cloud-copilot/iam-simulate || (cd bench/peer && npm ci --no-audit --no-fund)
	$(BIN)/python bench/engine_vs_peer.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

# The long fuzz campaign (docs/security.md): FUZZ_SECONDS per target, a new seed each run
# unless FUZZ_SEED is given; failing inputs are minimised and saved under tests/fuzz/results/.
FUZZ_SECONDS ?= 180
FUZZ_SEED    ?=
FUZZ_TARGETS ?=
FUZZ_ARGS    ?=

fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/harness.py --seconds $(FUZZ_SECONDS) \
		$(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(FUZZ_ARGS) $(FUZZ_TARGETS)
