#pragma once
/*
 * guests/hostile: a partition that attacks the hypervisor from the inside
 * (guests/README.md, "hostile"), and the honest partition that runs beside
 * it and checks that nothing of its own changed.  main.c picks the role
 * (`hostile_role=attacker|honest`) and runs the attacks `attacks=` names;
 * each attack_*.c file holds one group and reports what it saw as PASS/FAIL
 * lines.  Every device address comes from the DT (platform_*).
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

/* ---- what the DT says (main.c) ---------------------------------------- */

#define PLAT_MAX_SHM		4

struct platform {
	uint64_t uart, uart_size;
	uint32_t uart_intid;		/* from its "interrupts" (an SPI), 0 if none */
	uint32_t doorbell_intid;	/* the /hypervisor node's, 0 if none */
	uint64_t gicd, gicd_size;
	uint64_t gicr, gicr_size;	/* every vCPU's redistributor frames; on a
					   GICv2 the CPU interface (the GICV frame) */
	bool gic_v2;			/* the DT's GIC is a GICv2 */
	struct dt_range ram[DT_MAX_RANGES];
	int nram;
	struct dt_range shm[PLAT_MAX_SHM];
	int nshm;
	int ncpus;
};

extern struct platform plat;

/* True when [addr, addr + size) touches RAM, a shared region or a device. */
bool platform_is_known(uint64_t addr, uint64_t size);
/* A 2 MiB block below 4 GiB that nothing in the DT covers (AArch32 reaches it). */
uint64_t platform_hole_below_4g(void);

/* ---- the shared control block (main.c, honest.c) ----------------------- */

/*
 * In the first shared region: the honest partition's pattern fills the first
 * half, the control words sit at the start of the second half.  Each
 * partition writes only its own words.  With the MMU off every access is
 * Device-nGnRnE: ordered and uncached, so plain volatile accesses suffice.
 */
#define CTL_MAGIC		0x48535431u	/* "1TSH" */

struct shm_ctl {
	volatile uint32_t attacker_magic;
	volatile uint32_t resets;	/* SYSTEM_RESETs the attacker has done */
	volatile uint32_t attacker_done;	/* CTL_MAGIC once every attack ran */
	volatile uint32_t debug_kept;	/* resets after which debug/PMU state survived */
	volatile uint64_t debug_mark;	/* MDSCR_EL1 value written before a reset */
	volatile uint32_t honest_magic;
	volatile uint32_t honest_ready;	/* CTL_MAGIC once the pattern is written */
};

/* NULL when the DT has no shared region. */
struct shm_ctl *shm_ctl(void);
/* The honest partition's half of the first shared region. */
uint64_t shm_pattern_base(void);
uint64_t shm_pattern_size(void);
uint64_t shm_pattern_word(uint64_t addr);

/* ---- capturing the exceptions an access raises (probe.c) -------------- */

struct probe {
	bool hit;		/* an exception was taken */
	uint64_t esr, far, elr;
};

#define ESR_EC_UNKNOWN		0x00u
#define ESR_EC_SVC32		0x11u
#define ESR_DFSC_EXTABT		0x10u	/* synchronous external abort: what Tessera injects */

/* Install the hook (main.c calls it once). */
void probe_init(void);
/*
 * Arm: the next synchronous exception at EL1 is recorded and its instruction
 * skipped (ELR += 4).  probe_end disarms and returns what was seen.
 */
void probe_begin(void);
struct probe probe_end(void);
/* Hands exceptions from EL0 to @fn (AArch32 tests); NULL removes it. */
void probe_set_lower_hook(exc_hook_fn *fn);

/* Runs one A64 instruction word with x0 = @x0 in and out (Rt = 0). */
uint64_t insn_exec(uint32_t insn, uint64_t x0);
/* MRS/MSR/SYS encodings (Arm ARM C5.2/C6.2 "System instruction class"). */
uint32_t insn_mrs(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2);
uint32_t insn_msr(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2);
uint32_t insn_sys(unsigned op1, unsigned crn, unsigned crm, unsigned op2);

/* Reads (or writes) a system register by encoding under a probe. */
struct probe sysreg_try_read(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			     unsigned op2, uint64_t *val);
struct probe sysreg_try_write(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
			      unsigned op2, uint64_t val);

static inline unsigned probe_ec(const struct probe *p)
{
	return exc_esr_ec(p->esr);
}

/* An abort Tessera injected: data abort at EL1, synchronous external abort. */
static inline bool probe_is_injected_abort(const struct probe *p)
{
	return p->hit && probe_ec(p) == ESR_EC_DABT_CUR &&
	       (p->esr & ESR_DFSC_MASK) == ESR_DFSC_EXTABT;
}

static inline bool probe_is_undef(const struct probe *p)
{
	return p->hit && probe_ec(p) == ESR_EC_UNKNOWN;
}

/* ---- the guest's own GIC and virtual timer (attack_irq.c) ------------- */

#define INTID_VTIMER		27u
/* GIC set up for this CPU (again: the gic attack scrambles it); false on failure. */
bool irq_setup(void);
/* Fire the virtual timer in @us; vtimer_drain takes its interrupt (deactivating the physical PPI). */
void vtimer_arm_us(uint64_t us);
bool vtimer_drain(void);

/* ---- stage 1 for the attacks that need Normal memory (mmu.c) ---------- */

/* Identity map of the low 512 GiB as Normal non-cacheable; MMU on / off. */
void mmu_on(void);
void mmu_off(void);

/* ---- deterministic pseudo-random numbers (main.c) ---------------------- */

uint64_t rng_next(void);
void rng_seed(uint64_t seed);

/* ---- the attacks (attack_*.c), run by name from main.c ------------------ */

void attack_pmu(void);
void attack_debug(void);
void attack_sysregs(void);
void attack_aarch32(void);
void attack_mmio_edges(void);
void attack_mmio_nosyndrome(void);
void attack_gic(void);
void attack_sgi(void);
void attack_uart(void);
void attack_flood(void);
void attack_hvc(void);
void attack_psci(void);
void attack_cache(void);
void attack_ipa(void);
void attack_irq_flood(void);
void uart_register_sweep(void);
void gic_route_absent(void);

/* The debug and PMU state left before a SYSTEM_RESET must be gone after it. */
void attack_debug_mark(struct shm_ctl *ctl);
void attack_debug_check_reset(struct shm_ctl *ctl);

/* The honest partition's whole run (honest.c). */
void honest_main(void);
