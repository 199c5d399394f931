/*
 * shm: exercises the shared-memory regions a partition sees in
 * /reserved-memory (DESIGN.md §5, §6).  Roles (bootargs shm_role=):
 *   writer         fills each region with a pattern of its id, then a header;
 *   reader         waits for the header and verifies every byte;
 *   revoke-owner   writes, waits for the reader's ack, powers off;
 *   revoke-reader  verifies, acks, then waits for the access to abort once
 *                  the owner has stopped.
 * Region layout: data words from offset 0, the ack word (revoke roles) in
 * the 8 bytes before the header, the header in the last 64 bytes.
 */
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "gic.h"
#include "guest.h"

#define SHM_COMPAT		"xen,shared-memory-v1"
#define SHM_MAX_REGIONS		64
#define SHM_ID_MAX		32
#define SHM_HDR_SIZE		64u
#define SHM_ACK_SIZE		8u
#define SHM_MIN_SIZE		0x1000ull
#define SHM_MAGIC		0x4d485354u	/* "TSHM" in memory order */
#define SHM_ACK			0x4b434152ull	/* "RACK" in memory order */
#define SHM_SEQ			1u
#define SHM_TIMEOUT_MS		20000u
#define SHM_GOLDEN		0x9E3779B97F4A7C15ull
#define SHM_CSUM_ROT		7u
#define FNV64_BASIS		0xcbf29ce484222325ull
#define FNV64_PRIME		0x100000001b3ull
#define WORD			sizeof(uint64_t)
#define BITS_PER_BYTE		8u
#define BYTE_MASK		0xffull

struct shm_header {
	volatile uint32_t magic;	/* written last, after a DSB */
	volatile uint32_t seq;
	volatile uint64_t bytes;	/* data bytes from offset 0 */
	volatile uint64_t checksum;
	volatile uint64_t seed;		/* FNV-1a of the id string */
	volatile uint64_t reserved[4];
};
_Static_assert(sizeof(struct shm_header) == SHM_HDR_SIZE, "header is the last 64 bytes");

struct shm_region {
	char id[SHM_ID_MAX];
	uint64_t base;
	uint64_t size;
};

enum shm_role { ROLE_NONE, ROLE_WRITER, ROLE_READER, ROLE_REVOKE_OWNER, ROLE_REVOKE_READER };

static struct shm_region regions[SHM_MAX_REGIONS];
static int nregions;
static uint64_t timeout_ms = SHM_TIMEOUT_MS;

static uint64_t shm_fnv1a(const char *s)
{
	uint64_t h = FNV64_BASIS;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * FNV64_PRIME;
	return h;
}

static uint64_t shm_word(uint64_t seed, uint64_t i)
{
	return seed ^ ((i + 1) * SHM_GOLDEN);
}

static uint64_t shm_csum_step(uint64_t c, uint64_t w)
{
	return ((c << SHM_CSUM_ROT) | (c >> (64 - SHM_CSUM_ROT))) ^ w;
}

static struct shm_header *shm_hdr(const struct shm_region *r)
{
	return (struct shm_header *)(uintptr_t)(r->base + r->size - SHM_HDR_SIZE);
}

static volatile uint64_t *shm_ack(const struct shm_region *r)
{
	return (volatile uint64_t *)(uintptr_t)(r->base + r->size - SHM_HDR_SIZE - SHM_ACK_SIZE);
}

/* ---- DT ---------------------------------------------------------------- */

static bool shm_in_memory(uint64_t base, uint64_t size)
{
	struct dt_range ram[DT_MAX_RANGES];
	int n = dt_memory_ranges(ram, DT_MAX_RANGES);

	for (int i = 0; i < n; i++)
		if (ranges_overlap(base, size, ram[i].base, ram[i].size))
			return true;
	return false;
}

/* Checks one node; records it and returns true when usable. */
static bool shm_dt_region(int node)
{
	const void *fdt = dt_blob();
	const char *id = dt_prop_string(node, "xen,id");
	struct shm_region *r = &regions[nregions];

	if (id == NULL)
		id = "?";
	int err = dt_reg(node, 0, &r->base, &r->size);
	gprintf("shm: region %s at 0x%lx size 0x%lx\n", id, r->base, r->size);
	if (err != 0) {
		report_fail("shm-dt %s got=reg-error-%d want=reg", id, err);
		return false;
	}
	if (strlen(id) >= SHM_ID_MAX || strcmp(id, "?") == 0) {
		report_fail("shm-dt %s got=bad-xen,id want=string", id);
		return false;
	}
	if (fdt_getprop(fdt, node, "no-map", NULL) == NULL) {
		report_fail("shm-dt %s got=no-no-map want=no-map", id);
		return false;
	}
	if (shm_in_memory(r->base, r->size)) {
		report_fail("shm-dt %s got=inside-memory want=outside-memory", id);
		return false;
	}
	if (r->size < SHM_MIN_SIZE || !is_aligned(r->base | r->size, WORD)) {
		report_fail("shm-dt %s got=0x%lx want=aligned-size>=0x%llx", id, r->size,
			    SHM_MIN_SIZE);
		return false;
	}
	strcpy(r->id, id);
	nregions++;
	return true;
}

static void shm_dt_scan(void)
{
	const void *fdt = dt_blob();
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	int node, found = 0;
	bool ok = true;

	if (parent >= 0) {
		fdt_for_each_subnode(node, fdt, parent) {
			if (fdt_node_check_compatible(fdt, node, SHM_COMPAT) != 0)
				continue;
			found++;
			if (nregions == SHM_MAX_REGIONS) {
				report_fail("shm-dt got=%d want=<=%d regions", found, SHM_MAX_REGIONS);
				return;
			}
			ok = shm_dt_region(node) && ok;
		}
	}
	if (found == 0)
		report_fail("shm-dt got=0 want=regions");
	else if (ok)
		report_pass("shm-dt");
}

/* ---- writer ------------------------------------------------------------ */

static void shm_write(const struct shm_region *r, uint64_t bytes)
{
	struct shm_header *h = shm_hdr(r);
	volatile uint64_t *data = (volatile uint64_t *)(uintptr_t)r->base;
	uint64_t seed = shm_fnv1a(r->id), csum = 0;

	h->magic = 0;
	*shm_ack(r) = 0;
	guest_dsb();
	for (uint64_t i = 0; i < bytes / WORD; i++) {
		uint64_t w = shm_word(seed, i);
		data[i] = w;
		csum = shm_csum_step(csum, w);
	}
	h->seq = SHM_SEQ;
	h->bytes = bytes;
	h->checksum = csum;
	h->seed = seed;
	guest_dsb();	/* data and header before the magic that publishes them */
	h->magic = SHM_MAGIC;
	guest_dsb();
	report_pass("shm-write %s %lu", r->id, bytes);
}

static void shm_wait_ack(const struct shm_region *r)
{
	struct timeout t = timeout_start_ms(timeout_ms);
	uint64_t v;

	while ((v = *shm_ack(r)) != SHM_ACK && !timeout_expired(&t))
		guest_wfe();
	if (v == SHM_ACK)
		report_pass("shm-ack %s", r->id);
	else
		report_fail("shm-ack %s got=0x%lx want=0x%llx", r->id, v, SHM_ACK);
}

/* ---- reader ------------------------------------------------------------ */

static bool shm_wait_magic(const struct shm_region *r)
{
	struct timeout t = timeout_start_ms(timeout_ms);
	uint32_t m;

	while ((m = shm_hdr(r)->magic) != SHM_MAGIC && !timeout_expired(&t))
		guest_wfe();
	if (m != SHM_MAGIC) {
		report_fail("shm-verify %s timeout got=0x%x want=0x%x", r->id, m, SHM_MAGIC);
		return false;
	}
	guest_dsb();
	return true;
}

/* ---- doorbell (shm_doorbell=1; include/public/tessera_hvc.h) ---------- */

#define SHM_DOORBELL_HVC   0xC6000001u   /* TESSERA_HVC_SHM_DOORBELL */
#define SHM_DOORBELL_INTID 31u           /* the /hypervisor node's PPI 15, on vCPU 0 */
#define SHM_RING_RETRY_US  1000u

static bool doorbell;
static volatile uint64_t doorbell_irqs;

static void shm_doorbell_irq(uint32_t intid)
{
	(void)intid;
	doorbell_irqs++;
}

/* Ready to be rung before anything can ring: GIC up, PPI 31 on (this is vCPU 0), IRQs on. */
static void shm_doorbell_listen(void)
{
	if (gic_init() != 0 || gic_cpu_init() != 0) {
		report_fail("shm-doorbell-gic got=no-gic want=gicv3");
		doorbell = false;
		return;
	}
	gic_set_handler(SHM_DOORBELL_INTID, shm_doorbell_irq);
	gic_private_enable(SHM_DOORBELL_INTID, GIC_PRIO_DEFAULT);
	gic_install_vectors();
	irq_unmask();
}

/*
 * Ring until some peer was rung: a peer that has not started yet has no
 * mapping, and the hypervisor rings only partitions that have one.
 */
static void shm_ring(const struct shm_region *r)
{
	struct timeout t = timeout_start_ms(timeout_ms);
	int64_t rung;
	do {
		rung = psci_call(SHM_DOORBELL_HVC, r->base, 0, 0);
		if (rung > 0)
			break;
		timer_delay_us(SHM_RING_RETRY_US);
	} while (rung == 0 && !timeout_expired(&t));
	if (rung > 0)
		report_pass("shm-doorbell-ring %s %ld", r->id, (long)rung);
	else
		report_fail("shm-doorbell-ring %s got=%ld want=>0", r->id, (long)rung);
}

static void shm_wait_doorbell(const struct shm_region *r)
{
	struct timeout t = timeout_start_ms(timeout_ms);
	/* Polled with short delays: a WFI could sleep past the timeout. */
	while (doorbell_irqs == 0 && !timeout_expired(&t))
		timer_delay_us(SHM_RING_RETRY_US / 10);
	if (doorbell_irqs > 0)
		report_pass("shm-doorbell %s", r->id);
	else
		report_fail("shm-doorbell %s got=no-interrupt want=interrupt", r->id);
}

/* Reports the first differing byte of word i. */
static void shm_report_bad_word(const struct shm_region *r, uint64_t i, uint64_t got,
				uint64_t want)
{
	unsigned b = (unsigned)__builtin_ctzll(got ^ want) / BITS_PER_BYTE;

	report_fail("shm-verify %s offset 0x%lx got=0x%02x want=0x%02x", r->id,
		    i * WORD + b, (unsigned)((got >> (b * BITS_PER_BYTE)) & BYTE_MASK),
		    (unsigned)((want >> (b * BITS_PER_BYTE)) & BYTE_MASK));
}

static bool shm_verify(const struct shm_region *r)
{
	const struct shm_header *h = shm_hdr(r);
	const volatile uint64_t *data = (const volatile uint64_t *)(uintptr_t)r->base;
	uint64_t seed = shm_fnv1a(r->id), bytes = h->bytes, csum = 0;

	if (bytes != r->size - SHM_HDR_SIZE && bytes != r->size - SHM_HDR_SIZE - SHM_ACK_SIZE) {
		report_fail("shm-verify %s bytes got=0x%lx want=0x%lx", r->id, bytes,
			    r->size - SHM_HDR_SIZE);
		return false;
	}
	if (h->seed != seed) {
		report_fail("shm-verify %s seed got=0x%lx want=0x%lx", r->id, h->seed, seed);
		return false;
	}
	for (uint64_t i = 0; i < bytes / WORD; i++) {
		uint64_t got = data[i], want = shm_word(seed, i);
		if (got != want) {
			shm_report_bad_word(r, i, got, want);
			return false;
		}
		csum = shm_csum_step(csum, got);
	}
	if (csum != h->checksum) {
		report_fail("shm-verify %s checksum got=0x%lx want=0x%lx", r->id, csum, h->checksum);
		return false;
	}
	report_pass("shm-verify %s %lu", r->id, bytes);
	return true;
}

/* Reads the region until the access aborts (the owner stopped, DESIGN §6). */
static void shm_wait_revoked(const struct shm_region *r)
{
	struct timeout t = timeout_start_ms(timeout_ms);
	uint64_t before = exc_abort_count();
	bool aborted = false;

	exc_expect_aborts(true);
	while (!aborted && !timeout_expired(&t)) {
		(void)*(volatile uint64_t *)(uintptr_t)r->base;
		aborted = exc_abort_count() != before;
		if (!aborted)
			guest_wfe();
	}
	exc_expect_aborts(false);
	if (aborted)
		report_pass("shm-revoked %s", r->id);
	else
		report_fail("shm-revoked %s got=readable want=abort", r->id);
}

/* ---- roles ------------------------------------------------------------- */

static enum shm_role shm_role_named(const char *name)
{
	static const struct { const char *name; enum shm_role role; } roles[] = {
		{ "writer", ROLE_WRITER }, { "reader", ROLE_READER },
		{ "revoke-owner", ROLE_REVOKE_OWNER }, { "revoke-reader", ROLE_REVOKE_READER },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(roles); i++)
		if (strcmp(name, roles[i].name) == 0)
			return roles[i].role;
	report_fail("shm-role got=%s want=writer|reader|revoke-owner|revoke-reader", name);
	return ROLE_NONE;
}

static enum shm_role shm_parse_role(void)
{
	char buf[SHM_ID_MAX];

	if (!bootargs_get("shm_role", buf, sizeof(buf)))
		return ROLE_NONE;
	return shm_role_named(buf);
}

static bool shm_selected(const struct shm_region *r, const char *want_id)
{
	return want_id[0] == '\0' || strcmp(r->id, want_id) == 0;
}

/* shm_role_<id>=<role> gives one region its own role; else shm_role/shm_id apply. */
static enum shm_role shm_region_role(const struct shm_region *r, enum shm_role dflt,
				     const char *want_id)
{
	char key[SHM_ID_MAX + 16], buf[SHM_ID_MAX];

	snprintf(key, sizeof(key), "shm_role_%s", r->id);
	if (bootargs_get(key, buf, sizeof(buf)))
		return shm_role_named(buf);
	return shm_selected(r, want_id) ? dflt : ROLE_NONE;
}

/* Returns whether any region was a revoke-reader's (it then reports shm-poweroff). */
static bool shm_run_roles(enum shm_role dflt, const char *want_id)
{
	bool revoke_reader = false;
	bool verified[SHM_MAX_REGIONS] = { false };
	enum shm_role role[SHM_MAX_REGIONS];

	/* Writers first, so that two partitions reading each other's regions never wait on each other. */
	for (int i = 0; i < nregions; i++) {
		const struct shm_region *r = &regions[i];
		role[i] = shm_region_role(r, dflt, want_id);
		if (role[i] == ROLE_WRITER)
			shm_write(r, r->size - SHM_HDR_SIZE);
		else if (role[i] == ROLE_REVOKE_OWNER)
			shm_write(r, r->size - SHM_HDR_SIZE - SHM_ACK_SIZE);
		if (doorbell && (role[i] == ROLE_WRITER || role[i] == ROLE_REVOKE_OWNER))
			shm_ring(r);
	}
	for (int i = 0; i < nregions; i++) {
		const struct shm_region *r = &regions[i];
		if (role[i] != ROLE_READER && role[i] != ROLE_REVOKE_READER)
			continue;
		if (doorbell)
			shm_wait_doorbell(r);
		if (shm_wait_magic(r))
			verified[i] = shm_verify(r);
		if (role[i] == ROLE_REVOKE_READER && verified[i]) {
			*shm_ack(r) = SHM_ACK;
			guest_dsb();
		}
	}
	for (int i = 0; i < nregions; i++) {
		if (role[i] == ROLE_REVOKE_OWNER)
			shm_wait_ack(&regions[i]);
		if (role[i] == ROLE_REVOKE_READER && verified[i])
			shm_wait_revoked(&regions[i]);
		revoke_reader |= role[i] == ROLE_REVOKE_READER;
	}
	return revoke_reader;
}

int main(const void *dtb)
{
	char want_id[SHM_ID_MAX] = "";
	uint64_t linger_ms = 0;

	(void)dtb;
	gprintf("shm: bootargs: %s\n", bootargs_line());
	bootargs_get_u64("shm_timeout_ms", &timeout_ms);
	bootargs_get_u64("shm_linger_ms", &linger_ms);
	uint64_t ring = 0;
	doorbell = bootargs_get_u64("shm_doorbell", &ring) && ring;
	if (doorbell)
		shm_doorbell_listen();
	enum shm_role role = shm_parse_role();
	shm_dt_scan();
	if (bootargs_get("shm_id", want_id, sizeof(want_id))) {
		bool any = false;
		for (int i = 0; i < nregions; i++)
			any = any || shm_selected(&regions[i], want_id);
		if (!any)
			report_fail("shm-select got=none want=%s", want_id);
	}
	bool revoke_reader = shm_run_roles(role, want_id);
	if (linger_ms != 0)
		timer_delay_us(linger_ms * 1000u);
	if (revoke_reader)
		report_pass("shm-poweroff");
	return 0;
}
