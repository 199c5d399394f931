/*
 * ctl: guest side of the run-time control tests (bootargs ctl_test=):
 *   scrub   the private RAM of a partition holds nothing of its last run
 *           after a SYSTEM_RESET (scrub.c);
 *   gpio    the doorbell GPIO's registers, and rings through it (gpio.c);
 *   crash   dies, then reports that someone started it again (crash.c);
 *   hvc     the control hypercalls, allowed or refused (hvc.c);
 *   cycle, idle  churn of the life cycle and the partitions it churns (cycle.c);
 * The first shared region of /reserved-memory carries what must survive a
 * restart: it is not scrubbed (DESIGN.md §6).
 */
#include <string.h>

#include <libfdt.h>

#include "ctl.h"

#define SHM_COMPAT      "xen,shared-memory-v1"

bool ctl_first_region(uint64_t *base, uint64_t *size)
{
	const void *fdt = dt_blob();
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	int node;

	if (parent < 0)
		return false;
	fdt_for_each_subnode(node, fdt, parent) {
		if (fdt_node_check_compatible(fdt, node, SHM_COMPAT) == 0)
			return dt_reg(node, 0, base, size) == 0;
	}
	return false;
}

int main(const void *dtb)
{
	char test[CTL_ARG_MAX] = "";

	bootargs_get("ctl_test", test, sizeof(test));
	if (strcmp(test, "scrub") == 0)
		ctl_scrub(dtb);
	else if (strcmp(test, "gpio") == 0)
		ctl_gpio();
	else if (strcmp(test, "crash") == 0)
		ctl_crash();
	else if (strcmp(test, "hvc") == 0)
		ctl_hvc_test();
	else if (strcmp(test, "cycle") == 0)
		ctl_cycle();
	else if (strcmp(test, "idle") == 0)
		ctl_idle();
	else
		report_fail("ctl-test got=%s want=scrub|gpio|crash|hvc|cycle|idle",
			    test[0] ? test : "none");
	return 0;
}
