/*
 * C side of start-up (guest.h): console, DT, PSCI conduit and bootargs, then
 * the guest's main(); plus the pieces libfdt.a and the CPUs' entry expect.
 */
#include "guest.h"

extern char _image_start[], _image_end[];

/* Debian's libfdt.a is built with the stack protector (DESIGN.md §1). */
uintptr_t __stack_chk_guard = 0x5EC0A1D5DEADB10Cull;
void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	report_fail("stack-protector got=smashed want=intact");
	report_done();
}

uint64_t guest_image_start(void)
{
	return (uint64_t)(uintptr_t)_image_start;
}

uint64_t guest_image_end(void)
{
	return (uint64_t)(uintptr_t)_image_end;
}

/* MPIDR_EL1: Aff0-Aff2 in bits [23:0], Aff3 in bits [39:32] (Arm ARM D17.2). */
#define MPIDR_AFF0_2	0xffffffull
#define MPIDR_AFF3	0xff00000000ull

uint64_t guest_read_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & (MPIDR_AFF0_2 | MPIDR_AFF3);
}

__attribute__((weak)) void guest_secondary_main(uint64_t index)
{
	(void)index;
	psci_cpu_off();
}

void guest_c_entry(const void *dtb)
{
	uint64_t uart = GUEST_UART_FALLBACK;
	int err = dt_init(dtb);

	if (err == 0)
		err = dt_stdout_base(&uart);
	uart_init(uart);
	if (err != 0) {
		report_fail("dt %p got=%d want=0", dtb, err);
		report_done();
	}
	bool found;	/* no /psci method: HVC, Tessera's conduit (DESIGN.md §5) */
	psci_set_conduit_smc(dt_psci_is_smc(&found));
	bootargs_init(dt_bootargs());
	main(dtb);
	report_done();
}
