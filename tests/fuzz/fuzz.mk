# libFuzzer harnesses (docs/fuzzing.md), built with clang: the host unit
# tests use gcc, and libFuzzer needs clang's -fsanitize=fuzzer.
#   make fuzz-build          build/fuzz/fuzz_<harness> for every harness
#   make fuzz-ci             corpus replay + a short run each (make test runs it)
#   make fuzz [FUZZ_TIME=s] [FUZZ_RUNS=n] [FUZZ_HARNESS=name]
#                            the long campaign, one harness after another,
#                            niced, one process (-jobs=1 in effect)
#   make fuzz-merge [FUZZ_HARNESS=name]
#                            minimise tests/fuzz/corpus/<harness> with what
#                            the campaigns found (build/fuzz/work/<harness>)
#   make fuzz-cov            line coverage of the corpus (llvm-cov)
FUZZ_CC      ?= clang
FUZZ_HARNESSES := cfg host_dt guest_fdt
FUZZ_TIME    ?= 3600
FUZZ_RUNS    ?= -1
FUZZ_HARNESS ?= $(FUZZ_HARNESSES)
FUZZ_INC     := -Iinclude -Idt -Itests/fuzz
FUZZ_BASE_CFLAGS := -std=c11 -O1 -g $(WARNINGS) -fno-omit-frame-pointer -DTS_HOST_BUILD \
                -fno-sanitize-recover=all
# The code under test gets libFuzzer's coverage instrumentation; the
# harnesses' support code (mutator, buffers, invariants) and code another
# harness tests only ASan and UBSan, so that it adds no coverage features.
FUZZ_CFLAGS  := $(FUZZ_BASE_CFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_PLAIN_CFLAGS := $(FUZZ_BASE_CFLAGS) -fsanitize=address,undefined
# Source-based coverage for fuzz-cov: the same sources, no sanitizers.
FUZZ_COV_CFLAGS := -std=c11 -O0 -g $(WARNINGS) -DTS_HOST_BUILD \
                -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping
# Per harness: FUZZ_SRCS_<name> is tested (instrumented), FUZZ_PLAIN_<name> is not.
FUZZ_SUPPORT := tests/fuzz/fuzz_common.c tests/fuzz/dtb_mutate.c
FUZZ_SRCS_cfg        := tests/fuzz/fuzz_cfg.c $(wildcard dt/cfg*.c) dt/dt_read.c
FUZZ_PLAIN_cfg       := $(FUZZ_SUPPORT) tests/fuzz/fuzz_config.c boot/host_dt.c
FUZZ_SRCS_host_dt    := tests/fuzz/fuzz_host_dt.c boot/host_dt.c dt/dt_read.c
FUZZ_PLAIN_host_dt   := $(FUZZ_SUPPORT)
FUZZ_SRCS_guest_fdt  := tests/fuzz/fuzz_guest_fdt.c dt/guest_fdt.c $(wildcard dt/cfg*.c) dt/dt_read.c
FUZZ_PLAIN_guest_fdt := $(FUZZ_SUPPORT) tests/fuzz/fuzz_config.c boot/host_dt.c
FUZZ_BINS    := $(FUZZ_HARNESSES:%=$(B)/fuzz/fuzz_%)
FUZZ_DEPS    := $(wildcard include/*.h include/public/*.h dt/*.h tests/fuzz/*.h)

$(B)/fuzz/plain/%.o: %.c $(FUZZ_DEPS)
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_PLAIN_CFLAGS) $(FUZZ_INC) -c $< -o $@

define fuzz_rule
$(B)/fuzz/fuzz_$(1): $(FUZZ_SRCS_$(1)) $(FUZZ_PLAIN_$(1):%.c=$(B)/fuzz/plain/%.o) $(FUZZ_DEPS)
	$$(Q)mkdir -p $(B)/fuzz
	$$(if $$(V),,@echo "  FUZZCC  $$@")
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INC) -o $$@ $$(filter %.c %.o,$$^) -lfdt
$(B)/fuzz/cov_$(1): $(FUZZ_SRCS_$(1)) $(FUZZ_PLAIN_$(1)) $(FUZZ_DEPS)
	$$(Q)mkdir -p $(B)/fuzz
	$$(if $$(V),,@echo "  FUZZCOV $$@")
	$$(Q)$(FUZZ_CC) $(FUZZ_COV_CFLAGS) $(FUZZ_INC) -o $$@ $$(filter %.c,$$^) -lfdt
endef
$(foreach h,$(FUZZ_HARNESSES),$(eval $(call fuzz_rule,$(h))))

.PHONY: fuzz fuzz-build fuzz-ci fuzz-merge fuzz-cov
fuzz-build: $(FUZZ_BINS)

fuzz-ci: fuzz-build
	$(Q)bash tests/fuzz/run.sh ci $(FUZZ_HARNESSES)

fuzz: fuzz-build
	$(Q)FUZZ_TIME=$(FUZZ_TIME) FUZZ_RUNS=$(FUZZ_RUNS) bash tests/fuzz/run.sh long $(FUZZ_HARNESS)

fuzz-merge: fuzz-build
	$(Q)bash tests/fuzz/run.sh merge $(FUZZ_HARNESS)

fuzz-cov: $(FUZZ_HARNESSES:%=$(B)/fuzz/cov_%)
	$(Q)bash tests/fuzz/run.sh cov $(FUZZ_HARNESS)
