/*
 * Debian's libfdt.a is built with the stack protector (DESIGN §1): it needs
 * a guard value and a failure handler.  A smashed stack in the hypervisor is
 * a hypervisor bug: report and power off.
 */
#include "console.h"
#include "partition.h"
#include "psci.h"

uintptr_t __stack_chk_guard = 0x5e55e7a1c0ffee42ull;

void __stack_chk_fail(void) __attribute__((noreturn));
void __stack_chk_fail(void)
{
	console_puts_raw("(tessera) PANIC: stack smashing detected in libfdt\r\n");
	psci_host_system_off();
}
