/*
 * Null hypercall round trip: N HVCs with a function ID no one implements
 * (SMCCC: the hypervisor answers NOT_SUPPORTED, -1), against the same loop
 * without the HVC.  Prints the two tick counts; bench.py does the division.
 */
#include "guest.h"

#include "bench.h"

#define HVC_ITERATIONS_DEFAULT	10000u
/* An SMCCC fast call in the standard-hypervisor range (0x86000000, DEN0028
 * 2.5) that Tessera does not implement. */
#define HVC_NULL_FN		0x86000000ull

void bench_run_hvc(void)
{
	uint64_t n = HVC_ITERATIONS_DEFAULT, fn = HVC_NULL_FN, ret = 0;

	bootargs_get_u64("hvc_iterations", &n);
	bootargs_get_u64("hvc_fn", &fn);
	if (n == 0)
		n = 1;
	uint64_t hvc = bench_hvc_loop(n, fn, &ret);
	uint64_t base = bench_base_loop(n, fn);

	gprintf("BENCH hvc_fn 0x%lx\n", fn);
	gprintf("BENCH hvc_ret %ld\n", (int64_t)ret);
	gprintf("BENCH hvc_iterations %lu\n", n);
	gprintf("BENCH hvc_loop_ticks %lu\n", hvc);
	gprintf("BENCH base_loop_ticks %lu\n", base);
}
