# A thin wrapper over CMake and CTest. The two commands a newcomer needs:
#   make demo   build and open the wizard on a sample server in a temp dir
#   make test   build (normal and ASan+UBSan) and run every test
JOBS ?= $(shell nproc)
CONFIGURE = cmake -S . -B

.PHONY: all build build-test build-asan deps deps-test demo test bench \
	fuzz clean pot po-zh-tw fresh-check test-trixie install uninstall

all: build

deps:
	@sh scripts/install-deps.sh build

deps-test:
	@sh scripts/install-deps.sh test

# The program alone: needs only the build packages.
build: deps
	@$(CONFIGURE) build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build -j $(JOBS)

# The same tree with every test: a missing test package fails here.
build-test: deps-test
	@$(CONFIGURE) build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DHW_TESTS=ON -DHW_REQUIRE_TESTS=ON >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps-test
	@$(CONFIGURE) build-asan -DCMAKE_BUILD_TYPE=Debug -DHW_SANITIZE=ON \
	    -DHW_TESTS=ON -DHW_REQUIRE_TESTS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the program in PREFIX/sbin,
# its man pages, translations, bash completion and example recipes, built
# in INSTALL_BUILD for PREFIX (the translations' directory is compiled in).
# make uninstall removes what that install listed in its manifest.
PREFIX ?= /usr/local
INSTALL_BUILD ?= build
install: deps
	@$(CONFIGURE) $(INSTALL_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_INSTALL_PREFIX="$(PREFIX)" -DHW_TESTS=OFF >/dev/null
	@cmake --build $(INSTALL_BUILD) -j $(JOBS)
	@DESTDIR="$(DESTDIR)" cmake --install $(INSTALL_BUILD)

uninstall:
	@DESTDIR="$(DESTDIR)" sh scripts/uninstall.sh \
	    $(INSTALL_BUILD)/install_manifest.txt

demo: build
	@sh scripts/demo.sh build/hardenwiz

test: build-test build-asan
	cd build && ctest --output-on-failure -j 2
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2
	@sh scripts/fuzz.sh 30
	@sh scripts/trixie-tier.sh

# The Debian 13 tier alone: every test inside a cached trixie root.
test-trixie:
	@sh scripts/trixie-tier.sh

bench: build
	@sh bench/bench.sh build/hardenwiz

fuzz: deps-test
	@sh scripts/fuzz.sh 300

# Build as a newcomer would on freshly bootstrapped Debian 12 and 13 roots
# (debootstrap from Debian's mirror): proves the install steps are complete.
# SUITES="trixie" checks one.
fresh-check:
	@sh scripts/fresh-check.sh $(SUITES)

# The template from the sources, then every translation merged with it
# (new strings arrive untranslated; t0190 fails until they are done).
pot:
	xgettext -k_ -kN_ -kngettext:1,2 --from-code=UTF-8 --package-name=hardenwiz \
	    --add-comments=TRANSLATORS: -o po/hardenwiz.pot \
	    editors/*.c editors/*/*.c recipes/*.c tui/*.c
	for l in $$(grep -v '^#' po/LINGUAS); do \
	    msgmerge -q --update --backup=none po/$$l.po po/hardenwiz.pot; done

# zh_TW.po is made from zh_CN.po (OpenCC and po/zh-tw.py's terms).
po-zh-tw:
	python3 po/zh-tw.py

clean:
	rm -rf build build-asan build-fuzz
