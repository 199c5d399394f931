# Tessera: one Makefile; each folder lists its sources in module.mk.
# Targets: all (build/tessera.bin, build/tessera.elf), deps, run, test,
# unit, system, stress, bench, debug, pictures, clean.  V=1 shows commands.
.DEFAULT_GOAL := all
include mk/toolchain.mk

Q := $(if $(V),,@)
B := build
CONFIG ?= demo
BOOT ?= kernel
# GIC=2 or GIC=3 boots `make run`/`make debug` on that QEMU virt gic-version
# instead of the scenario's own.
GIC_ARG = $(if $(GIC),--gic $(GIC))

HV_SRCS :=
HV_ASM  :=
UNIT_TESTS :=
include boot/module.mk mm/module.mk p2m/module.mk shm/module.mk dt/module.mk gic/module.mk \
        vgic/module.mk core/module.mk vdev/module.mk

HV_OBJS := $(HV_SRCS:%.c=$(B)/hv/%.o) $(HV_ASM:%.S=$(B)/hv/%.o)
HV_CFLAGS = $(TARGET_CFLAGS) -mgeneral-regs-only -mno-outline-atomics \
            -fno-tree-loop-distribute-patterns -Iinclude -Idt
# libfdt and picolibc's memcpy/memset use SIMD registers: those come from the
# prebuilt archives only; our own C stays on the general registers.
# The image is a static PIE: code is PC-relative (the small code model's
# adrp/add), pointers in data become R_AARCH64_RELATIVE entries that
# boot/entry.S applies where the boot loader put the image, before the MMU
# is on (-z notext: .rodata's pointer tables are among them).  ld writes the
# link-time values in place too (its default on AArch64), so an image loaded
# at its link address needs no work.
HV_LDFLAGS = $(filter-out -no-pie,$(TARGET_LDFLAGS)) -pie --no-dynamic-linker -z notext

.PHONY: all deps run test unit system stress bench debug clean check-headers guests pictures
all: $(B)/tessera.bin guests

deps:
	$(Q)bash tools/deps.sh

$(B)/.deps-ok: tools/deps.sh
	$(Q)bash tools/deps.sh
	$(Q)mkdir -p $(B) && touch $@

$(HV_OBJS): | $(B)/.deps-ok

$(B)/hv/%.o: %.c
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(TARGET_CC) $(HV_CFLAGS) -c $< -o $@

$(B)/hv/%.o: %.S
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  AS      $<")
	$(Q)$(TARGET_CC) $(HV_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(B)/tessera.elf: $(HV_OBJS) linker.ld
	$(if $(V),,@echo "  LD      $@")
	$(Q)$(TARGET_LD) $(HV_LDFLAGS) -T linker.ld -Map=$(B)/tessera.map \
		-o $@ $(HV_OBJS) --start-group $(TARGET_LIBS) --end-group

$(B)/tessera.bin: $(B)/tessera.elf
	$(Q)$(TARGET_OBJCOPY) -O binary $< $@

include guests/guests.mk
include bench/bench.mk
include guests/linux/linux.mk
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

# Scenarios with Linux partitions need the kernel and initramfs first
# (passthrough: and its disk image).
RUN_NEEDS = $(if $(findstring linux,$(CONFIG))$(findstring passthrough,$(CONFIG)),linux)

run: all $(B)/.deps-ok $(RUN_NEEDS)
	$(Q)/usr/bin/python3 tools/scenario.py run scenarios/$(CONFIG).scn --boot $(BOOT) $(GIC_ARG)

system: all
	$(Q)/usr/bin/python3 -m pytest -q tests/system

test: $(B)/.deps-ok
	$(Q)bash tools/run-tests.sh

# The life-cycle stress test for minutes instead of seconds (STRESS_S per
# boot, with and without -icount; STRESS_SEED picks the shell's commands).
STRESS_S ?= 240
STRESS_SEED ?= 1
stress: all
	$(Q)TESSERA_STRESS_S=$(STRESS_S) TESSERA_STRESS_SEED=$(STRESS_SEED) \
		/usr/bin/python3 -m pytest -q tests/system/test_stress.py tests/system/test_life.py

# QEMU halted, gdb-multiarch attached with the symbols and tools/gdb/tessera.py;
# GDB_PORT picks the gdbstub port, GDB_BATCH runs a command file and exits.
debug: all $(RUN_NEEDS)
	$(Q)/usr/bin/python3 tools/scenario.py debug scenarios/$(CONFIG).scn --boot $(BOOT) $(GIC_ARG) \
		$(if $(GDB_PORT),--port $(GDB_PORT)) $(if $(GDB_BATCH),--batch $(GDB_BATCH))

bench: all linux
	$(Q)/usr/bin/python3 bench/bench.py

# docs/pictures/*.svg, drawn from the consoles of the demo and of the
# tutorial's session (tools/pictures.py; tests/system/test_pictures.py
# fails when they are stale).
pictures: all
	$(Q)/usr/bin/python3 tools/pictures.py update

# Every header compiles on its own (no hidden include-order dependencies).
check-headers: | $(B)/.deps-ok
	$(Q)for h in include/*.h include/public/*.h; do \
		echo "#include \"$$h\"" | $(TARGET_CC) $(filter-out -MMD -MP,$(TARGET_CFLAGS)) -I. -Iinclude -Idt \
			-fsyntax-only -x c - || { echo "check-headers: $$h"; exit 1; }; \
	done

clean:
	rm -rf $(B)/hv $(B)/host $(B)/guests $(B)/bench $(B)/tessera.* $(B)/scenarios $(B)/test-logs

-include $(HV_OBJS:.o=.d)
