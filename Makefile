# The two set-up commands of the README:
#   make synth   install, then synthesize the default example config (examples/terraform.tfvars.json)
#   make test    install with test tools, then run every check (shellcheck, pytest incl. helm, terraform, checkov)
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/.venv/bin:$(PATH)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: install install-test synth test golden docs bench

install:
	@scripts/bootstrap.sh

install-test:
	@scripts/bootstrap.sh --test

synth: install
	python main.py $(ARGS)

test: install-test
	git ls-files -co --exclude-standard '*.sh' | xargs -r shellcheck
	python -m pytest $(PYTEST_ARGS)

# Regenerate the golden cdk.tf.json files after an intended change; review the diff before committing.
golden: install
	python -m tests.core.golden --update

# Regenerate the README's configuration reference from the config model.
docs: install
	python -m hyperpod.config.reference README.md

bench: install
	python bench/synth_bench.py
