/*
 * MMIO decoding attacks on the emulated windows (UART, GIC distributor and
 * redistributors, all from the DT).  A data abort from an emulated window
 * carries a syndrome (ESR_EL2.ISV) only for single-register loads and
 * stores without writeback (Arm ARM D19.2.x, "ISS encoding for an exception
 * from a Data Abort"); everything else must come back as an injected abort,
 * never be emulated as if it were a plain access.  So must an access that
 * is unaligned for the register or runs past the end of a window.  These
 * attacks map the windows as Normal memory (mmu.c), where the CPU lets such
 * accesses through to stage 2.
 */
#include <stdio.h>

#include "hostile.h"

#define UARTFR			0x18
#define UARTFR_TXFE		(1u << 7)
#define UARTCR			0x30
#define UARTPERIPHID0		0xfe0
#define UART_RESERVED		0x100	/* a reserved PL011 offset */
#define ISAR0_ATOMIC_SHIFT	20	/* ID_AA64ISAR0_EL1.Atomic: 2 = FEAT_LSE */
#define ISAR0_ATOMIC_LSE	2u
#define DCZID_DZP		(1u << 4)	/* DC ZVA prohibited */
#define A64_LDADD_W1_W2_X0	0xb8210002u	/* ldadd w1, w2, [x0] */
#define A64_SWP_W1_W2_X0	0xb8218002u	/* swp   w1, w2, [x0] */
#define A64_CAS_W1_W2_X0	0x88a17c02u	/* cas   w1, w2, [x0] */

/* One access of @size bytes, exactly one load or store instruction. */
static struct probe access_read(uint64_t addr, unsigned size, uint64_t *val)
{
	uint64_t v = 0;
	probe_begin();
	switch (size) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory"); break;
	}
	struct probe p = probe_end();
	*val = p.hit ? 0 : v;
	return p;
}

static struct probe access_write(uint64_t addr, unsigned size, uint64_t v)
{
	probe_begin();
	switch (size) {
	case 1: __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 2: __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	case 4: __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	default: __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory"); break;
	}
	return probe_end();
}

/* ---- edges: unaligned and straddling accesses ----------------------------- */

struct edge {
	uint64_t off;		/* from the window base; negative wraps: from its end */
	unsigned size;
	bool write;
};

static unsigned expect_aborts(const char *what, uint64_t base, const struct edge *e, size_t n)
{
	unsigned ok = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;
		struct probe p = e[i].write ? access_write(base + e[i].off, e[i].size, 0) :
					      access_read(base + e[i].off, e[i].size, &v);
		if (probe_is_injected_abort(&p))
			ok++;
		else
			report_fail("%s offset 0x%lx size %u %s got=%s-0x%lx want=abort", what,
				    e[i].off, e[i].size, e[i].write ? "write" : "read",
				    p.hit ? "esr" : "value", p.hit ? p.esr : v);
	}
	return ok;
}

static void edges_unaligned_uart(void)
{
	static const struct edge e[] = {
		{ 0x1, 4, false }, { UARTFR + 1, 2, false }, { UARTCR + 1, 4, true },
		{ UARTPERIPHID0 + 1, 4, false }, { UARTFR + 2, 2, false },
	};
	if (expect_aborts("mmio-uart-unaligned", plat.uart, e, ARRAY_SIZE(e)) == ARRAY_SIZE(e))
		report_pass("mmio-uart-unaligned aborts %zu", ARRAY_SIZE(e));
}

/* Accesses whose first bytes are inside a window and whose last bytes are past its end. */
static void edges_straddle(const char *name, uint64_t base, uint64_t size)
{
	const struct edge e[] = {
		{ size - 4, 8, false }, { size - 2, 4, false }, { size - 1, 2, false },
		{ size - 4, 8, true },
	};
	char what[40];
	snprintf(what, sizeof(what), "mmio-straddle-%s", name);
	if (expect_aborts(what, base, e, ARRAY_SIZE(e)) == ARRAY_SIZE(e))
		report_pass("%s aborts %zu", what, ARRAY_SIZE(e));
}

void attack_mmio_edges(void)
{
	mmu_on();
	uint64_t fr = 0;
	struct probe p = access_read(plat.uart + UARTFR, 4, &fr);
	if (!p.hit && (fr & UARTFR_TXFE))
		report_pass("mmio-normal-mapping UARTFR 0x%lx", fr);
	else
		report_fail("mmio-normal-mapping got=esr-0x%lx want=UARTFR", p.esr);
	edges_unaligned_uart();
	edges_straddle("uart", plat.uart, plat.uart_size);
	edges_straddle("gicd", plat.gicd, plat.gicd_size);
	edges_straddle("gicr", plat.gicr, plat.gicr_size);
	mmu_off();
}

/* ---- accesses that give no syndrome ------------------------------------ */

static bool has_lse(void)
{
	uint64_t isar0 = 0;
	sysreg_try_read(3, 0, 0, 6, 0, &isar0);
	return ((isar0 >> ISAR0_ATOMIC_SHIFT) & 0xf) >= ISAR0_ATOMIC_LSE;
}

static struct probe ns_ldp(uint64_t a)
{
	uint64_t x, y;
	probe_begin();
	__asm__ volatile("ldp %0, %1, [%2]" : "=r"(x), "=r"(y) : "r"(a) : "memory");
	return probe_end();
}

static struct probe ns_stp(uint64_t a)
{
	probe_begin();
	__asm__ volatile("stp xzr, xzr, [%0]" : : "r"(a) : "memory");
	return probe_end();
}

static struct probe ns_pre_index(uint64_t a)
{
	uint64_t v, base = a - UARTFR;
	probe_begin();
	__asm__ volatile("ldr %w0, [%1, #0x18]!" : "=r"(v), "+r"(base) : : "memory");
	return probe_end();
}

static struct probe ns_post_index(uint64_t a)
{
	uint64_t v, base = a;
	probe_begin();
	__asm__ volatile("ldr %w0, [%1], #4" : "=r"(v), "+r"(base) : : "memory");
	return probe_end();
}

static struct probe ns_store_post_index(uint64_t a)
{
	uint64_t base = a;
	probe_begin();
	__asm__ volatile("str wzr, [%0], #4" : "+r"(base) : : "memory");
	return probe_end();
}

static struct probe ns_ldxr(uint64_t a)
{
	uint64_t v;
	probe_begin();
	__asm__ volatile("ldxr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return probe_end();
}

/*
 * STXR without a reservation may fail without touching memory (the local
 * monitor is open: the LDXR before it aborted, and an exception return
 * clears it).  A failure status is as good as an abort; success is not.
 */
#define STXR_FAILED		1u

static struct probe ns_stxr(uint64_t a)
{
	uint64_t status = 0;
	probe_begin();
	__asm__ volatile("stxr %w0, wzr, [%1]" : "=&r"(status) : "r"(a) : "memory");
	struct probe p = probe_end();
	if (!p.hit && status == STXR_FAILED) {
		p.hit = true;                   /* counted as refused */
		p.esr = (uint64_t)ESR_EC_DABT_CUR << ESR_EC_SHIFT | ESR_DFSC_EXTABT;
	}
	return p;
}

static struct probe ns_simd(uint64_t a)
{
	probe_begin();
	__asm__ volatile("ld1 {v0.16b}, [%0]" : : "r"(a) : "v0", "memory");
	return probe_end();
}

static struct probe ns_fp(uint64_t a)
{
	probe_begin();
	__asm__ volatile("ldr q1, [%0]" : : "r"(a) : "v1", "memory");
	return probe_end();
}

static struct probe ns_dc_zva(uint64_t a)
{
	probe_begin();
	__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
	return probe_end();
}

static struct probe ns_lse(uint64_t a, uint32_t insn)
{
	probe_begin();
	register uint64_t x0 __asm__("x0") = a;
	register uint64_t x1 __asm__("x1") = 1;
	register uint64_t x2 __asm__("x2");
	__asm__ volatile(".inst %3" : "=r"(x2) : "r"(x0), "r"(x1), "i"(insn) : "memory");
	(void)x2;
	return probe_end();
}

struct nosyndrome {
	const char *name;
	struct probe (*op)(uint64_t a);
	uint64_t off;
};

static struct probe ns_ldadd(uint64_t a) { return ns_lse(a, A64_LDADD_W1_W2_X0); }
static struct probe ns_swp(uint64_t a) { return ns_lse(a, A64_SWP_W1_W2_X0); }
static struct probe ns_cas(uint64_t a) { return ns_lse(a, A64_CAS_W1_W2_X0); }

static void nosyndrome_window(const char *win, uint64_t base, bool lse, bool zva)
{
	const struct nosyndrome ops[] = {
		{ "ldp", ns_ldp, UARTFR }, { "stp", ns_stp, UART_RESERVED },
		{ "ldr-pre-index", ns_pre_index, UARTFR }, { "ldr-post-index", ns_post_index, UARTFR },
		{ "str-post-index", ns_store_post_index, UART_RESERVED },
		{ "ldxr", ns_ldxr, UARTFR }, { "stxr", ns_stxr, UART_RESERVED },
		{ "ld1-simd", ns_simd, 0 }, { "ldr-q", ns_fp, 0 }, { "dc-zva", ns_dc_zva, 0 },
		{ "ldadd", ns_ldadd, UART_RESERVED }, { "swp", ns_swp, UART_RESERVED },
		{ "cas", ns_cas, UART_RESERVED },
	};
	unsigned aborted = 0, run = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		bool is_lse = ops[i].op == ns_ldadd || ops[i].op == ns_swp || ops[i].op == ns_cas;
		if ((is_lse && !lse) || (ops[i].op == ns_dc_zva && !zva))
			continue;
		run++;
		struct probe p = ops[i].op(base + ops[i].off);
		if (probe_is_injected_abort(&p))
			aborted++;
		else
			report_fail("mmio-nosyndrome %s %s got=%s-0x%lx want=abort", win, ops[i].name,
				    p.hit ? "esr" : "completed", p.esr);
	}
	if (aborted == run)
		report_pass("mmio-nosyndrome %s aborts %u", win, run);
}

void attack_mmio_nosyndrome(void)
{
	uint64_t dczid;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	bool lse = has_lse(), zva = !(dczid & DCZID_DZP);
	gprintf("hostile: nosyndrome lse %d dc-zva %d\n", lse, zva);
	mmu_on();
	nosyndrome_window("uart", plat.uart, lse, zva);
	nosyndrome_window("gicd", plat.gicd, lse, zva);
	/* LDAR/STLR do give a syndrome: emulated like LDR/STR. */
	uint64_t fr = 0;
	probe_begin();
	__asm__ volatile("ldar %w0, [%1]" : "=r"(fr) : "r"(plat.uart + UARTFR) : "memory");
	struct probe p = probe_end();
	mmu_off();
	if (!p.hit && (fr & UARTFR_TXFE))
		report_pass("mmio-ldar emulated");
	else
		report_fail("mmio-ldar got=esr-0x%lx want=UARTFR", p.esr);
}

/* ---- register sweeps: every offset, every access size --------------------- */

struct sweep {
	unsigned reads, writes, aborts;
};

static void sweep_window(uint64_t base, uint64_t size, bool write, struct sweep *s,
			 uint64_t skip_lo, uint64_t skip_hi)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	for (size_t z = 0; z < ARRAY_SIZE(sizes); z++) {
		unsigned sz = sizes[z];
		for (uint64_t off = 0; off + sz <= size; off += write ? (sz < 4 ? 4 : sz) : sz) {
			if (off >= skip_lo && off < skip_hi)
				continue;
			uint64_t v = 0;
			struct probe p;
			if (write) {
				p = access_write(base + off, sz, rng_next());
				s->writes++;
			} else {
				p = access_read(base + off, sz, &v);
				s->reads++;
			}
			if (p.hit && !probe_is_injected_abort(&p))
				report_fail("mmio-sweep 0x%lx size %u got=esr-0x%lx want=value-or-abort",
					    base + off, sz, p.esr);
			s->aborts += p.hit;
		}
	}
}

/*
 * Every offset of both GIC windows read with every access size, then
 * written with random values (IROUTER to absent vCPUs, reserved INTIDs,
 * priorities, sleeping redistributors ...): only this partition's own vGIC
 * may change.  The guest's GIC is set up again afterwards by whoever uses it.
 */
void attack_gic(void)
{
	struct sweep d = { 0 }, r = { 0 };
	sweep_window(plat.gicd, plat.gicd_size, false, &d, 0, 0);
	sweep_window(plat.gicr, plat.gicr_size, false, &r, 0, 0);
	sweep_window(plat.gicd, plat.gicd_size, true, &d, 0, 0);
	sweep_window(plat.gicr, plat.gicr_size, true, &r, 0, 0);
	report_pass("gic-sweep gicd reads %u writes %u aborts %u", d.reads, d.writes, d.aborts);
	report_pass("gic-sweep gicr reads %u writes %u aborts %u", r.reads, r.writes, r.aborts);
	gic_route_absent();
}

/* The UART's registers, every offset and size but DR's (output). */
#define UARTDR_END		0x4
#define UART_IMSC		0x38
#define UART_CR_ON		0x301u	/* UARTEN | TXE | RXE */

void uart_register_sweep(void)
{
	struct sweep s = { 0 };
	sweep_window(plat.uart, plat.uart_size, false, &s, 0, UARTDR_END);
	sweep_window(plat.uart, plat.uart_size, true, &s, 0, UARTDR_END);
	/* Put back what the output path needs: the sweep wrote random CR bits (loopback). */
	access_write(plat.uart + UARTCR, 4, UART_CR_ON);
	access_write(plat.uart + UART_IMSC, 4, 0);
	report_pass("uart-sweep reads %u writes %u aborts %u", s.reads, s.writes, s.aborts);
}
