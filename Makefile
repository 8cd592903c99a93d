# A thin wrapper over CMake and CTest. The two commands a newcomer needs:
#   make demo   build and open the wizard on a sample server in a temp dir
#   make test   build (normal and ASan+UBSan) and run every test
JOBS ?= $(shell nproc)

.PHONY: all build build-asan deps deps-test demo test bench fuzz clean pot

all: build

deps:
	@sh scripts/install-deps.sh build

deps-test:
	@sh scripts/install-deps.sh test

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps-test
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHW_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

demo: build
	@sh scripts/demo.sh build/hardenwiz

test: deps-test build build-asan
	cd build && ctest --output-on-failure -j 2
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2
	@sh scripts/fuzz.sh 30

bench: build
	@sh bench/bench.sh build/hardenwiz

fuzz: deps-test
	@sh scripts/fuzz.sh 300

pot:
	xgettext -k_ -kN_ --from-code=UTF-8 -o po/hardenwiz.pot editors/*.c recipes/*.c tui/*.c

clean:
	rm -rf build build-asan build-fuzz
