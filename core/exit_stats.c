/*
 * What the shell's stats call each kind of guest exit: struct pcpu.exits
 * counts one per exception class (core/trap.c), and these tables fold them
 * into the reasons of enum exit_reason.  Apart from core/trap.c so that the
 * exit path's tables stay alone in its read-only data.
 */
#include "sysreg.h"
#include "trap.h"

const char *const exit_reason_names[EXIT_REASONS] = {
	[EXIT_OTHER] = "other", [EXIT_HVC] = "hvc", [EXIT_SMC] = "smc", [EXIT_DABT] = "dabt",
	[EXIT_IABT] = "iabt", [EXIT_SYSREG] = "sysreg", [EXIT_IRQ] = "irq", [EXIT_SERROR] = "serror",
};

/* The stats' name for each exception class; every other class counts as EXIT_OTHER (0). */
static const uint8_t exit_reason_of[PCPU_EXIT_KINDS] = {
	[ESR_EC_HVC64]    = EXIT_HVC,
	[ESR_EC_SMC64]    = EXIT_SMC,
	[ESR_EC_DABT_LOW] = EXIT_DABT,
	[ESR_EC_IABT_LOW] = EXIT_IABT,
	[ESR_EC_SYS64]    = EXIT_SYSREG,
	[PCPU_EXIT_IRQ]   = EXIT_IRQ,
	[PCPU_EXIT_SERROR] = EXIT_SERROR,
};
_Static_assert(ESR_EC_COUNT == PCPU_EXIT_ECS, "struct pcpu.exits has a counter per EC");

void trap_exits_by_reason(const uint64_t exits[PCPU_EXIT_KINDS], uint64_t by[EXIT_REASONS])
{
	for (unsigned int k = 0; k < PCPU_EXIT_KINDS; k++)
		by[exit_reason_of[k]] += exits[k];
}
