# The stable user interface of the kit. Every target is a thin call into the `fabdemo` CLI
# (app/fabdemo/cli.py) or a test runner; see README.md.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FABDEMO := $(PY) -m fabdemo.cli
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
PHONY_APP := app app-stop reset snapshot add-org remove-org rehearse doctor
.PHONY: help setup demo up down $(PHONY_APP) status deploy-cc env test test-unit test-chaincode test-e2e lint fmt bench chaos clean
.PHONY: test-compose compose-file fresh-check fuzz-chaincode poc bench-profile
.PHONY: cc-new cc-watch cc-client bench-cc
.PHONY: user users revoke reenroll
.PHONY: bench-consensus
# RUNTIME=native|compose (default: Compose when a Docker engine is reachable) reaches the CLI through
# the environment, as PROFILE and STATE_DB=couchdb do. The test suites pin the native runtime unless
# TEST_RUNTIME says otherwise; `make test-compose` tests the Compose runtime.
TEST_RUNTIME ?= native

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@echo "Creating the Python environment in $(VENV)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## install Python deps and build/locate the pinned Fabric binaries
	@$(FABDEMO) setup

demo: setup ## start the network, run a sample transaction, start the web app (HOST=0.0.0.0: room mode)
	@$(FABDEMO) demo $(if $(PROFILE),--profile $(PROFILE)) $(if $(HOST),--host $(HOST)) $(if $(APP_PORT),--port $(APP_PORT))

app: $(STAMP) ## start the web app in the background (HOST=0.0.0.0 for room mode, APP_PORT=8000)
	@$(FABDEMO) app start $(if $(HOST),--host $(HOST)) $(if $(APP_PORT),--port $(APP_PORT))

app-stop: $(STAMP) ## stop the web app
	@$(FABDEMO) app stop

up: setup ## start the network (PROFILE=throughput for benchmarks, CONSENSUS=bft for SmartBFT)
	@$(FABDEMO) up $(if $(PROFILE),--profile $(PROFILE))

down: $(STAMP) ## stop every node we started and remove the state
	@$(FABDEMO) down

status: $(STAMP) ## show nodes, pids and ledger heights (JSON=1 for JSON)
	@$(FABDEMO) status $(if $(JSON),--json)

deploy-cc: setup ## build and deploy NAME=<chaincode> as its next sequence (no NAME: every changed one)
	@$(FABDEMO) deploy-cc $(NAME)

cc-new: $(STAMP) ## scaffold a contract: NAME=asset LANG=go|typescript|java [DIR=folder] (default go)
	@$(FABDEMO) cc-new $(or $(NAME),asset) --lang $(if $(filter go typescript java,$(LANG)),$(LANG),go) $(if $(DIR),--dir $(DIR))

cc-watch: setup ## hot-reload NAME=<chaincode>'s servers on every save (Ctrl-C to stop)
	@$(FABDEMO) cc-watch $(NAME)

cc-client: setup ## write a typed Python client of NAME=<chaincode> from its metadata [OUT=file]
	@$(FABDEMO) cc-client $(NAME) $(if $(OUT),--out $(OUT))

env: $(STAMP) ## print the env file of ORG=<farm|processor|retail> (EXPORTS=1 for its lines)
	@$(FABDEMO) env $(or $(ORG),farm) $(if $(EXPORTS),--exports)

lint: $(STAMP) ## ruff, gofmt and go vet
	@$(VENV)/bin/ruff check app tests $(wildcard scripts/*.py)
	@$(VENV)/bin/ruff format --check app tests $(wildcard scripts/*.py)
	@$(PY) scripts/unasync.py --check
	@cd chaincode && test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	@cd chaincode && go vet ./...

fmt: $(STAMP) ## format Python and Go sources
	@$(VENV)/bin/ruff format app tests $(wildcard scripts/*.py)
	@$(VENV)/bin/ruff check --fix app tests $(wildcard scripts/*.py)
	@$(PY) scripts/unasync.py
	@cd chaincode && gofmt -w .

test-chaincode: ## Go unit tests of the contract, with coverage
	@cd chaincode && go test -cover ./...

# `go test -fuzz` takes one target at a time; the targets are listed from the sources so a new one
# is fuzzed without editing this file. Failing inputs land in chaincode/contract/testdata/fuzz/.
FUZZTIME ?= 4s
fuzz-chaincode: ## fuzz every contract fuzz target for FUZZTIME each (default 4s; FUZZTIME=60s for longer)
	@set -o pipefail; cd chaincode && for target in $$(go test ./contract/ -list '^Fuzz' | grep '^Fuzz'); do \
		echo "fuzz $$target for $(FUZZTIME)"; \
		go test ./contract/ -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) | grep -v '^fuzz: elapsed' || exit 1; \
	done

test-unit: $(STAMP) ## Python unit tests (no network)
	@$(PY) -m pytest -q tests/unit

test-e2e: setup ## end-to-end tests on a real network that the suite starts and stops
	@RUNTIME=$(TEST_RUNTIME) $(PY) -m pytest -q tests/e2e

test: setup lint test-chaincode ## lint, unit and end-to-end tests (CI runs this, then test-compose)
	@RUNTIME=$(TEST_RUNTIME) $(PY) -m pytest -q tests

.PHONY: fuzz-api
fuzz-api: setup ## schemathesis over every REST operation, thousands of cases (FUZZ_EXAMPLES=200, FUZZ_SECONDS=900)
	@FABDEMO_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FABDEMO_FUZZ_SECONDS=$${FUZZ_SECONDS:-900} \
		$(PY) -m pytest -q tests/api/test_schemathesis.py

test-compose: setup ## the Compose runtime end to end on a real Docker engine (scripts/test-compose.sh)
	@PY=$(PY) bash scripts/test-compose.sh

fresh-check: ## CI's fresh-machine check on a clone of HEAD: empty caches, make demo, make test, make test-compose
	@dir=$$(mktemp -d /var/tmp/fabdemo-clone.XXXXXX) && git clone -q . "$$dir/kit" && cd "$$dir/kit" && bash .ci/run; \
		status=$$?; rm -rf "$$dir"; exit $$status

compose-file: $(STAMP) ## regenerate docker-compose.yaml from network/topology.yaml
	@$(PY) -m fabdemo.runtime.composefile

bench: setup ## benchmarks; writes JSON and ratios against bench/baseline.json (BENCH_OUT=<file>, BENCH_FULL=1: 20,000 lots, CONSENSUS_BENCH=1: Raft vs BFT)
	@$(PY) -m fabdemo.bench --with-cc $(if $(BENCH_OUT),--out $(BENCH_OUT)) $(if $(BENCH_FULL),--full) $(if $(CONSENSUS_BENCH),--consensus)

bench-consensus: setup ## Raft against SmartBFT: cold start, lone-tx latency, saturation, leader failover (JSON)
	@$(PY) -m fabdemo.bench.consensus_bench

bench-cc: setup ## own chaincode per language: scaffold to first commit, deploy after a change, hot reload (JSON)
	@$(PY) -m fabdemo.bench.cc_bench

bench-profile: setup ## CPU profiles (Go pprof) of a peer and an orderer under load, into .bench/pprof
	@$(PY) -m fabdemo.bench.pprof

chaos: setup ## faults under REST load (leader, peer, chaincode, app, sleep, orderer quorum); JSON (CHAOS_OUT=<file>, SHORT=1)
	@$(PY) -m fabdemo.chaos $(if $(SHORT),--short) $(if $(CHAOS_OUT),--out $(CHAOS_OUT))

CRITERIA ?= poc/criteria.yaml
POC_OUT ?= poc-report
poc: setup ## run the POC's success criteria (CRITERIA=poc/criteria.yaml) on the running network or one of its own; writes POC_OUT=poc-report/
	@$(PY) -m fabdemo.poc --criteria $(CRITERIA) --out $(POC_OUT)

.PHONY: caliper monitoring monitoring-stop
caliper: setup ## Hyperledger Caliper 0.6.0 on the running network, rounds from CRITERIA (DURATION=s); writes POC_OUT/caliper.json
	@$(PY) -m fabdemo.poc.caliper --criteria $(CRITERIA) --out $(POC_OUT)/caliper.json $(if $(DURATION),--duration $(DURATION))

monitoring: $(STAMP) ## Prometheus scrape config for every node; starts Prometheus if installed (Grafana: monitoring/)
	@$(PY) -m fabdemo.monitoring start

monitoring-stop: $(STAMP) ## stop the Prometheus that make monitoring started
	@$(PY) -m fabdemo.monitoring stop

clean: down ## remove the virtualenv too (binaries stay cached in ~/.cache/fabric-demo-kit)
	@rm -rf $(VENV)

reset: $(STAMP) ## rewind the network to its freshly seeded state (a snapshot taken by `make demo`)
	@$(FABDEMO) reset $(or $(SNAPSHOT),seeded)

snapshot: $(STAMP) ## save every node's ledger as a snapshot (SNAPSHOT=<name>, default seeded)
	@$(FABDEMO) snapshot $(or $(SNAPSHOT),seeded)

add-org: setup ## onboard the cold-chain carrier (ORG=<key>) as a new channel member, live
	@$(FABDEMO) add-org $(or $(ORG),carrier)

remove-org: $(STAMP) ## take a joined org out of the channel again
	@$(FABDEMO) remove-org $(or $(ORG),carrier)

user: $(STAMP) ## IDENTITIES=ca: register and enroll a user (ORG=retail NAME=alice ATTRS=role=inspector)
	@$(FABDEMO) user $(or $(ORG),retail) $(NAME) --attrs '$(ATTRS)'

users: $(STAMP) ## IDENTITIES=ca: list the users of the orgs' CAs (ORG=<key> for one org)
	@$(FABDEMO) users $(ORG)

revoke: $(STAMP) ## IDENTITIES=ca: revoke a user; the CRL goes into the channel (ORG=retail NAME=alice)
	@$(FABDEMO) revoke $(or $(ORG),retail) $(NAME)

reenroll: $(STAMP) ## IDENTITIES=ca: a fresh certificate for a user (ORG=retail NAME=alice)
	@$(FABDEMO) reenroll $(or $(ORG),retail) $(NAME)

rehearse: setup ## run every storyboard unattended against the network; report per scene
	@$(FABDEMO) rehearse $(STORY)

doctor: $(STAMP) ## preflight check before a meeting: binaries, ports, disk, clock, nodes, storyboards
	@$(FABDEMO) doctor
