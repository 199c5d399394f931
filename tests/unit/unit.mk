# Host unit tests (cmocka, ASan+UBSan).  Each tests/unit/<name>.mk adds
#   UNIT_TESTS += <name>
#   UNIT_SRCS_<name> := <hypervisor sources it tests>
#   UNIT_CFLAGS_<name> := <extra flags> (optional)
# and tests/unit/test_<name>.c holds the cases.
include $(filter-out tests/unit/unit.mk,$(wildcard tests/unit/*.mk))
UNIT_BINS := $(UNIT_TESTS:%=$(B)/host/test_%)
UNIT_INC := -Iinclude -Idt -Itests/unit

define unit_rule
$(B)/host/test_$(1): tests/unit/test_$(1).c $(UNIT_SRCS_$(1)) $(wildcard include/*.h */*_internal.h) | $(B)/.deps-ok
	$$(Q)mkdir -p $(B)/host
	$$(if $$(V),,@echo "  HOSTCC  $$@")
	$$(Q)$(HOST_CC) $(HOST_CFLAGS) $(UNIT_CFLAGS_$(1)) $(UNIT_INC) -o $$@ $$(filter %.c,$$^) $(HOST_LDFLAGS) -lcmocka -lfdt
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit-build: $(UNIT_BINS)
unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done
