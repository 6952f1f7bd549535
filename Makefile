# twinbook: make setup | test | book | serve | exercises   (make help)
#
# Everything installs into the repo: .venv/ (Python, Jupyter kernels, gonb, goimports, gopls,
# the linters), the Go module cache and build cache (Go's defaults), Debian packages (graphviz,
# shellcheck).
# `make setup` is idempotent and takes well under a second when nothing changed: it keeps
# a stamp in .venv/ keyed on a hash of its inputs (SETUP_INPUTS below, Go's version and
# the repo's path, since kernel.json holds absolute paths).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PYTHON ?= python3.11
GO ?= go
# The Python package's extras `make setup` installs (python/pyproject.toml says what each
# is for): all of them here; the student edition keeps `learn` only.
PY_EXTRAS := dev,book,learn,grade
# Subprocesses (pytest's, the kernels', the twinbook CLI's) find the venv's tools first.
export PATH := $(BIN):$(PATH)

# Debian packages, as command:package[,package...] (or /path/of/a/file:package); apt-get
# runs only when a command (a file) is missing. Go's tests run under the race detector
# (go test -race), which needs cgo: a C compiler and the C library's headers and start
# files (gcc's Recommends, so named here: apt-get installs without Recommends).
# Chromium (Debian's, at /usr/bin/chromium) runs the book's browser tests;
# actionlint checks the workflows' run: steps with shellcheck; the grader's jail is bubblewrap.
# Real Apache Kafka (chapter 4's tests run on it as well as on the embedded broker, and
# `make kafka` runs it): Java 17 runs it, Maven resolves its jars from Maven Central.
# PostgreSQL 15 (chapter 5's stores: make test starts a throwaway cluster, make postgres too);
# a path may be a glob: a PostgreSQL of another version already installed (GitHub's Ubuntu
# image has 16) is used as it is.
APT_NEEDS := dot:graphviz gcc:gcc,libc6-dev /usr/include/stdlib.h:libc6-dev bwrap:bubblewrap chromium:chromium,fonts-liberation shellcheck:shellcheck java:openjdk-17-jre-headless mvn:maven /usr/lib/postgresql/*/bin/initdb:postgresql-15
# The Go linters that make test runs (tests/lint.toml), built from go/tools' pins into .venv/bin.
GO_LINTERS := honnef.co/go/tools/cmd/staticcheck github.com/rhysd/actionlint/cmd/actionlint
# The real gRPC client the swarm's tests drive (chapter 3), built from go/tools' pin into .venv/bin.
GO_TEST_TOOLS := github.com/fullstorydev/grpcurl/cmd/grpcurl
# The tools every edition needs in .venv/bin: GoNB, goimports (GoNB completes a cell's
# imports) and gopls (GoNB's completions and hover help in JupyterLab).
GO_KERNEL_TOOLS := gonb goimports gopls
# What `make setup-grade` installs from Debian: the jail (bubblewrap) and the C compiler
# that `go test -race` needs (the grader builds every Go answer with it).
GRADE_APT_NEEDS := bwrap:bubblewrap gcc:gcc,libc6-dev /usr/include/stdlib.h:libc6-dev
# $(call apt_install,TARGET,NEEDS): apt-get install the packages of NEEDS whose command is
# missing (with sudo unless root); a recipe line of TARGET.
define apt_install
missing=()
for need in $(2); do
  pkgs="$${need#*:}"
  what="$${need%%:*}"
  if [[ "$$what" == /* ]]; then compgen -G "$$what" >/dev/null; else command -v "$$what" >/dev/null 2>&1; fi \
    || missing+=($${pkgs//,/ })
done
if (( $${#missing[@]} )); then
  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo
  echo "$(1): apt-get install $${missing[*]}"
  $$sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends "$${missing[@]}"
fi
endef
SETUP_INPUTS := $(wildcard Makefile python/pyproject.toml python/constraints.txt \
	go/go.mod go/go.sum go/tools/go.mod go/tools/go.sum go/tools/gopls/go.mod go/tools/gopls/go.sum)
HTTP_HOST ?= 127.0.0.1
HTTP_PORT ?= 8000
# Extra pytest arguments: make test PYTEST_ARGS="-k TestOrdered -n0"
PYTEST_ARGS ?=
# make proto: every .proto under proto/ (paths relative to it), and where the stubs go
PROTO_FILES := $(patsubst proto/%,%,$(wildcard proto/*/*/*.proto))
PROTO_GO_OUT ?= go
PROTO_PY_OUT ?= python/src/twinbook/_proto

.PHONY: help setup setup-grade test lint book serve exercises prove mutate constraints proto bench bench-go bench-python bench-swarm bench-record grade bench-grade lab release clean distclean
.PHONY: kafka
.PHONY: postgres

help: ## this list
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## install everything (Debian packages, .venv, Go modules and tools, Jupyter kernels)
	@cd "$(ROOT)"
	$(call apt_install,setup,$(APT_NEEDS))
	command -v $(GO) >/dev/null || { echo "setup: go not found on PATH (Go 1.26 expected)" >&2; exit 1; }
	# Apache Kafka's jars (tests/services/kafka/pom.xml) into the user's cache, once per pom:
	# checked before the stamp, so a cleared cache is filled again (the standard library only;
	# the student edition has no tests/ and no real Kafka)
	if [ -f tests/services/kafka/jars.py ]; then $(PYTHON) -m tests.services.kafka.jars; fi
	hash=$$( { echo "$(ROOT)"; $(GO) version; cat $(SETUP_INPUTS); } | sha256sum | cut -c1-16)
	stamp="$(VENV)/.twinbook-setup-$$hash"
	if [ -f "$$stamp" ] && [ -x "$(BIN)/pytest" ] $(foreach t,$(GO_KERNEL_TOOLS) $(notdir $(GO_LINTERS) $(GO_TEST_TOOLS)),&& [ -x "$(BIN)/$(t)" ]); then echo "setup: up to date"; exit 0; fi
	start=$$SECONDS
	# Python: the venv, the package (editable) with its extras and its pinned dependencies
	[ -x "$(BIN)/python" ] || $(PYTHON) -m venv "$(VENV)"
	"$(BIN)/python" -m pip install -q --disable-pip-version-check \
	  -c python/constraints.txt -e './python[$(PY_EXTRAS)]'
	# Go: the module's dependencies, then the tools module's pins: gonb, goimports, the protoc
	# plugins, and the Go linters of GO_LINTERS (make lint); gopls from its own module (its
	# go.mod says why), where GoNB finds it: on the kernel's PATH, .venv/bin first; grpcurl
	# (GO_TEST_TOOLS), the real gRPC client of the swarm's tests
	(cd go && $(GO) mod download)
	(cd go/tools && GOBIN="$(BIN)" $(GO) install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports \
	  google.golang.org/protobuf/cmd/protoc-gen-go google.golang.org/grpc/cmd/protoc-gen-go-grpc $(GO_LINTERS) $(GO_TEST_TOOLS))
	(cd go/tools/gopls && GOBIN="$(BIN)" $(GO) install golang.org/x/tools/gopls)
	# Jupyter kernels, inside the venv's own data dir (.venv/share/jupyter), never $$HOME
	"$(BIN)/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
	"$(BIN)/python" - "$(BIN)" "$$(dirname "$$(command -v $(GO))")" <<-'EOF'
		import json, pathlib, sys
		bindir, godir = sys.argv[1], sys.argv[2]
		spec = pathlib.Path(bindir).parent / "share/jupyter/kernels/gonb"
		spec.mkdir(parents=True, exist_ok=True)
		path = [bindir, godir] + [d for d in ("/usr/local/bin", "/usr/bin", "/bin") if d != godir]
		(spec / "kernel.json").write_text(json.dumps({
		    "argv": [f"{bindir}/gonb", "--kernel", "{connection_file}", "--logtostderr", "--raw_error"],
		    "display_name": "Go (gonb)",
		    "language": "go",
		    "env": {"PATH": ":".join(path)},
		}, indent=2) + "\n")
	EOF
	# JupyterLab shows a kernel's status from the status messages of the requests it tracks;
	# kernel_info is untracked by default, and the one tracked request it sends on opening a
	# notebook (history_request) GoNB leaves unanswered, so a Go notebook read "Unknown" until
	# its first cell ran. Tracking kernel_info (the server's list, less those two) shows
	# "Idle" as soon as the kernel answers. The venv's own config dir: never $$HOME's.
	"$(BIN)/python" - <<-'EOF'
		import json, pathlib, sys
		from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
		untracked = MappingKernelManager().untracked_message_types
		tracked = ("kernel_info_request", "kernel_info_reply")
		config = pathlib.Path(sys.prefix) / "etc/jupyter/jupyter_server_config.json"
		config.parent.mkdir(parents=True, exist_ok=True)
		config.write_text(json.dumps({"MappingKernelManager": {
		    "untracked_message_types": [t for t in untracked if t not in tracked],
		}}, indent=2) + "\n")
	EOF
	# Warm Go's build cache (plain and -race, with test binaries) so checks start fast;
	# a package that does not build is reported by `make test`, not here.
	(cd go && $(GO) build ./... && $(GO) test -race -run '^$$' ./... >/dev/null) \
	  || echo "setup: warning: the Go module does not build yet (make test will say why)"
	rm -f "$(VENV)"/.twinbook-setup-*
	touch "$$stamp"
	echo "setup: done in $$((SECONDS - start))s"

# make kafka: one real Apache Kafka 4.4.0 (KRaft, one node on 127.0.0.1 and a free port) in
# the foreground; point the chapter's code and tests at it with TWINBOOK_KAFKA=ADDRESS.
kafka: setup ## run a real Apache Kafka on loopback and print its address (Ctrl-C stops)
	@cd "$(ROOT)"
	exec "$(BIN)/python" -m tests.services.kafka

# make postgres: a throwaway PostgreSQL 15 cluster (127.0.0.1, a free port, fsync off, a
# temporary folder removed when it stops) in the foreground, the one make test starts; point
# the chapter's code and tests at it with TWINBOOK_PG=URL.
postgres: setup ## run a throwaway PostgreSQL 15 on loopback and print TWINBOOK_PG=... (Ctrl-C stops)
	@cd "$(ROOT)"
	exec "$(BIN)/python" -m tests.services.postgres

# make setup-grade: only what `twinbook grade` needs (the instructors' workflow runs it):
# bubblewrap, gcc and the C library's headers (go test -race), the venv with the `grade`
# extra, the Go module's dependencies and goimports (GoNB completes a learner's imports; the
# grader must compile the same file), and the grader's warm build cache of the standard
# library under -race (sandbox.go_seed: a minute once, not in the first grade). No Chromium,
# no book tools, no linters, no Jupyter. A full `make setup` already covers the rest.
setup-grade: ## install only what grading needs (bubblewrap, gcc, the grade extra, Go modules, goimports)
	@cd "$(ROOT)"
	$(call apt_install,setup-grade,$(GRADE_APT_NEEDS))
	command -v $(GO) >/dev/null || { echo "setup-grade: go not found on PATH (Go 1.26 expected)" >&2; exit 1; }
	hash=$$( { echo "$(ROOT)"; $(GO) version; cat $(SETUP_INPUTS); } | sha256sum | cut -c1-16)
	if [ -f "$(VENV)/.twinbook-setup-$$hash" ] || [ -f "$(VENV)/.twinbook-setup-grade-$$hash" ]; then echo "setup-grade: up to date"; exit 0; fi
	start=$$SECONDS
	[ -x "$(BIN)/python" ] || $(PYTHON) -m venv "$(VENV)"
	"$(BIN)/python" -m pip install -q --disable-pip-version-check \
	  -c python/constraints.txt -e './python[grade]'
	(cd go && $(GO) mod download)
	(cd go/tools && GOBIN="$(BIN)" $(GO) install golang.org/x/tools/cmd/goimports)
	"$(BIN)/python" -c "from twinbook.grading.sandbox import go_seed; go_seed()"
	rm -f "$(VENV)"/.twinbook-setup-grade-*
	touch "$(VENV)/.twinbook-setup-grade-$$hash"
	echo "setup-grade: done in $$((SECONDS - start))s"

test: setup ## run every test once: Python, Go, notebooks, exercises (one pytest run)
	@cd "$(ROOT)"
	"$(BIN)/pytest" $(PYTEST_ARGS)

lint: setup ## only the static checks of make test: ruff, mypy, gofmt, go vet, staticcheck, actionlint
	@cd "$(ROOT)"
	"$(BIN)/pytest" tests/lint.toml -n 0 $(PYTEST_ARGS)

book: setup ## build the rendered book into build/html (runs the notebooks, embedded defaults)
	@cd "$(ROOT)"
	start=$$SECONDS
	# (the kernels' chatter on stderr, GoNB's log lines and ipykernel's TCP warning, is left
	# out by the filter the release's book build uses too)
	"$(BIN)/sphinx-build" -W --keep-going -b html book build/html \
	  2> >("$(BIN)/python" -m twinbook.authoring.booklog)
	echo "book: built in $$((SECONDS - start))s; open file://$(ROOT)/build/html/index.html  (or: make serve)"

serve: book ## serve the built book on http://127.0.0.1:8000/
	@cd "$(ROOT)"
	echo "serve: http://$(HTTP_HOST):$(HTTP_PORT)/  (Ctrl-C stops)"
	"$(BIN)/python" -m http.server -d build/html -b $(HTTP_HOST) $(HTTP_PORT)

# make lab: JupyterLab from .venv with both kernels (python3, gonb), on loopback only;
# LAB_ARGS adds options, e.g. LAB_ARGS="--no-browser".
LAB_PORT ?= 8888
LAB_ARGS ?=
lab: setup ## JupyterLab on http://127.0.0.1:8888/ with both kernels (Python and Go)
	@cd "$(ROOT)"
	root=(); [ "$$(id -u)" != 0 ] || root=(--allow-root)  # containers often run as root
	exec "$(BIN)/jupyter" lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.root_dir="$(ROOT)" "$${root[@]}" $(LAB_ARGS)

# make release OUT=folder: the student edition (twinbook dev release --help says what is in it).
# OUT defaults to build/student-edition here; an earlier edition there is replaced.
release: setup ## write the student edition: make release OUT=folder (the book: built with -t student into build/html-student)
	@cd "$(ROOT)"
	"$(BIN)/twinbook" dev release "$(if $(filter file undefined,$(origin OUT)),build/student-edition,$(OUT))" --force $(RELEASE_ARGS)

exercises: setup ## regenerate exercises/ from solutions/
	@cd "$(ROOT)"
	"$(BIN)/twinbook" dev generate

prove: setup ## prove every exercise: stubs fail, solutions pass visible and hidden tests (EX=id for one)
	@cd "$(ROOT)"
	"$(BIN)/twinbook" dev check $(EX)

# make mutate [EX=id] [MUTATE_LANG=python|go] [MUTATE_JOBS=2]: a full run, like a benchmark (minutes)
mutate: setup ## mutation-test the exercises' tests: score per exercise and language (bar 98%), build/mutate/report.json
	@cd "$(ROOT)"
	start=$$SECONDS
	status=0
	"$(BIN)/twinbook" dev mutate $(EX) $(if $(MUTATE_LANG),--lang $(MUTATE_LANG)) --jobs $(or $(MUTATE_JOBS),2) || status=$$?
	echo "mutate: done in $$((SECONDS - start))s"
	exit $$status

# make grade SUBMISSIONS=path/to/submissions OUT=build/grade JOBS=2 [GRADE_ARGS="--roster r.csv"]
# (as root: the sandbox
# then runs student code as an unprivileged user). Exit 0 once graded, 2 if it cannot run.
SUBMISSIONS ?= submissions
OUT ?= build/grade
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
grade: setup ## grade a class: make grade SUBMISSIONS=folder OUT=build/grade [JOBS=2]
	@cd "$(ROOT)"
	"$(BIN)/twinbook" grade "$(SUBMISSIONS)" --out "$(OUT)" --jobs $(JOBS) $(GRADE_ARGS)

bench-grade: setup ## benchmark the grader on a synthetic class, batched and one at a time (build/bench/grade.json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/grade_class.py --jobs 2 --compare

bench-go: setup ## the Go breaker against sony/gobreaker v2, the Go actors against protoactor-go (build/bench/go.json, go-actor.json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/go_breaker.py --count $(or $(BENCH_COUNT),5)
	"$(BIN)/python" tests/benchmarks/go_ch03.py actor --count $(or $(BENCH_COUNT),3)

.PHONY: bench-registry
bench-registry: setup ## schema-id lookups/s and p99 of both registries, Go's benchmark as the load (build/bench/registry.json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/go_registry.py --count $(or $(BENCH_COUNT),3)

# pytest-benchmark needs a plain run: no xdist (it disables benchmarks), no nbval, so addopts is reset.
bench-python: setup ## benchmark the Python breaker against pybreaker, the actors against pykka (build/bench/python.json)
	@cd "$(ROOT)"
	mkdir -p build/bench
	"$(BIN)/pytest" tests/benchmarks/test_breaker_bench.py tests/benchmarks/test_actor_bench.py -o addopts="" -p no:cacheprovider -q \
	  --benchmark-only --benchmark-min-time=0.0001 --benchmark-warmup=on --benchmark-sort=name \
	  --benchmark-json=build/bench/python.json
	"$(BIN)/python" tests/benchmarks/merge_bench.py --only python

# The swarm across processes (chapter 3): unary round trips Go->Go and Go->Python, and tasks/s
# with credits and streaming vs one unary call per task (go test -bench, best of 3 rounds);
# Python->Go and Python->Python, and the same throughput from Python (pytest-benchmark).
# Figures, not gates.
bench-swarm: setup ## the swarm across processes: round-trip p50 and tasks/s (build/bench/go-swarm.json, swarm-python.json)
	@cd "$(ROOT)"
	mkdir -p build/bench
	"$(BIN)/python" tests/benchmarks/go_ch03.py swarm --count $(or $(BENCH_COUNT),3) --swarm-n $(or $(BENCH_SWARM_N),5000)
	"$(BIN)/pytest" tests/benchmarks/test_swarm_bench.py -o addopts="" -p no:cacheprovider -q \
	  --benchmark-only --benchmark-min-time=0.0001 --benchmark-warmup=on --benchmark-sort=name \
	  --benchmark-json=build/bench/swarm-python.json

bench: bench-go bench-python bench-swarm ## breakers, actors and the swarm against their peers: figures and ratios in build/bench/bench.json
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/merge_bench.py

# Chapter 4: the exactly-once pipeline (batched transactions, none, one per record) in both
# languages on kfake and on a real Apache Kafka the script starts and stops, then the
# registries (bench-registry) and the serializers; figures, not gates. A few minutes.
.PHONY: bench-ch04
bench-ch04: bench-registry ## chapter 4: the pipeline's modes on both brokers, registries, serializers (build/bench/ch04.json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/events_ch04.py --count $(or $(BENCH_COUNT),2)
	"$(BIN)/python" tests/benchmarks/ch04_figures.py

# Chapter 5: the Idempotency-Key middleware's overhead per request against the bare handler
# (aim: under 1 ms on SQLite), Go and Python, records in memory and in SQLite; figures, not gates.
.PHONY: bench-idempotency
bench-idempotency: setup ## chapter 5: the idempotency middleware's overhead per request, both languages (build/bench/idempotency-*)
	@cd "$(ROOT)"
	mkdir -p build/bench
	(cd go && $(GO) test ./idempotency -run '^$$' -bench . -benchtime 2000x -count $(or $(BENCH_COUNT),3)) | tee build/bench/idempotency-go.txt
	"$(BIN)/pytest" tests/benchmarks/test_idempotency_bench.py -o addopts="" -p no:cacheprovider -q \
	  --benchmark-only --benchmark-min-time=0.0001 --benchmark-warmup=on --benchmark-sort=name \
	  --benchmark-json=build/bench/idempotency-python.json

# Chapter 5 in one run (tests/benchmarks/ch05.py): the outbox relay's events/s into kfake,
# batched vs one event per transaction, Go and Python, SQLite and PostgreSQL (a throwaway
# cluster), beside the watermill-sql peer; the idempotency middleware's overhead; the full
# kill -9 runs (relay and saga, both languages, both stores; BENCH_KILL_EVENTS, BENCH_KILLS
# and BENCH_SAGA_KILLS make them smaller). Figures, not gates. Many minutes.
.PHONY: bench-ch05
bench-ch05: setup ## chapter 5: relay throughput vs watermill-sql, idempotency overhead, kill -9 runs (build/bench/ch05.json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/ch05.py --count $(or $(BENCH_COUNT),1) \
	  --kill-events $(or $(BENCH_KILL_EVENTS),100000) --kills $(or $(BENCH_KILLS),50) \
	  --saga-kills $(or $(BENCH_SAGA_KILLS),50) $(BENCH_CH05_ARGS)

# make bench-ch05, then the recording the book plots (book/_data/bench-ch05.json); commit it.
.PHONY: bench-record-ch05
bench-record-ch05: ## run chapter 5's benchmarks and rewrite book/_data/bench-ch05.json
	@$(MAKE) bench-ch05 BENCH_CH05_ARGS="--record book/_data/bench-ch05.json"

# The book's plots of chapters 3 and 4 (book/_data/bench-ch03.json, bench-ch04.json, drawn by
# twinbook-bench-plot) are one run's figures with the machine and the date: rewrite them on
# purpose, then commit them.
bench-record: bench bench-ch04 ## run make bench and bench-ch04 and rewrite the figures the book plots (book/_data/bench-ch0[34].json)
	@cd "$(ROOT)"
	"$(BIN)/python" tests/benchmarks/merge_bench.py --record book/_data/bench-ch03.json
	"$(BIN)/python" tests/benchmarks/ch04_figures.py --record book/_data/bench-ch04.json

constraints: setup ## re-pin python/constraints.txt from the venv (after changing pyproject.toml)
	@cd "$(ROOT)"
	{ sed -n '/^#/p' python/constraints.txt
	  "$(BIN)/python" -m pip freeze --exclude-editable --disable-pip-version-check | grep -vi '^twinbook' ; } \
	  > python/constraints.txt.new
	mv python/constraints.txt.new python/constraints.txt
	echo "constraints: python/constraints.txt updated ($$(grep -vc '^#' python/constraints.txt) pins)"

proto: ## regenerate the gRPC stubs from proto/ (Go: go/internal/flakypb, Python: twinbook._proto)
	@cd "$(ROOT)"
	for plugin in protoc-gen-go protoc-gen-go-grpc; do
	  [ -x "$(BIN)/$$plugin" ] || { echo "proto: $(BIN)/$$plugin is missing (make setup installs it)" >&2; exit 1; }
	done
	mkdir -p "$(PROTO_GO_OUT)" "$(PROTO_PY_OUT)"
	"$(BIN)/python" -m grpc_tools.protoc -I proto \
	  --plugin=protoc-gen-go="$(BIN)/protoc-gen-go" --plugin=protoc-gen-go-grpc="$(BIN)/protoc-gen-go-grpc" \
	  --go_out="$(PROTO_GO_OUT)" --go_opt=module=twinbook \
	  --go-grpc_out="$(PROTO_GO_OUT)" --go-grpc_opt=module=twinbook \
	  --python_out="$(PROTO_PY_OUT)" --grpc_python_out="$(PROTO_PY_OUT)" --pyi_out="$(PROTO_PY_OUT)" \
	  $(PROTO_FILES)
	# grpc_python_out imports a proto's module by its path under proto/ (`from flaky.v1 import
	# flaky_pb2`); the stubs live in the package twinbook._proto, so make those imports absolute.
	for root in $(sort $(notdir $(wildcard proto/*))); do
	  find "$(PROTO_PY_OUT)/$$root" -name '*_pb2_grpc.py' \
	    -exec sed -i -E "s/^from ($$root(\.[A-Za-z0-9_]+)*) import /from twinbook._proto.\1 import /" {} +
	done
	echo "proto: $(PROTO_FILES) -> $(PROTO_GO_OUT), $(PROTO_PY_OUT)"

clean: ## remove build output (build/: book, notebook cache, go test results)
	@rm -rf "$(ROOT)/build"

distclean: clean ## also remove .venv (the next make setup reinstalls everything)
	@rm -rf "$(VENV)"
