# Bare-metal EL1 test guests (guests/README.md).  Each guests/<name>/ folder
# becomes build/guests/<name>.bin, an arm64 Image linked with guests/lib/.
#   make guests             builds all of them
GUEST_NAMES := hello fpcheck smp shm irq hostile pt life ctl
GUEST_B     := $(B)/guests

GUEST_LIB_SRCS := $(wildcard guests/lib/*.c) guests/lib/start.S
GUEST_LIB_OBJS := $(patsubst guests/%,$(GUEST_B)/%.o,$(basename $(GUEST_LIB_SRCS)))

# -fno-tree-loop-distribute-patterns: lib/string.c must not become calls to
# itself.  -Iinclude: the project's types.h helpers.
GUEST_CFLAGS = $(TARGET_CFLAGS) -Iguests/lib -Iinclude -ffunction-sections \
               -fdata-sections -fno-tree-loop-distribute-patterns
# Integer-only printf (no FP in vfprintf); every section placed by guest.ld;
# one RWX segment is what a flat image run with the MMU off is.
GUEST_LDS := $(GUEST_B)/guest.ld
GUEST_LDFLAGS = $(TARGET_LDFLAGS) -T $(GUEST_LDS) \
                --defsym=vfprintf=__i_vfprintf --orphan-handling=error \
                --no-warn-rwx-segments

# The exception path runs inside fpcheck's canary window: no FP/SIMD there.
$(GUEST_B)/lib/exc.o: GUEST_EXTRA_CFLAGS := -mgeneral-regs-only
# hostile's hooks run on that path too.
$(GUEST_B)/hostile/probe.o $(GUEST_B)/hostile/attack_a32.o: GUEST_EXTRA_CFLAGS := -mgeneral-regs-only

# libfdt's headers come from `make deps`; only ask for it when missing.
GUEST_DEPS_OK := $(if $(wildcard $(LIBFDT_ARM64)),,$(B)/.deps-ok)

$(GUEST_B)/%.o: guests/%.c | $(GUEST_DEPS_OK)
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(TARGET_CC) $(GUEST_CFLAGS) $(GUEST_EXTRA_CFLAGS) -c $< -o $@

$(GUEST_B)/%.o: guests/%.S
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  AS      $<")
	$(Q)$(TARGET_CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# The linker script shares asm_defs.h with start.S through cpp.
$(GUEST_LDS): guests/lib/guest.ld.S guests/lib/asm_defs.h
	$(Q)mkdir -p $(dir $@)
	$(Q)$(TARGET_CC) -E -P -x c -Iguests/lib -D__ASSEMBLY__ $< -o $@

define guest_rules
GUEST_OBJS_$(1) := $$(patsubst guests/%,$(GUEST_B)/%.o,$$(basename \
                     $$(wildcard guests/$(1)/*.c guests/$(1)/*.S)))
$(GUEST_B)/$(1).elf: $$(GUEST_OBJS_$(1)) $(GUEST_LIB_OBJS) $(GUEST_LDS)
	$$(if $$(V),,@echo "  LD      $$@")
	$$(Q)$(TARGET_LD) $$(GUEST_LDFLAGS) -Map=$(GUEST_B)/$(1).map -o $$@ \
		$$(GUEST_OBJS_$(1)) $(GUEST_LIB_OBJS) --start-group $$(TARGET_LIBS) --end-group
$(GUEST_B)/$(1).bin: $(GUEST_B)/$(1).elf
	$$(Q)$(TARGET_OBJCOPY) -O binary $$< $$@
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_rules,$(g))))

# hello and life linked for a direct-mapped partition whose RAM is at host
# 0x70000000 (DESIGN.md §4 direct-map): the guests are not relocatable, so
# the same objects are linked a second time at that base.
GUEST_DIRECT_BASE := 0x70000000
GUEST_DIRECT_NAMES := hello life
$(GUEST_B)/guest-direct.ld: guests/lib/guest.ld.S guests/lib/asm_defs.h
	$(Q)mkdir -p $(dir $@)
	$(Q)$(TARGET_CC) -E -P -x c -Iguests/lib -D__ASSEMBLY__ \
		-DGUEST_RAM_BASE=$(GUEST_DIRECT_BASE) $< -o $@
define guest_direct_rules
$(GUEST_B)/$(1)-direct.elf: $$(GUEST_OBJS_$(1)) $(GUEST_LIB_OBJS) $(GUEST_B)/guest-direct.ld
	$$(if $$(V),,@echo "  LD      $$@")
	$$(Q)$(TARGET_LD) $$(subst $(GUEST_LDS),$(GUEST_B)/guest-direct.ld,$$(GUEST_LDFLAGS)) \
		-Map=$(GUEST_B)/$(1)-direct.map -o $$@ \
		$$(GUEST_OBJS_$(1)) $(GUEST_LIB_OBJS) --start-group $$(TARGET_LIBS) --end-group
$(GUEST_B)/$(1)-direct.bin: $(GUEST_B)/$(1)-direct.elf
	$$(Q)$(TARGET_OBJCOPY) -O binary $$< $$@
endef
$(foreach g,$(GUEST_DIRECT_NAMES),$(eval $(call guest_direct_rules,$(g))))

.PHONY: guests
guests: $(GUEST_NAMES:%=$(GUEST_B)/%.bin) $(GUEST_DIRECT_NAMES:%=$(GUEST_B)/%-direct.bin)

-include $(wildcard $(GUEST_B)/*/*.d)

# Every guest on plain QEMU virt, output lines checked (guests/qemu_check.py).
.PHONY: guests-check
guests-check: guests
	$(Q)/usr/bin/python3 guests/qemu_check.py
