# libFuzzer harnesses (docs/fuzzing.md), built with clang: the host unit
# tests use gcc, and libFuzzer needs clang's -fsanitize=fuzzer.
#   make fuzz-build          build/fuzz/fuzz_<harness> for every harness
#   make fuzz-ci             corpus replay + a short run each (make test runs it)
#   make fuzz [FUZZ_TIME=s] [FUZZ_HARNESS=name]
#                            the long campaign, one harness after another,
#                            niced, one process (-jobs=1 in effect)
#   make fuzz-merge [FUZZ_HARNESS=name]
#                            minimise tests/fuzz/corpus/<harness> with what
#                            the campaigns found (build/fuzz/work/<harness>)
#   make fuzz-cov            line coverage of the corpus (llvm-cov)
# Each harness is tests/fuzz/fuzz_<name>.c plus FUZZ_SRCS_<name>.
FUZZ_CC      ?= clang
FUZZ_HARNESSES := cfg host_dt guest_fdt
FUZZ_TIME    ?= 3600
FUZZ_HARNESS ?= $(FUZZ_HARNESSES)
FUZZ_INC     := -Iinclude -Idt -Iboot -Itests/fuzz
FUZZ_CFLAGS  := -std=c11 -O1 -g $(WARNINGS) -fno-omit-frame-pointer -DTS_HOST_BUILD \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# Source-based coverage for fuzz-cov: the same sources, no sanitizers.
FUZZ_COV_CFLAGS := -std=c11 -O0 -g $(WARNINGS) -DTS_HOST_BUILD \
                -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping
FUZZ_COMMON  := tests/fuzz/fuzz_common.c tests/fuzz/dtb_mutate.c boot/host_dt.c
FUZZ_SRCS_cfg       := tests/fuzz/fuzz_config.c $(wildcard dt/cfg*.c)
FUZZ_SRCS_host_dt   :=
FUZZ_SRCS_guest_fdt := tests/fuzz/fuzz_config.c $(wildcard dt/cfg*.c) dt/guest_fdt.c
FUZZ_BINS    := $(FUZZ_HARNESSES:%=$(B)/fuzz/fuzz_%)
FUZZ_DEPS    := $(wildcard include/*.h include/public/*.h dt/*.h boot/host_dt.h tests/fuzz/*.h)

define fuzz_rule
$(B)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_COMMON) $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS)
	$$(Q)mkdir -p $(B)/fuzz
	$$(if $$(V),,@echo "  FUZZCC  $$@")
	$$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INC) -o $$@ $$(filter %.c,$$^) -lfdt
$(B)/fuzz/cov_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_COMMON) $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS)
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
	$(Q)FUZZ_TIME=$(FUZZ_TIME) bash tests/fuzz/run.sh long $(FUZZ_HARNESS)

fuzz-merge: fuzz-build
	$(Q)bash tests/fuzz/run.sh merge $(FUZZ_HARNESS)

fuzz-cov: $(FUZZ_HARNESSES:%=$(B)/fuzz/cov_%)
	$(Q)bash tests/fuzz/run.sh cov $(FUZZ_HARNESS)
