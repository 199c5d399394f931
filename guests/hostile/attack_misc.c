/*
 * The remaining attacks: cache and TLB maintenance from EL1 (set/way over
 * every level CLIDR_EL1 lists, by VA on device windows and holes, EL2-only
 * operations), the whole IPA space, the UART's registers and control
 * characters, and an output flood.  Encodings: Arm ARM C5.3 (DC, IC, TLBI,
 * AT as SYS #op1, Cn, Cm, #op2).
 */
#include "hostile.h"

struct sysop {
	uint8_t op1, crn, crm, op2;
	const char *name;
};

#define CLIDR_CTYPE_BITS	3
#define CLIDR_LEVELS		7
#define CTYPE_DATA		2u	/* 2 data, 3 separate, 4 unified: a data side exists */
#define CCSIDR_LINE(v)		((unsigned)((v) & 0x7u) + 4)	/* log2(bytes) */
#define CCSIDR_WAYS(v)		((unsigned)(((v) >> 3) & 0x3ffu) + 1)
#define CCSIDR_SETS(v)		((unsigned)(((v) >> 13) & 0x7fffu) + 1)
#define SETWAY_LEVEL_SHIFT	1
#define MAX_SETWAY_OPS		(1u << 16)	/* per operation: enough for L1 and a 4 MiB L2 */

static const struct sysop setway_ops[] = {
	{ 0, 7, 6, 2, "DC ISW" }, { 0, 7, 10, 2, "DC CSW" }, { 0, 7, 14, 2, "DC CISW" },
};

/* Cache and TLB maintenance an EL1 may do: none may fault. */
static const struct sysop el1_ops[] = {
	{ 0, 7, 1, 0, "IC IALLUIS" }, { 0, 7, 5, 0, "IC IALLU" },
	{ 0, 8, 3, 0, "TLBI VMALLE1IS" }, { 0, 8, 7, 0, "TLBI VMALLE1" },
	{ 0, 8, 3, 1, "TLBI VAE1IS" }, { 0, 8, 3, 2, "TLBI ASIDE1IS" },
	{ 0, 8, 3, 7, "TLBI VAALE1IS" }, { 0, 7, 8, 0, "AT S1E1R" },
};

/* By VA, on windows and holes: nothing is cached there, nothing may fault. */
static const struct sysop va_ops[] = {
	{ 3, 7, 14, 1, "DC CIVAC" }, { 3, 7, 10, 1, "DC CVAC" }, { 0, 7, 6, 1, "DC IVAC" },
	{ 3, 7, 11, 1, "DC CVAU" }, { 3, 7, 5, 1, "IC IVAU" },
};

/* EL2 operations: undefined at EL1. */
static const struct sysop el2_ops[] = {
	{ 4, 8, 7, 0, "TLBI ALLE2" }, { 4, 8, 3, 4, "TLBI ALLE1IS" },
	{ 4, 8, 7, 6, "TLBI VMALLS12E1" }, { 4, 8, 0, 1, "TLBI IPAS2E1IS" },
	{ 4, 7, 8, 4, "AT S12E1R" }, { 4, 7, 8, 0, "AT S1E2R" },
};

static struct probe sys_try(const struct sysop *o, uint64_t arg)
{
	probe_begin();
	insn_exec(insn_sys(o->op1, o->crn, o->crm, o->op2), arg);
	return probe_end();
}

static unsigned cache_setway(void)
{
	uint64_t clidr = 0;
	sysreg_try_read(3, 1, 0, 0, 1, &clidr);
	unsigned faults = 0, ops = 0;
	for (unsigned lvl = 0; lvl < CLIDR_LEVELS; lvl++) {
		unsigned ctype = (unsigned)(clidr >> (CLIDR_CTYPE_BITS * lvl)) & 0x7u;
		if (ctype < CTYPE_DATA)
			continue;
		uint64_t ccsidr = 0;
		sysreg_try_write(3, 2, 0, 0, 0, (uint64_t)lvl << SETWAY_LEVEL_SHIFT);	/* CSSELR_EL1 */
		__asm__ volatile("isb");
		sysreg_try_read(3, 1, 0, 0, 0, &ccsidr);
		unsigned line = CCSIDR_LINE(ccsidr), ways = CCSIDR_WAYS(ccsidr);
		unsigned sets = CCSIDR_SETS(ccsidr), wshift = 32;
		for (unsigned w = ways - 1; w > 0; w >>= 1)
			wshift--;
		for (size_t o = 0; o < ARRAY_SIZE(setway_ops); o++)
			for (unsigned way = 0; way < ways; way++)
				for (unsigned set = 0; set < sets && ops < MAX_SETWAY_OPS * 3; set++, ops++) {
					uint64_t sw = (uint64_t)lvl << SETWAY_LEVEL_SHIFT |
						      (uint64_t)set << line |
						      (ways > 1 ? (uint64_t)way << wshift : 0);
					faults += sys_try(&setway_ops[o], sw).hit;
				}
	}
	report_check_dec("cache-set-way faults", faults, 0);
	return ops;
}

void attack_cache(void)
{
	/* Own RAM holds a pattern across set/way invalidation (HCR_EL2.SWIO: clean too). */
	static uint64_t canary[64];
	for (size_t i = 0; i < ARRAY_SIZE(canary); i++)
		canary[i] = memtest_pattern((uint64_t)(uintptr_t)&canary[i]);
	unsigned ops = cache_setway();
	unsigned bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(canary); i++)
		bad += canary[i] != memtest_pattern((uint64_t)(uintptr_t)&canary[i]);
	report_check_dec("cache-set-way own-data-kept", bad, 0);
	gprintf("hostile: %u set/way operations\n", ops);

	unsigned faults = 0;
	for (size_t i = 0; i < ARRAY_SIZE(el1_ops); i++)
		faults += sys_try(&el1_ops[i], rng_next() & ~0xfffull).hit;
	report_check_dec("cache-tlb-el1-ops faults", faults, 0);

	const uint64_t targets[] = { plat.uart, plat.gicd, plat.gicr, platform_hole_below_4g(),
				     (uint64_t)(uintptr_t)canary };
	faults = 0;
	for (size_t t = 0; t < ARRAY_SIZE(targets); t++)
		for (size_t i = 0; i < ARRAY_SIZE(va_ops); i++) {
			struct probe p = sys_try(&va_ops[i], targets[t]);
			if (p.hit && faults++ == 0)
				report_fail("cache-by-va %s 0x%lx got=esr-0x%lx want=no-fault",
					    va_ops[i].name, targets[t], p.esr);
		}
	if (faults == 0)
		report_pass("cache-by-va on windows and holes");

	unsigned undef = 0;
	for (size_t i = 0; i < ARRAY_SIZE(el2_ops); i++) {
		struct probe p = sys_try(&el2_ops[i], 0);
		undef += probe_is_undef(&p);
	}
	report_check_dec("cache-tlb-el2-ops undefined", undef, ARRAY_SIZE(el2_ops));
}

/* ---- the IPA space -------------------------------------------------------- */

#define IPA_WALK_BITS		40
#define BLOCK_2M		0x200000ull
#define MMFR0_PARANGE_40	2u	/* ID_AA64MMFR0_EL1.PARange: 0b0010 = 40 bits */

/*
 * Every 2 MiB block of a 40-bit IPA space, read and written at its first
 * word (MMU off: VA = IPA), except what the DT says is this partition's:
 * each access must come back as an injected abort.  The other partitions'
 * RAM is somewhere in the host's memory, never at an IPA of this one.
 */
void attack_ipa(void)
{
	uint64_t mmfr0 = 0;
	sysreg_try_read(3, 0, 0, 7, 0, &mmfr0);
	if ((mmfr0 & 0xf) < MMFR0_PARANGE_40) {
		report_fail("ipa-walk parange got=%lu want=>=2", mmfr0 & 0xf);
		return;
	}
	uint64_t blocks = 0, skipped = 0, aborts = 0, first_bad = ~0ull;
	for (uint64_t a = 0; a < (1ull << IPA_WALK_BITS); a += BLOCK_2M, blocks++) {
		if (platform_is_known(a, BLOCK_2M)) {
			skipped++;
			continue;
		}
		uint64_t v;
		probe_begin();
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
		struct probe r = probe_end();
		probe_begin();
		__asm__ volatile("str %0, [%1]" : : "r"(a), "r"(a) : "memory");
		struct probe w = probe_end();
		bool ok_r = probe_is_injected_abort(&r), ok_w = probe_is_injected_abort(&w);
		aborts += ok_r + ok_w;
		if ((!ok_r || !ok_w) && first_bad == ~0ull)
			first_bad = a;
	}
	if (first_bad == ~0ull)
		report_pass("ipa-walk blocks %lu skipped %lu aborts %lu", blocks, skipped, aborts);
	else
		report_fail("ipa-walk first 0x%lx got=%lu want=%lu aborts", first_bad, aborts,
			    2 * (blocks - skipped));
}

/* ---- the UART ----------------------------------------------------------- */

#define LONG_LINE		1000

void attack_uart(void)
{
	uart_register_sweep();
	/* Control characters: a terminal must not see escape sequences or a bell from a guest. */
	gprintf("hostile: control [\x1b[2J\x1b]0;owned\x07\x08\x7f\x01] end\n");
	for (int i = 0; i < LONG_LINE; i++)
		uart_putc((char)('a' + i % 26));
	uart_putc('\n');
	report_pass("uart-control-and-long-lines");
}

/* ---- output flood ----------------------------------------------------------- */

#define FLOOD_LINES		4000u
#define FLOOD_QUIET_MS		1500u	/* the console's budget refills meanwhile */

void attack_flood(void)
{
	for (unsigned i = 0; i < FLOOD_LINES; i++)
		gprintf("flood %u\n", i);
	timer_delay_us((uint64_t)FLOOD_QUIET_MS * 1000u);
	report_pass("uart-flood lines %u", FLOOD_LINES);
}
