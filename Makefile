# LakeIngest — build, test and fixture targets. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
APT_PACKAGES := libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev
CORPUS := ../shared/corpus/parquet-testing

.PHONY: build release test deps python-deps check-fixtures fixtures bench demo example fuzz

build: deps
	swift build

release: deps
	swift build -c release

## Installs the system libraries the codec shims link against (Debian/Ubuntu).
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

## Installs the pinned Python packages that write the test fixtures (and validate deploy/kubernetes).
python-deps:
	@python3 -c 'import pyarrow, duckdb, polars, moto, boto3, flask, fastavro, pyiceberg, kubernetes_validate, prometheus_client, selenium' 2>/dev/null || python3 -m pip install -q -r Tests/Fixtures/requirements.txt

## The committed corpus expectations are exactly what the committed script makes from pyarrow.
check-fixtures: python-deps
	@if [ -d "$(CORPUS)" ]; then \
		python3 Tests/Fixtures/make_corpus_expectations.py "$(CORPUS)" >/dev/null && \
		git diff --exit-code --stat -- Tests/Fixtures/parquet-testing-expected && \
		echo "corpus expectations: regenerated from pyarrow, identical to the committed ones"; \
	else echo "skipped: $(CORPUS) absent, corpus expectations not regenerated"; fi

## The whole suite: system and Python packages, fixture checks, the Kubernetes manifests against
## the 1.33 schemas, the Spark launcher in pyspark's local mode (a Java runtime and a pyspark
## virtualenv are installed when missing), the status page in headless Chromium (installed when
## missing; its screenshot goes to .build/status-page.png), then every Swift test with a
## signature-checking S3 server (moto), two signature-checking Iceberg REST catalogs (Glue and
## S3 Tables flavours) and a Pinot controller test server running on 127.0.0.1; the wrappers
## stop them at the end, also on failure.
test: deps check-fixtures
	python3 Tests/Fixtures/s3/test_moto_fixture.py --no-big
	python3 Tests/Fixtures/iceberg/test_rest_server.py
	python3 deploy/kubernetes/test_manifests.py
	swift build --build-tests
	@command -v java >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }
	python3 deploy/spark/test_spark_launcher.py --worker .build/debug/ingest-worker
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }
	python3 Tests/Fixtures/service/test_status_page.py --worker .build/debug/ingest-worker --screenshot .build/status-page.png
	bash Tests/Fixtures/s3/with_s3.sh bash Tests/Fixtures/iceberg/with_catalog.sh bash Tests/Fixtures/pinot/with_controller.sh \
		swift test --skip-build

## Regenerates every fixture (review the diff before committing).
fixtures: python-deps
	python3 Tests/Fixtures/make_corpus_expectations.py "$(CORPUS)"
	python3 Tests/Fixtures/make_writer_matrix.py
	python3 Tests/Fixtures/time/make_sub_millisecond.py
	python3 Samples/make_sample.py

## Coverage-guided fuzzing (libFuzzer, its own package under Fuzz/): builds the targets with
## -sanitize=fuzzer and runs each for FUZZ_SECONDS (60) on its committed seeds and kept inputs.
fuzz: deps
	cd Fuzz && swift build -c release --sanitize=fuzzer
	Fuzz/run.sh

## Benchmarks (release), and the same files through pyarrow.
bench: deps python-deps
	python3 Benchmarks/make_files.py
	python3 Tests/Fixtures/iceberg/make_planning_table.py
	cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
	swift build -c release --product ingest-worker
	python3 Benchmarks/pyarrow_compare.py
	python3 Benchmarks/segment_build.py

## The main job: ingest the example Iceberg table (examples/lake, written by pyiceberg) into local
## segment tarballs, then show the task's status and one segment.
demo: deps
	@echo "== building ingest-worker (release; the first build compiles the dependencies and takes a few minutes)"
	swift build -c release --product ingest-worker
	@echo "== ingesting examples/lake/shop/orders (examples/orders-task.json) into examples/out/segments"
	rm -rf examples/out
	.build/release/ingest-worker run --config examples/orders-task.json
	@echo "== the task's status (examples/out/state/status.json)"
	.build/release/ingest-worker status --config examples/orders-task.json
	@echo "== one segment"
	.build/release/ingest-worker segment dump "$$(ls examples/out/segments/*.tar.gz | head -n 1)"

## Regenerates the example table (review the diff before committing).
example: python-deps
	python3 examples/make_example.py
