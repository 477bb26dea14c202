# The two commands of README.md: `make demo` and `make test`.
SWIFT ?= swift
# Tests that also run under ThreadSanitizer (the whole suite is too slow there).
TSAN_FILTER ?= MPMCQueueStressTests|QueueDropTests|AtomicShimTests|WorkerPoolTests|ParallelExecutorTSanTests|concurrentVerifiersAgree|PrecheckStageTests/resultsDoNotDependOnWorkersOrChunks|PipelineTests|StateStoreTests|LMDBReaderTests|ParallaxTrieTests|DeclaredAccessTSanTests|AdaptiveExecutorTests

.PHONY: deps demo docs test test-unit test-docs test-tsan test-statetests test-mainnet-blocks test-precompiles test-ed25519 test-fuzz fuzz release example

deps:
	bash scripts/install-deps.sh

release: deps
	$(SWIFT) build -c release --product parallax-perf

demo: release
	.build/release/parallax-perf demo

test: test-unit test-docs test-tsan test-statetests test-mainnet-blocks test-precompiles test-ed25519 test-fuzz example

test-unit: deps
	bash scripts/install-python-deps.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The DocC archive of the Parallax product (Sources/Parallax/Parallax.docc and the doc comments of
# everything `import Parallax` gives), DocC warnings as errors, after checking that every public
# declaration of that surface has a doc comment. See scripts/docs.sh; the archive is written to
# .build/plugins/Swift-DocC/outputs/Parallax.doccarchive.
docs: deps
	SWIFT=$(SWIFT) bash scripts/docs.sh

# The same in make test, after test-unit: it reuses that debug build (about 15 s on 2 vCPUs).
test-docs: deps
	SWIFT=$(SWIFT) bash scripts/docs.sh

test-tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_FILTER)'

# The Cancun state tests (release build) with pass-count ratchets: the EVM alone,
# and the same vectors as EVM transactions through the parallel executor; then
# the multi-fork state tests, Frontier to Shanghai, with a ratchet per fork and
# executor (Tests/Fixtures/statetests-forks.passed).
# The two Cancun runs go at once (one core each); the parallel one leaves out
# CALLBlake2f_MaxRounds (105 s of BLAKE2b rounds, kept in the direct run).
test-statetests: deps
	bash scripts/statetests.sh --prepare
	export PARALLAX_EVM="$$($(SWIFT) build -c release --show-bin-path)/parallax-evm"; \
	bash scripts/statetests.sh --executor direct & direct=$$!; \
	STATETESTS_RATCHET=Tests/Fixtures/statetests-cancun-parallel.passed STATETESTS_SKIP=CALLBlake2f_MaxRounds.json \
	  bash scripts/statetests.sh --executor parallel; parallel=$$?; \
	wait $$direct; direct=$$?; test $$direct -eq 0 && test $$parallel -eq 0
	bash scripts/statetests-forks.sh

# The 41 mainnet blocks of Tests/Fixtures/mainnet-blocks.tar.xz (release build): receipts root
# (from Byzantium), logs bloom and gas used against each header, sequential and parallel at 1, 2, 4, 8 threads.
test-mainnet-blocks: deps
	bash scripts/mainnet-blocks.sh

# The precompiles' C arithmetic against Python references (py_ecc, ckzg), under
# ASan/UBSan, and a short libFuzzer run over their input parsers.
test-precompiles: deps
	bash scripts/precompiles.sh --fuzz-seconds 20

# The Ed25519 shim outside SwiftPM, optimized, under ASan/UBSan with the radix-2^25.5
# bound checks: every dispatch path and MSM method against each other and libsodium.
test-ed25519: deps
	sh scripts/ed25519/run.sh test 120

# libFuzzer over what arrives from outside (docs/fuzzing.md): the transaction
# envelope and the precheck stage, the topology config, RLP, Ethereum
# transactions, and EVM bytecode run by the sequential executor and Block-STM.
# One ASan build (.build-fuzz), then each target for FUZZ_SECONDS; CI gives each 15 s.
FUZZ_SECONDS ?= 60
fuzz: deps
	SWIFT=$(SWIFT) bash scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

test-fuzz: deps
	SWIFT=$(SWIFT) bash scripts/fuzz.sh --seconds 15

# The outside package of Examples/CustomContract: links Parallax by path and runs a few blocks.
example: deps
	cd Examples/CustomContract && $(SWIFT) run CustomContract
