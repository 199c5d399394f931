# The bench guest (bench/guests/, docs/benchmarks.md): one arm64 Image,
# build/bench/guests/bench.bin, linked with guests/lib/ except its start.S
# (bench_start.S replaces it: the image's first instruction reads CNTPCT).
#   make bench-guests       builds it (bench/bench.py calls this)
# Include after guests/guests.mk: it reuses GUEST_CFLAGS, GUEST_LDFLAGS,
# the linker script and the library objects.
BENCH_GUEST_B := $(B)/bench/guests
BENCH_GUEST_OBJS := $(patsubst bench/guests/%,$(BENCH_GUEST_B)/%.o,$(basename \
                      $(wildcard bench/guests/*.c bench/guests/*.S)))
BENCH_LIB_OBJS := $(filter-out $(GUEST_B)/lib/start.o,$(GUEST_LIB_OBJS))

$(BENCH_GUEST_B)/%.o: bench/guests/%.c | $(GUEST_DEPS_OK)
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(TARGET_CC) $(GUEST_CFLAGS) -Ibench/guests -c $< -o $@

$(BENCH_GUEST_B)/%.o: bench/guests/%.S
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  AS      $<")
	$(Q)$(TARGET_CC) $(GUEST_CFLAGS) -Ibench/guests -D__ASSEMBLY__ -c $< -o $@

$(BENCH_GUEST_B)/bench.elf: $(BENCH_GUEST_OBJS) $(BENCH_LIB_OBJS) $(GUEST_LDS)
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(TARGET_LD) $(GUEST_LDFLAGS) -Map=$(BENCH_GUEST_B)/bench.map -o $@ \
		$(BENCH_GUEST_OBJS) $(BENCH_LIB_OBJS) --start-group $(TARGET_LIBS) --end-group

$(BENCH_GUEST_B)/bench.bin: $(BENCH_GUEST_B)/bench.elf
	$(Q)$(TARGET_OBJCOPY) -O binary $< $@

.PHONY: bench-guests
bench-guests: $(BENCH_GUEST_B)/bench.bin

-include $(wildcard $(BENCH_GUEST_B)/*.d)
