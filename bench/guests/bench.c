/*
 * Bench guest: prints the CNTPCT its first instruction read, then runs the
 * measurement its bootargs select:
 *   bench=boot   (default) nothing more: figures 1-3 of DESIGN.md §11
 *   bench=hvc    null hypercall round trip (bench_hvc.c)
 *   bench=timer  virtual timer deadline to handler (bench_timer.c)
 *   bench=doorbell-tx / doorbell-rx  the shared-memory doorbell (bench_doorbell.c)
 *   bench=pt     passed-through SPI to handler (bench_pt.c)
 */
#include <string.h>

#include "guest.h"

#include "bench.h"

#define BENCH_MODE_MAX	24

uint64_t bench_first_cntpct = UINT64_MAX;	/* .data: set before BSS is used */

int main(const void *dtb)
{
	char mode[BENCH_MODE_MAX] = "boot";

	(void)dtb;
	gprintf("BENCH first_cntpct %lu\n", bench_first_cntpct);
	gprintf("BENCH cntfrq %lu\n", timer_freq());
	if (bootargs_get("bench", mode, sizeof(mode)) && strcmp(mode, "boot") != 0) {
		if (strcmp(mode, "hvc") == 0)
			bench_run_hvc();
		else if (strcmp(mode, "timer") == 0)
			bench_run_timer();
		else if (strcmp(mode, "doorbell-tx") == 0)
			bench_run_doorbell_tx();
		else if (strcmp(mode, "doorbell-rx") == 0)
			bench_run_doorbell_rx();
		else if (strcmp(mode, "pt") == 0)
			bench_run_pt();
		else
			report_fail("bench-mode got=%s want=boot|hvc|timer|doorbell-tx|doorbell-rx|pt",
				    mode);
	}
	return 0;
}
