# The two quickstart commands: `make demo` (set up, run the main job) and `make test`.
PY := .venv/bin/python

.PHONY: setup demo test test-fast lint bench clean dashboard

setup:
	@bash scripts/setup.sh

demo: setup
	$(PY) experiments/run_all.py

test:
	@bash scripts/setup.sh --browser
	$(PY) -m pytest -n 2 --dist loadgroup

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not browser"

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

dashboard: setup
	.venv/bin/solara run dashboards/app.py --host 127.0.0.1

bench: setup
	$(PY) benchmarks/bench_model.py

clean:
	rm -rf .venv .pytest_cache
