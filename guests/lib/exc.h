#pragma once
/*
 * EL1 exception handling.  Every vector saves the GPRs into an exc_frame and
 * calls exc_handle().  Data aborts taken while "expect aborts" is on are
 * counted and skipped (ELR += 4); the guest's sync hook sees every
 * synchronous exception first (this EL's and those taken from EL0);
 * anything unhandled prints a FAIL line and powers off.
 */
#include <stdbool.h>
#include <stdint.h>

struct exc_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t kind;		/* EXC_KIND_* (asm_defs.h) */
};

/* ESR_EL1 fields, Arm ARM D17.2.37. */
#define ESR_EC_SHIFT		26
#define ESR_EC_MASK		0x3full
#define ESR_EC_DABT_CUR		0x25u	/* data abort taken without EL change */
#define ESR_EC_DABT_LOW		0x24u
#define ESR_DFSC_MASK		0x3full
#define A64_INSN_SIZE		4

static inline unsigned exc_esr_ec(uint64_t esr)
{
	return (unsigned)((esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
}

/* Return true when the exception is handled (frame may be changed). */
typedef bool exc_hook_fn(struct exc_frame *f);

void exc_set_sync_hook(exc_hook_fn *hook);
/* On: same-EL data aborts are counted and the access skipped. */
void exc_expect_aborts(bool on);
uint64_t exc_abort_count(void);
uint64_t exc_last_abort_far(void);
uint64_t exc_last_abort_esr(void);
void exc_handle(struct exc_frame *f);
