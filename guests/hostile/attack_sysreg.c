/*
 * System-register attacks: the PMU (which would count the hypervisor's
 * cycles), the self-hosted debug registers (state that must not outlive a
 * restart), EL2/EL3 registers, the ID registers and every IMPLEMENTATION
 * DEFINED encoding.  Encodings are from the Arm ARM (DDI 0487) register
 * descriptions, written op0, op1, CRn, CRm, op2.
 */
#include "hostile.h"

struct enc {
	uint8_t op0, op1, crn, crm, op2;
	const char *name;
};

/* ID_AA64DFR0_EL1 (D19.2.x): PMUVer [11:8], BRPs [15:12], WRPs [23:20]. */
#define DFR0_PMUVER_SHIFT	8
#define DFR0_BRPS_SHIFT		12
#define DFR0_WRPS_SHIFT		20
#define FIELD4(v, s)		(((v) >> (s)) & 0xfu)

/* PMU registers (D23.5, "Performance Monitors registers"). */
static const struct enc pmu_regs[] = {
	{ 3, 3, 9, 12, 0, "PMCR_EL0" },       { 3, 3, 9, 12, 1, "PMCNTENSET_EL0" },
	{ 3, 3, 9, 12, 2, "PMCNTENCLR_EL0" }, { 3, 3, 9, 12, 3, "PMOVSCLR_EL0" },
	{ 3, 3, 9, 12, 4, "PMSWINC_EL0" },    { 3, 3, 9, 12, 5, "PMSELR_EL0" },
	{ 3, 3, 9, 12, 6, "PMCEID0_EL0" },    { 3, 3, 9, 12, 7, "PMCEID1_EL0" },
	{ 3, 3, 9, 13, 0, "PMCCNTR_EL0" },    { 3, 3, 9, 13, 1, "PMXEVTYPER_EL0" },
	{ 3, 3, 9, 13, 2, "PMXEVCNTR_EL0" },  { 3, 3, 9, 14, 0, "PMUSERENR_EL0" },
	{ 3, 3, 9, 14, 3, "PMOVSSET_EL0" },   { 3, 0, 9, 14, 1, "PMINTENSET_EL1" },
	{ 3, 0, 9, 14, 2, "PMINTENCLR_EL1" }, { 3, 0, 9, 14, 6, "PMMIR_EL1" },
	{ 3, 3, 14, 15, 7, "PMCCFILTR_EL0" },
};
#define PMEVCNTR_CRM		8	/* PMEVCNTR<n>_EL0: CRm = 0b10:n[4:3], op2 = n[2:0] */
#define PMEVTYPER_CRM		12	/* PMEVTYPER<n>_EL0: CRm = 0b11:n[4:3] */
#define PMU_EVENT_COUNTERS	31

#define PMCR_E			(1ull << 0)
#define PMCR_C			(1ull << 2)	/* cycle counter reset */
#define PMCNTEN_C		(1ull << 31)
#define PMCCFILTR_NSH		(1ull << 27)	/* count at EL2 */
#define EL2_ROUND_TRIPS		64

/* Debug registers (D23.3): MDSCR_EL1 fields the emulation keeps. */
#define MDSCR_KDE		(1ull << 13)
#define MDSCR_MDE		(1ull << 15)
#define OSLSR_OSLK		(1ull << 1)
static const struct enc MDSCR_EL1 = { 2, 0, 0, 2, 2, "MDSCR_EL1" };
static const struct enc OSLAR_EL1 = { 2, 0, 1, 0, 4, "OSLAR_EL1" };
static const struct enc OSLSR_EL1 = { 2, 0, 1, 1, 4, "OSLSR_EL1" };
static const struct enc debug_rw_regs[] = {
	{ 2, 0, 1, 3, 4, "OSDLR_EL1" },   { 2, 0, 1, 4, 4, "DBGPRCR_EL1" },
	{ 2, 0, 0, 2, 0, "MDCCINT_EL1" }, { 2, 0, 7, 8, 6, "DBGCLAIMSET_EL1" },
	{ 2, 0, 7, 9, 6, "DBGCLAIMCLR_EL1" }, { 2, 0, 0, 0, 2, "OSDTRRX_EL1" },
	{ 2, 0, 0, 3, 2, "OSDTRTX_EL1" }, { 2, 0, 0, 6, 2, "OSECCR_EL1" },
	{ 2, 3, 0, 4, 0, "DBGDTR_EL0" },
};
static const struct enc debug_ro_regs[] = {
	{ 2, 0, 1, 0, 0, "MDRAR_EL1" }, { 2, 3, 0, 1, 0, "MDCCSR_EL0" },
	{ 2, 0, 7, 14, 6, "DBGAUTHSTATUS_EL1" },
};
#define DBGBVR_OP2		4	/* DBGBVR<n>_EL1: 2, 0, 0, n, 4 */
#define DBGBCR_OP2		5
#define DBGWVR_OP2		6
#define DBGWCR_OP2		7

static struct probe rd(const struct enc *e, uint64_t *v)
{
	return sysreg_try_read(e->op0, e->op1, e->crn, e->crm, e->op2, v);
}

static struct probe wr(const struct enc *e, uint64_t v)
{
	return sysreg_try_write(e->op0, e->op1, e->crn, e->crm, e->op2, v);
}

static uint64_t id_aa64dfr0(void)
{
	uint64_t v;
	sysreg_try_read(3, 0, 0, 5, 0, &v);
	return v;
}

/* ---- PMU ---------------------------------------------------------------- */

/* Read and write one PMU register: both must be undefined (the PMU is hidden). */
static bool pmu_reg_hidden(const struct enc *e, const char **bad)
{
	uint64_t v;
	struct probe r = rd(e, &v);
	struct probe w = wr(e, 0);
	if (probe_is_undef(&r) && probe_is_undef(&w))
		return true;
	if (*bad == NULL)
		*bad = e->name;
	return false;
}

static unsigned pmu_counters_hidden(const char **bad, unsigned *total)
{
	unsigned ok = 0;
	for (unsigned n = 0; n < PMU_EVENT_COUNTERS; n++) {
		const struct enc cnt = { 3, 3, 14, (uint8_t)(PMEVCNTR_CRM + n / 8), (uint8_t)(n % 8),
					 "PMEVCNTR<n>_EL0" };
		const struct enc typ = { 3, 3, 14, (uint8_t)(PMEVTYPER_CRM + n / 8),
					 (uint8_t)(n % 8), "PMEVTYPER<n>_EL0" };
		ok += pmu_reg_hidden(&cnt, bad) + pmu_reg_hidden(&typ, bad);
		*total += 2;
	}
	return ok;
}

/*
 * Try to count the hypervisor's cycles: cycle counter on, EL2 included
 * (PMCCFILTR_EL0.NSH), then HVCs between two reads.  Any increase is a
 * timing channel into EL2.
 */
static void pmu_count_el2(void)
{
	static const struct enc pmcr = { 3, 3, 9, 12, 0, "PMCR_EL0" };
	static const struct enc cnten = { 3, 3, 9, 12, 1, "PMCNTENSET_EL0" };
	static const struct enc filt = { 3, 3, 14, 15, 7, "PMCCFILTR_EL0" };
	static const struct enc ccnt = { 3, 3, 9, 13, 0, "PMCCNTR_EL0" };
	wr(&filt, PMCCFILTR_NSH);
	wr(&pmcr, PMCR_E | PMCR_C);
	wr(&cnten, PMCNTEN_C);
	uint64_t before, after;
	struct probe p0 = rd(&ccnt, &before);
	for (int i = 0; i < EL2_ROUND_TRIPS; i++)
		psci_version();
	struct probe p1 = rd(&ccnt, &after);
	wr(&pmcr, 0);
	if (p0.hit && p1.hit)
		report_pass("pmu-el2-cycles not countable");
	else
		report_fail("pmu-el2-cycles got=%lu want=undef", after - before);
}

void attack_pmu(void)
{
	unsigned pmuver = FIELD4(id_aa64dfr0(), DFR0_PMUVER_SHIFT);
	report_check_hex("pmu-hidden ID_AA64DFR0_EL1.PMUVer", pmuver, 0);
	const char *bad = NULL;
	unsigned total = 0, ok = 0;
	for (size_t i = 0; i < ARRAY_SIZE(pmu_regs); i++, total++)
		ok += pmu_reg_hidden(&pmu_regs[i], &bad);
	ok += pmu_counters_hidden(&bad, &total);
	if (ok == total)
		report_pass("pmu-registers undefined %u", total);
	else
		report_fail("pmu-registers first %s got=%u want=%u undefined", bad, ok, total);
	pmu_count_el2();
}

/* ---- debug -------------------------------------------------------------- */

/* A register Linux writes at boot must keep working: no undef, and it reads back. */
static void debug_readback(const struct enc *e, uint64_t val, uint64_t want)
{
	uint64_t got = ~0ull;
	struct probe w = wr(e, val);
	struct probe r = rd(e, &got);
	if (w.hit || r.hit)
		report_fail("debug-%s esr 0x%lx got=exception want=0x%lx", e->name,
			    w.hit ? w.esr : r.esr, want);
	else if (got != want)
		report_fail("debug-%s got=0x%lx want=0x%lx", e->name, got, want);
	else
		report_pass("debug-%s 0x%lx", e->name, want);
}

static void debug_os_lock(void)
{
	uint64_t locked = 0, unlocked = ~0ull;
	struct probe a = wr(&OSLAR_EL1, 1);
	struct probe b = rd(&OSLSR_EL1, &locked);
	struct probe c = wr(&OSLAR_EL1, 0);
	struct probe d = rd(&OSLSR_EL1, &unlocked);
	if (a.hit || b.hit || c.hit || d.hit)
		report_fail("debug-os-lock got=exception want=emulated");
	else if (!(locked & OSLSR_OSLK) || (unlocked & OSLSR_OSLK))
		report_fail("debug-os-lock got=0x%lx/0x%lx want=OSLK-set/clear", locked, unlocked);
	else
		report_pass("debug-os-lock");
}

/*
 * What Linux writes at boot besides MDSCR_EL1 and the OS lock must not fault:
 * OSDLR_EL1 (suspend/resume) and the breakpoint and watchpoint registers it
 * clears (arch/arm64/kernel/hw_breakpoint.c).
 */
static void debug_linux_boot(void)
{
	static const struct enc regs[] = {
		{ 2, 0, 1, 3, 4, "OSDLR_EL1" }, { 2, 0, 0, 0, DBGBVR_OP2, "DBGBVR0_EL1" },
		{ 2, 0, 0, 0, DBGBCR_OP2, "DBGBCR0_EL1" }, { 2, 0, 0, 0, DBGWVR_OP2, "DBGWVR0_EL1" },
		{ 2, 0, 0, 0, DBGWCR_OP2, "DBGWCR0_EL1" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		uint64_t v;
		struct probe w = wr(&regs[i], 0);
		struct probe r = rd(&regs[i], &v);
		if (w.hit || r.hit) {
			report_fail("debug-linux-boot %s got=esr-0x%lx want=access", regs[i].name,
				    w.hit ? w.esr : r.esr);
			return;
		}
	}
	report_pass("debug-linux-boot registers accessible");
}

/*
 * Nothing a guest writes reaches the debug hardware: every other debug
 * register, written with all ones, is either undefined (absent) or reads as
 * zero.  Breakpoints and watchpoints too: a value that reads back would be
 * state living on in the CPU.
 */
static unsigned debug_reg_kept(const struct enc *e, bool writable, const char **first)
{
	uint64_t v = 0;
	struct probe w = writable ? wr(e, ~0ull) : (struct probe){ 0 };
	struct probe r = rd(e, &v);
	if (writable)
		wr(e, 0);
	bool harmless = (probe_is_undef(&r) && (!writable || probe_is_undef(&w))) ||
			(!r.hit && !w.hit && v == 0);
	if (!harmless && *first == NULL)
		*first = e->name;
	return !harmless;
}

static void debug_harmless(void)
{
	uint64_t dfr0 = id_aa64dfr0();
	unsigned nbrp = FIELD4(dfr0, DFR0_BRPS_SHIFT) + 1, nwrp = FIELD4(dfr0, DFR0_WRPS_SHIFT) + 1;
	unsigned kept = 0, total = 0;
	const char *first = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(debug_rw_regs); i++, total++)
		kept += debug_reg_kept(&debug_rw_regs[i], true, &first);
	for (size_t i = 0; i < ARRAY_SIZE(debug_ro_regs); i++, total++)
		kept += debug_reg_kept(&debug_ro_regs[i], false, &first);
	for (unsigned n = 0; n < nbrp || n < nwrp; n++)
		for (unsigned op2 = DBGBVR_OP2; op2 <= DBGWCR_OP2; op2++) {
			if (n >= (op2 <= DBGBCR_OP2 ? nbrp : nwrp))
				continue;
			const struct enc e = { 2, 0, 0, (uint8_t)n, (uint8_t)op2, "DBG[BW][VC]R<n>_EL1" };
			kept += debug_reg_kept(&e, true, &first);
			total++;
		}
	if (kept == 0)
		report_pass("debug-registers harmless %u", total);
	else
		report_fail("debug-registers first %s got=%u want=0 kept", first, kept);
}

void attack_debug(void)
{
	debug_readback(&MDSCR_EL1, MDSCR_MDE | MDSCR_KDE, MDSCR_MDE | MDSCR_KDE);
	debug_readback(&MDSCR_EL1, 0, 0);
	debug_os_lock();
	debug_linux_boot();
	debug_harmless();
}

/* Before a SYSTEM_RESET: leave debug and PMU state behind. */
void attack_debug_mark(struct shm_ctl *ctl)
{
	static const struct enc pmcr = { 3, 3, 9, 12, 0, "PMCR_EL0" };
	static const struct enc cnten = { 3, 3, 9, 12, 1, "PMCNTENSET_EL0" };
	wr(&MDSCR_EL1, MDSCR_MDE | MDSCR_KDE);
	wr(&OSLAR_EL1, 0);
	wr(&pmcr, PMCR_E);
	wr(&cnten, PMCNTEN_C);
	ctl->debug_mark = MDSCR_MDE | MDSCR_KDE;
}

/* After it: a fresh vCPU (MDSCR 0, OS lock locked as after a cold reset, PMU off or absent). */
void attack_debug_check_reset(struct shm_ctl *ctl)
{
	static const struct enc pmcr = { 3, 3, 9, 12, 0, "PMCR_EL0" };
	static const struct enc cnten = { 3, 3, 9, 12, 1, "PMCNTENSET_EL0" };
	uint64_t mdscr = 0, oslsr = 0, pm = 0, en = 0;
	rd(&MDSCR_EL1, &mdscr);
	rd(&OSLSR_EL1, &oslsr);
	rd(&pmcr, &pm);
	rd(&cnten, &en);
	bool fresh = mdscr == 0 && (oslsr & OSLSR_OSLK) && !(pm & PMCR_E) && !(en & PMCNTEN_C);
	if (ctl->resets < 1 || ctl->debug_mark == 0)
		return;
	if (fresh) {
		gprintf("hostile: reset %u: debug and PMU state fresh\n", ctl->resets);
		return;
	}
	/* Reported once the storm is over: the lines of earlier boots are not counted. */
	gprintf("hostile: reset %u: kept mdscr 0x%lx oslsr 0x%lx pmcr 0x%lx pmcnten 0x%lx\n",
		ctl->resets, mdscr, oslsr, pm, en);
	ctl->debug_kept = ctl->debug_kept + 1;
}

/* ---- other system registers --------------------------------------------- */

static const struct enc el2_el3_regs[] = {
	{ 3, 4, 1, 1, 0, "HCR_EL2" },     { 3, 4, 12, 0, 0, "VBAR_EL2" },
	{ 3, 4, 2, 1, 0, "VTTBR_EL2" },   { 3, 4, 1, 0, 0, "SCTLR_EL2" },
	{ 3, 4, 1, 1, 1, "MDCR_EL2" },    { 3, 4, 1, 1, 2, "CPTR_EL2" },
	{ 3, 4, 12, 11, 0, "ICH_HCR_EL2" }, { 3, 4, 12, 12, 0, "ICH_LR0_EL2" },
	{ 3, 4, 14, 1, 0, "CNTHCTL_EL2" }, { 3, 4, 14, 0, 3, "CNTVOFF_EL2" },
	{ 3, 4, 4, 0, 1, "ELR_EL2" },     { 3, 4, 4, 0, 0, "SPSR_EL2" },
	{ 3, 4, 2, 0, 0, "TTBR0_EL2" },   { 3, 4, 13, 0, 2, "TPIDR_EL2" },
	{ 3, 6, 1, 1, 0, "SCR_EL3" },     { 3, 6, 12, 0, 0, "VBAR_EL3" },
	{ 3, 6, 1, 3, 1, "MDCR_EL3" },    { 3, 6, 4, 1, 0, "SP_EL2" },
	{ 3, 7, 14, 2, 0, "CNTPS_TVAL_EL1" }, { 3, 4, 14, 2, 1, "CNTHP_CTL_EL2" },
};

static void sysregs_el2_el3(void)
{
	unsigned undef = 0, total = 0;
	const char *first = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(el2_el3_regs); i++) {
		uint64_t v;
		struct probe r = rd(&el2_el3_regs[i], &v);
		struct probe w = wr(&el2_el3_regs[i], 0);
		total += 2;
		undef += probe_is_undef(&r) + probe_is_undef(&w);
		if ((!probe_is_undef(&r) || !probe_is_undef(&w)) && first == NULL)
			first = el2_el3_regs[i].name;
	}
	if (undef == total)
		report_pass("el2-el3-registers undefined %u", total);
	else
		report_fail("el2-el3-registers first %s got=%u want=%u undefined", first, undef, total);
}

/* ID_AA64PFR0_EL1: EL0 [3:0], EL1 [7:4], SVE [35:32]; ID_AA64PFR1_EL1: MTE [11:8], SME [27:24]. */
#define PFR0_EL0_SHIFT		0
#define PFR0_EL1_SHIFT		4
#define PFR0_SVE_SHIFT		32
#define PFR1_MTE_SHIFT		8
#define PFR1_SME_SHIFT		24
#define ID_A64_ONLY		1u
#define ID_CRM_LAST		7

/* Every ID register reads (TID3 group: CRn 0, CRm 1..7); hidden features read 0. */
static void sysregs_id(void)
{
	unsigned faults = 0;
	for (unsigned crm = 1; crm <= ID_CRM_LAST; crm++)
		for (unsigned op2 = 0; op2 < 8; op2++) {
			uint64_t v;
			faults += sysreg_try_read(3, 0, 0, crm, op2, &v).hit;
		}
	report_check_dec("id-registers readable faults", faults, 0);
	uint64_t pfr0 = 0, pfr1 = 0, midr = 0, mpidr = 0;
	sysreg_try_read(3, 0, 0, 4, 0, &pfr0);
	sysreg_try_read(3, 0, 0, 4, 1, &pfr1);
	sysreg_try_read(3, 0, 0, 0, 0, &midr);
	sysreg_try_read(3, 0, 0, 0, 5, &mpidr);
	bool hidden = FIELD4(pfr0, PFR0_SVE_SHIFT) == 0 && FIELD4(pfr1, PFR1_MTE_SHIFT) == 0 &&
		      FIELD4(pfr1, PFR1_SME_SHIFT) == 0 &&
		      FIELD4(pfr0, PFR0_EL0_SHIFT) == ID_A64_ONLY &&
		      FIELD4(pfr0, PFR0_EL1_SHIFT) == ID_A64_ONLY;
	if (hidden)
		report_pass("id-features hidden");
	else
		report_fail("id-features pfr0 0x%lx got=0x%lx want=hidden", pfr0, pfr1);
	/* Writes to read-only ID registers are undefined. */
	struct probe w = sysreg_try_write(3, 0, 0, 4, 0, 0);
	if (probe_is_undef(&w))
		report_pass("id-registers read-only");
	else
		report_fail("id-registers write got=0x%lx want=undef", w.hit ? w.esr : 0);
	gprintf("hostile: midr 0x%lx mpidr 0x%lx\n", midr, mpidr);
}

/*
 * IMPLEMENTATION DEFINED encodings (op0 3, CRn 11 and 15: Arm ARM D18.3.2,
 * "Reserved encodings for IMPLEMENTATION DEFINED registers"): each is read,
 * and a value read is written back unchanged.  Tessera traps them
 * (HCR_EL2.TIDCP) and answers undefined; an emulator without TIDCP lets
 * them through to its own registers.  Anything other than an undef or a
 * plain access is a failure.
 */
static void sysregs_impdef(void)
{
	static const uint8_t crns[] = { 11, 15 };
	unsigned undef = 0, plain = 0, odd = 0;
	for (size_t c = 0; c < ARRAY_SIZE(crns); c++)
		for (unsigned op1 = 0; op1 < 8; op1++)
			for (unsigned crm = 0; crm < 16; crm++)
				for (unsigned op2 = 0; op2 < 8; op2++) {
					uint64_t v;
					struct probe r = sysreg_try_read(3, op1, crns[c], crm, op2, &v);
					if (probe_is_undef(&r)) {
						undef++;
						continue;
					}
					if (r.hit) {
						odd++;
						continue;
					}
					struct probe w = sysreg_try_write(3, op1, crns[c], crm, op2, v);
					if (w.hit && !probe_is_undef(&w))
						odd++;
					else
						plain++;
				}
	gprintf("hostile: impdef encodings: %u undefined, %u plain\n", undef, plain);
	report_check_dec("impdef-registers other exceptions", odd, 0);
}

/* EL1 physical timer: trapped (CNTHCTL_EL2.EL1PCEN = 0), read as zero, writes ignored. */
static void sysregs_ptimer(void)
{
	static const struct enc ctl = { 3, 3, 14, 2, 1, "CNTP_CTL_EL0" };
	static const struct enc cval = { 3, 3, 14, 2, 2, "CNTP_CVAL_EL0" };
	uint64_t c = ~0ull, v = ~0ull;
	struct probe w = wr(&cval, 1);
	struct probe w2 = wr(&ctl, 1);
	struct probe r = rd(&ctl, &c);
	struct probe r2 = rd(&cval, &v);
	if (w.hit || w2.hit || r.hit || r2.hit || c != 0 || v != 0)
		report_fail("ptimer-raz-wi got=0x%lx/0x%lx want=0/0", c, v);
	else
		report_pass("ptimer-raz-wi");
}

void attack_sysregs(void)
{
	sysregs_el2_el3();
	sysregs_id();
	sysregs_ptimer();
	sysregs_impdef();
}
