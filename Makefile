# The two set-up commands of the README:
#   make synth   install, then synthesize the default example config (examples/terraform.tfvars.json)
#   make test    install with test tools, then run every check (shellcheck, pytest incl. helm, terraform, checkov)
# CDK=terrain synthesizes with CDK Terrain instead of CDKTF (.venv-terrain; docs/runtimes.md): make synth CDK=terrain
# Both install only what the lock files name (scripts/bootstrap.sh); `make lock` refreshes the locks (scripts/lock.sh).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/.tools/uv/bin:$(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/.venv/bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export UV_PYTHON_DOWNLOADS := never

.PHONY: install install-test synth test lock golden instance-types docs bench bench-setup preflight

# The CDK runtime of `make synth`: cdktf (the default, .venv) or terrain (CDK Terrain, .venv-terrain).
CDK ?= cdktf
ifeq ($(CDK),cdktf)
SYNTH_PYTHON := $(CURDIR)/.venv/bin/python
else ifeq ($(CDK),terrain)
SYNTH_PYTHON := $(CURDIR)/.venv-terrain/bin/python
else
$(error CDK=$(CDK) is not a CDK runtime; allowed: cdktf (the default), terrain)
endif

install:
	@scripts/bootstrap.sh $(if $(filter terrain,$(CDK)),--terrain)

install-test:
	@scripts/bootstrap.sh --test

synth: install
	HYPERPOD_CDK=$(CDK) $(SYNTH_PYTHON) main.py $(ARGS)

# Read-only checks against AWS before apply, e.g. make preflight ARGS="--config prod.json" (docs/preflight.md).
preflight: install
	python -m hyperpod.preflight.cli $(ARGS)

# Both cores: test files are spread over PYTEST_WORKERS processes (a file's tests stay together, so its fixtures
# are built once); PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 2

test: install-test
	uv lock --check --offline
	git ls-files -co --exclude-standard '*.sh' | xargs -r shellcheck
	python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Refresh uv.lock and the tools' locks from pyproject.toml and tools/*; UPGRADE=1 also takes newer unpinned releases.
lock:
	@scripts/lock.sh $(if $(UPGRADE),--upgrade)

# Regenerate the golden cdk.tf.json files after an intended change; review the diff before committing.
golden: install
	python -m tests.core.golden --update

# Regenerate hyperpod/config/data/cluster_instance_types.json from the locked botocore's SageMaker model (after a
# botocore upgrade; tests/core/test_instance_types.py fails until it is run).
instance-types: install
	python scripts/cluster_instance_types.py

# Regenerate the configuration reference (docs/configuration.md) from the config model.
docs: install
	python -m hyperpod.config.reference docs/configuration.md

# Both runtimes, each against its own floor app (bench/floor_app.py).
bench:
	@scripts/bootstrap.sh
	@scripts/bootstrap.sh --terrain
	python bench/synth_bench.py $(BENCH_ARGS)

# Fresh clones of HEAD: make synth against plain pip, install-test, sizes (BENCH_ARGS="--suite" adds the test suite).
bench-setup:
	python3 bench/setup_bench.py $(BENCH_ARGS)
