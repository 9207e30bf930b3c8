# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON := .venv/bin/python
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run run-cluster test setup venv eval lint validate bench-startup bench-nlu bench-load bench-patches bench-faults bench-catalogue bench-publish clean report

## run: set up whatever is missing, then start the action server, the assistant and the widget under supervisord
run: setup
	@$(PYTHON) -m bot.serve

## test: the same set-up (and chromium for the browser tests, nginx for the cluster's), then the whole test suite
test: venv
	@$(PYTHON) -m tools.setup --with-browser --with-nginx
	@echo "test: ruff, then pytest"
	@$(PYTHON) -m ruff check bot actions tests tools
	@$(PYTHON) -m pytest

## run-cluster: two assistants, the action server and the widget behind nginx, on PostgreSQL and Redis
run-cluster: venv
	@$(PYTHON) -m tools.setup --with-nginx
	@$(PYTHON) -m tools.cluster

## setup: venv, pinned packages, pkuseg model, spaCy pipeline, catalogue, widget, trained model
setup: venv
	@$(PYTHON) -m tools.setup

venv:
	@bash scripts/bootstrap.sh

## eval: grade the running assistant (started here if none runs) on ../shared/eval (questions and conversations) and eval/holdout*_questions.yml; ARGS="--url http://127.0.0.1:5105" for another port, ARGS=--sealed adds the sealed sets (misses by id)
eval: setup
	@$(PYTHON) -m tools.eval $(ARGS)

## bench-startup: the assistant's start-up time and resident memory
bench-startup: setup
	@$(PYTHON) -m tools.bench.startup

## bench-nlu: 5-fold cross-validation, our pipeline against a Jieba baseline
bench-nlu: setup
	@$(PYTHON) -m tools.bench.nlu

## bench-patches: what each of bot/patches' speed-ups buys (one assistant without each, side by side)
bench-patches: setup
	@$(PYTHON) -m tools.bench.patches

## report: the staff's HTML report (conversations, top topics, fallbacks, handoffs, ratings) → reports/
report: venv
	@$(PYTHON) -m tools.fonts
	@$(PYTHON) -m bot.report

## bench-load: concurrent users: one instance through REST, the widget's socket.io and WeChat; the cluster and stock `rasa run` through REST
bench-load: venv
	@$(PYTHON) -m tools.setup --with-nginx
	@$(PYTHON) -m tools.bench.load

## bench-faults: the cluster under 10-user load, each fault in turn (an instance killed, the action server killed,
## PostgreSQL cut, Redis cut): failed requests, seconds to recovery, turns lost
bench-faults: venv
	@$(PYTHON) -m tools.setup --with-nginx
	@$(PYTHON) -m tools.bench.faults

## bench-catalogue: build time, search and answer latency with 61, 1,000 and 3,000 services (synthetic, temporary)
bench-catalogue: venv
	@$(PYTHON) -m tools.bench.catalogue

## bench-publish: the time from "publish" to answering with the new model (20 new questions, fine-tuned; a full training)
bench-publish: setup
	@$(PYTHON) -m tools.bench.publish

## validate: rasa data validate on the data (generated files included)
validate: setup
	@$(PYTHON) -m rasa data validate --domain domain.yml --data data/nlu data/rules data/stories build/data --fail-on-warnings

lint: venv
	@$(PYTHON) -m ruff check bot actions tests tools

## clean: remove what the set-up built in this clone (the cache under ~/.cache stays)
clean:
	rm -rf build models .pytest_cache
