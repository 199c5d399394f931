/*
 * Unit tests for the shared-memory ownership table (shm/shm_table.c).
 * Configurations are built by hand; stage-2 hooks are a recorder, so every
 * map/unmap the table asks for is asserted exactly.  shm_table_check() runs
 * after every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shm.h"
#include "tserr.h"

/* ---- fixture: config, table, recorder ------------------------------- */

static struct config cfg;
static struct shm_table tbl;
static struct shm_table snap;

enum call_kind { CALL_MAP = 1, CALL_UNMAP };
struct call {
	enum call_kind kind;
	unsigned int part;
	uint64_t ipa;
	uint64_t pa;            /* 0 for unmap */
	uint64_t size;
};

#define MAX_CALLS 2048
static struct call calls[MAX_CALLS];
static unsigned int call_count;
static unsigned int map_calls;
static int map_fail_at;         /* index of the map call that fails, or -1 */
static int map_fail_err;

static int rec_map(void *ctx, unsigned int part, ipa_t addr, hpa_t pa, uint64_t size)
{
	assert_ptr_equal(ctx, &calls);
	assert_true(call_count < MAX_CALLS);
	calls[call_count++] = (struct call){ CALL_MAP, part, addr.v, pa.v, size };
	if ((int)map_calls++ == map_fail_at)
		return map_fail_err;
	return 0;
}

static void rec_unmap(void *ctx, unsigned int part, ipa_t addr, uint64_t size)
{
	assert_ptr_equal(ctx, &calls);
	assert_true(call_count < MAX_CALLS);
	calls[call_count++] = (struct call){ CALL_UNMAP, part, addr.v, 0, size };
}

static const struct shm_ops ops = { rec_map, rec_unmap, &calls };

static void calls_reset(void)
{
	call_count = 0;
	map_calls = 0;
	map_fail_at = -1;
}

/* Asserts that exactly @want were recorded, in order, then forgets them. */
static void expect_calls(const struct call *want, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < call_count; i++) {
		if (memcmp(&calls[i], &want[i], sizeof(want[i])) != 0)
			fail_msg("call %u: got %d part %u ipa 0x%llx pa 0x%llx size 0x%llx, "
				 "want %d part %u ipa 0x%llx pa 0x%llx size 0x%llx", i,
				 calls[i].kind, calls[i].part,
				 (unsigned long long)calls[i].ipa,
				 (unsigned long long)calls[i].pa,
				 (unsigned long long)calls[i].size, want[i].kind,
				 want[i].part, (unsigned long long)want[i].ipa,
				 (unsigned long long)want[i].pa,
				 (unsigned long long)want[i].size);
	}
	assert_int_equal(call_count, n);
	calls_reset();
}

static void expect_no_calls(void)
{
	assert_int_equal(call_count, 0);
}

#define MAX_LINES 300
static char lines[MAX_LINES][SHM_LINE_MAX];
static unsigned int line_count;

static void rec_line(void *ctx, const char *line)
{
	assert_ptr_equal(ctx, &lines);
	assert_true(line_count < MAX_LINES);
	assert_true(strlen(line) < SHM_LINE_MAX);
	strcpy(lines[line_count++], line);
}

static void print_table(void)
{
	line_count = 0;
	shm_table_print(&tbl, &cfg, rec_line, &lines);
}

static void check_ok(void)
{
	char msg[200];
	int err = shm_table_check(&tbl, &cfg, msg, sizeof(msg));
	if (err != 0)
		fail_msg("invariant broken (%d): %s", err, msg);
	assert_string_equal(msg, "ok");
}

static void check_fails(const char *want)
{
	char msg[200];
	assert_int_equal(shm_table_check(&tbl, &cfg, msg, sizeof(msg)), -TS_EINVAL);
	assert_string_equal(msg, want);
}

static unsigned int add_part(const char *name, uint32_t id)
{
	unsigned int p = cfg.partition_count++;
	snprintf(cfg.partitions[p].name, CFG_NAME_MAX, "%s", name);
	cfg.partitions[p].id = id;
	return p;
}

static unsigned int add_region(const char *id, uint64_t host, uint64_t size, int owner)
{
	unsigned int r = cfg.region_count++;
	snprintf(cfg.regions[r].id, CFG_SHM_ID_MAX, "%s", id);
	cfg.regions[r].host_base = host;
	cfg.regions[r].size = size;
	cfg.regions[r].owner = owner;
	return r;
}

static void add_ref(unsigned int part, unsigned int region, uint64_t guest)
{
	struct cfg_shm_ref *ref = &cfg.refs[cfg.ref_count++];
	ref->partition = part;
	ref->region = region;
	ref->guest_base = guest;
	ref->owner = cfg.regions[region].owner == (int)part;
}

static int setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&tbl, 0xa5, sizeof(tbl));        /* init must not rely on zeroed memory */
	calls_reset();
	line_count = 0;
	return 0;
}

static void start_ok(unsigned int part)
{
	char why[SHM_WHY_MAX] = "untouched";
	assert_int_equal(shm_partition_start(&tbl, &cfg, part, &ops, why, sizeof(why)), 0);
	assert_string_equal(why, "untouched");
	assert_true(shm_partition_running(&tbl, part));
	check_ok();
}

static void stop(unsigned int part)
{
	shm_partition_stop(&tbl, &cfg, part, &ops);
	assert_false(shm_partition_running(&tbl, part));
	check_ok();
}

static void save_table(void)
{
	memcpy(&snap, &tbl, sizeof(tbl));
}

static void assert_table_unchanged(void)
{
	assert_memory_equal(&snap, &tbl, sizeof(tbl));
}

/* ---- the design's example -------------------------------------------- */

/*
 * shm-dom0less-design.txt: region 0x0 (256 MiB at 0x10000000) owned by dom0
 * (IPA 0x10000000), borrowed by domU1 (IPA 0x50000000); region 0x1 (512 MiB
 * at 0x50000000) owned by dom_shared, borrowed by domU1 (0x60000000) and
 * domU2 (0x70000000).
 */
enum { DOM0, DOMU1, DOMU2 };
enum { R0, R1 };
#define R0_HOST  0x10000000ull
#define R0_SIZE  0x10000000ull
#define R1_HOST  0x50000000ull
#define R1_SIZE  0x20000000ull
#define DOM0_R0  0x10000000ull
#define DOMU1_R0 0x50000000ull
#define DOMU1_R1 0x60000000ull
#define DOMU2_R1 0x70000000ull

static const struct call map_dom0[] = {
	{ CALL_MAP, DOM0, DOM0_R0, R0_HOST, R0_SIZE },
};
static const struct call map_domu1[] = {
	{ CALL_MAP, DOMU1, DOMU1_R0, R0_HOST, R0_SIZE },
	{ CALL_MAP, DOMU1, DOMU1_R1, R1_HOST, R1_SIZE },
};
static const struct call map_domu2[] = {
	{ CALL_MAP, DOMU2, DOMU2_R1, R1_HOST, R1_SIZE },
};

static void build_example(void)
{
	assert_int_equal(add_part("dom0", CFG_DOM0_ID), DOM0);
	assert_int_equal(add_part("domU1", 1), DOMU1);
	assert_int_equal(add_part("domU2", 2), DOMU2);
	assert_int_equal(add_region("0x0", R0_HOST, R0_SIZE, DOM0), R0);
	assert_int_equal(add_region("0x1", R1_HOST, R1_SIZE, CFG_OWNER_DOM_SHARED), R1);
	add_ref(DOM0, R0, DOM0_R0);
	add_ref(DOMU1, R0, DOMU1_R0);
	add_ref(DOMU1, R1, DOMU1_R1);
	add_ref(DOMU2, R1, DOMU2_R1);
	assert_int_equal(shm_table_init(&tbl, &cfg), 0);
	check_ok();
}

static void start_example(void)
{
	build_example();
	start_ok(DOM0);
	expect_calls(map_dom0, ARRAY_SIZE(map_dom0));
	start_ok(DOMU1);
	expect_calls(map_domu1, ARRAY_SIZE(map_domu1));
	start_ok(DOMU2);
	expect_calls(map_domu2, ARRAY_SIZE(map_domu2));
}

static void test_init_records_regions(void **state)
{
	(void)state;
	build_example();
	const struct shm_region *r0 = &tbl.regions[R0], *r1 = &tbl.regions[R1];
	assert_int_equal(tbl.dom_shared.domid, 0x7FF5);
	assert_true(tbl.dom_shared.live);
	assert_int_equal(tbl.dom_shared.region_count, 1);
	assert_int_equal(r0->host_pfn, 0x10000);
	assert_int_equal(r0->page_count, 0x10000);
	assert_int_equal(r0->owner, DOM0);
	assert_int_equal(r0->owner_domid, 0);
	assert_int_equal(r0->named, 0x3);
	assert_int_equal(r1->host_pfn, 0x50000);
	assert_int_equal(r1->page_count, 0x20000);
	assert_int_equal(r1->owner, CFG_OWNER_DOM_SHARED);
	assert_int_equal(r1->owner_domid, 0x7FF5);
	assert_int_equal(r1->named, 0x6);
	for (unsigned int i = R0; i <= R1; i++) {
		assert_int_equal(shm_region_refcount(&tbl, i), 0);
		assert_int_equal(tbl.regions[i].installed, 0);
		assert_int_equal(tbl.regions[i].revoked, 0);
	}
	for (unsigned int p = DOM0; p <= DOMU2; p++)
		assert_false(shm_partition_running(&tbl, p));
	expect_no_calls();
}

static void test_start_all_counts(void **state)
{
	(void)state;
	start_example();
	assert_int_equal(shm_region_refcount(&tbl, R0), 2);
	assert_int_equal(shm_region_refcount(&tbl, R1), 2);
	assert_int_equal(shm_region_state(&tbl, R0, DOM0), SHM_MAPPED);
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_MAPPED);
	assert_int_equal(shm_region_state(&tbl, R0, DOMU2), SHM_UNMAPPED);
	assert_int_equal(shm_region_state(&tbl, R1, DOMU2), SHM_MAPPED);
}

static void test_doorbell_targets(void **state)
{
	(void)state;
	shm_partmask_t to;
	start_example();
	/* domU1 rings region 0x1 (its IPA 0x60000000): domU2 only, never itself. */
	assert_int_equal(shm_doorbell_targets(&tbl, &cfg, DOMU1, ipa(DOMU1_R1), &to), R1);
	assert_int_equal(to, 1u << DOMU2);
	/* dom0 rings region 0x0: domU1. */
	assert_int_equal(shm_doorbell_targets(&tbl, &cfg, DOM0, ipa(DOM0_R0), &to), R0);
	assert_int_equal(to, 1u << DOMU1);
	/* Not the base of one of its regions: nothing. */
	assert_int_equal(shm_doorbell_targets(&tbl, &cfg, DOMU2, ipa(DOMU1_R1), &to), -TS_ENOENT);
	assert_int_equal(to, 0);
	/* A stopped peer is not rung; a revoked borrower cannot ring. */
	stop(DOMU2);
	assert_int_equal(shm_doorbell_targets(&tbl, &cfg, DOMU1, ipa(DOMU1_R1), &to), R1);
	assert_int_equal(to, 0);
	stop(DOM0);
	assert_int_equal(shm_doorbell_targets(&tbl, &cfg, DOMU1, ipa(DOMU1_R0), &to), -TS_EPERM);
	assert_int_equal(to, 0);
	check_ok();
}

/* The doorbell GPIO names the region itself: the same rules by region index. */
static void test_region_peers(void **state)
{
	(void)state;
	shm_partmask_t to;
	start_example();
	assert_int_equal(shm_region_peers(&tbl, R1, DOMU2, &to), 0);
	assert_int_equal(to, 1u << DOMU1);
	assert_int_equal(shm_region_peers(&tbl, R0, DOMU1, &to), 0);
	assert_int_equal(to, 1u << DOM0);
	/* domU2 does not name region 0x0; bad indexes. */
	assert_int_equal(shm_region_peers(&tbl, R0, DOMU2, &to), -TS_ENOENT);
	assert_int_equal(to, 0);
	assert_int_equal(shm_region_peers(&tbl, CFG_MAX_REGIONS, DOMU2, &to), -TS_EINVAL);
	assert_int_equal(shm_region_peers(&tbl, R0, CFG_MAX_PARTITIONS, &to), -TS_EINVAL);
	/* The owner stopped: the borrower is revoked and rings nobody. */
	stop(DOM0);
	assert_int_equal(shm_region_peers(&tbl, R0, DOMU1, &to), -TS_EPERM);
	assert_int_equal(to, 0);
	check_ok();
}

static void test_print_started(void **state)
{
	(void)state;
	start_example();
	print_table();
	assert_int_equal(line_count, 3);
	assert_string_equal(lines[0], "shm: regions 2 dom_shared(0x7ff5) owns 1 live");
	assert_string_equal(lines[1],
		"shm: id 0x0 host 0x10000000-0x1fffffff size 0x10000000 owner dom0(0x0) "
		"refs 2 dom0@0x10000000(owner,mapped) domU1@0x50000000(mapped)");
	assert_string_equal(lines[2],
		"shm: id 0x1 host 0x50000000-0x6fffffff size 0x20000000 owner dom_shared(0x7ff5) "
		"refs 2 domU1@0x60000000(mapped) domU2@0x70000000(mapped)");
}

static void test_stop_borrower_drops_ref(void **state)
{
	(void)state;
	start_example();
	stop(DOMU2);
	static const struct call want[] = { { CALL_UNMAP, DOMU2, DOMU2_R1, 0, R1_SIZE } };
	expect_calls(want, ARRAY_SIZE(want));
	assert_int_equal(shm_region_refcount(&tbl, R1), 1);
	assert_int_equal(shm_region_refcount(&tbl, R0), 2);
	assert_int_equal(shm_region_state(&tbl, R1, DOMU2), SHM_UNMAPPED);
}

static void test_stop_owner_revokes_borrower(void **state)
{
	(void)state;
	start_example();
	stop(DOMU2);
	calls_reset();
	stop(DOM0);
	static const struct call want[] = {
		{ CALL_UNMAP, DOMU1, DOMU1_R0, 0, R0_SIZE },   /* borrower first */
		{ CALL_UNMAP, DOM0, DOM0_R0, 0, R0_SIZE },
	};
	expect_calls(want, ARRAY_SIZE(want));
	assert_int_equal(shm_region_refcount(&tbl, R0), 0);
	assert_int_equal(shm_region_refcount(&tbl, R1), 1);
	assert_true(shm_partition_running(&tbl, DOMU1));
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_REVOKED);
	assert_int_equal(shm_region_state(&tbl, R1, DOMU1), SHM_MAPPED);
	/* the fault handler's look-up: the whole range, nothing beside it */
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0)), R0);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0 + R0_SIZE - 1)), R0);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0 + R0_SIZE)), -1);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0 - 1)), -1);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R1)), -1);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOM0, ipa(DOM0_R0)), -1);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, 99, ipa(DOMU1_R0)), -1);

	print_table();
	assert_string_equal(lines[1],
		"shm: id 0x0 host 0x10000000-0x1fffffff size 0x10000000 owner dom0(0x0) "
		"refs 0 dom0@0x10000000(owner,unmapped) domU1@0x50000000(revoked)");
	assert_string_equal(lines[2],
		"shm: id 0x1 host 0x50000000-0x6fffffff size 0x20000000 owner dom_shared(0x7ff5) "
		"refs 1 domU1@0x60000000(mapped) domU2@0x70000000(unmapped)");
}

/* The `walk` command's look-up: by guest address first, then by host page. */
static void test_describe_addr(void **state)
{
	(void)state;
	char buf[SHM_LINE_MAX];
	hpa_t in_r0 = hpa(R0_HOST + 0x1234), ram = hpa(0x80000000);

	start_example();
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU1, ipa(DOMU1_R0 + 0x1234), &in_r0,
					   buf, sizeof(buf)), R0);
	assert_string_equal(buf, "shm: region 0x0 host 0x10000000-0x1fffffff owner dom0(0x0) "
			    "refs 2: domU1 borrows it at 0x50000000, mapped");
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOM0, ipa(DOM0_R0), NULL, buf,
					   sizeof(buf)), R0);
	assert_string_equal(buf, "shm: region 0x0 host 0x10000000-0x1fffffff owner dom0(0x0) "
			    "refs 2: dom0 owns it at 0x10000000, mapped");
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU2, ipa(DOMU2_R1 + R1_SIZE - 1), NULL,
					   buf, sizeof(buf)), R1);
	assert_string_equal(buf, "shm: region 0x1 host 0x50000000-0x6fffffff owner "
			    "dom_shared(0x7ff5) refs 2: domU2 borrows it at 0x70000000, mapped");
	/* Partition RAM: in no region, by either address. */
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU2, ipa(DOMU2_R1 + R1_SIZE), &ram,
					   buf, sizeof(buf)), -1);
	assert_string_equal(buf, "shm: no shared region at IPA 0x90000000 or PA 0x80000000");
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU2, ipa(0x40000000), NULL,
					   buf, sizeof(buf)), -1);
	assert_string_equal(buf, "shm: no shared region at IPA 0x40000000");
	/* A host page of a region reached at an address the partition does not
	 * name for it (never made by the hypervisor; said plainly if it were). */
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU2, ipa(0x40000000), &in_r0,
					   buf, sizeof(buf)), R0);
	assert_string_equal(buf, "shm: region 0x0 host 0x10000000-0x1fffffff owner dom0(0x0) "
			    "refs 2: not named by domU2 at 0x40000000");

	/* The owner stops: the borrower's address is revoked, and says why. */
	stop(DOM0);
	calls_reset();
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU1, ipa(DOMU1_R0), NULL, buf,
					   sizeof(buf)), R0);
	assert_string_equal(buf, "shm: region 0x0 host 0x10000000-0x1fffffff owner dom0(0x0) "
			    "refs 0: domU1 borrows it at 0x50000000, revoked (its owner dom0 stopped)");
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOM0, ipa(DOM0_R0), NULL, buf,
					   sizeof(buf)), R0);
	assert_string_equal(buf, "shm: region 0x0 host 0x10000000-0x1fffffff owner dom0(0x0) "
			    "refs 0: dom0 owns it at 0x10000000, unmapped");
	/* A bad partition index finds nothing by guest address; a short buffer
	 * is cut, never overrun. */
	assert_int_equal(shm_describe_addr(&tbl, &cfg, 99, ipa(DOMU1_R0), NULL, buf,
					   sizeof(buf)), -1);
	char small[24];
	assert_int_equal(shm_describe_addr(&tbl, &cfg, DOMU1, ipa(DOMU1_R0), NULL, small,
					   sizeof(small)), R0);
	assert_string_equal(small, "shm: region 0x0 host 0x");
	check_ok();
}

static void test_revoked_borrower_stop_unmaps_rest_only(void **state)
{
	(void)state;
	start_example();
	stop(DOM0);
	calls_reset();
	stop(DOMU1);
	static const struct call want[] = { { CALL_UNMAP, DOMU1, DOMU1_R1, 0, R1_SIZE } };
	expect_calls(want, ARRAY_SIZE(want));
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_UNMAPPED);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0)), -1);
}

static void test_borrower_cannot_start_while_owner_stopped(void **state)
{
	(void)state;
	start_example();
	stop(DOM0);
	stop(DOMU1);
	calls_reset();
	save_table();
	char why[SHM_WHY_MAX];
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU1, &ops, why, sizeof(why)),
			 -TS_EPERM);
	assert_string_equal(why, "domU1: cannot start: region 0x0 owner dom0 is stopped");
	expect_no_calls();
	assert_table_unchanged();
	assert_false(shm_partition_running(&tbl, DOMU1));
	check_ok();
	/* a NULL reason buffer is allowed */
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU1, &ops, NULL, 0), -TS_EPERM);
	expect_no_calls();
	assert_table_unchanged();
}

static void test_restart_owner_then_borrower(void **state)
{
	(void)state;
	start_example();
	stop(DOM0);
	stop(DOMU1);
	calls_reset();
	start_ok(DOM0);
	expect_calls(map_dom0, ARRAY_SIZE(map_dom0));
	assert_int_equal(shm_region_refcount(&tbl, R0), 1);
	start_ok(DOMU1);
	expect_calls(map_domu1, ARRAY_SIZE(map_domu1));
	assert_int_equal(shm_region_refcount(&tbl, R0), 2);
	assert_int_equal(shm_region_refcount(&tbl, R1), 2);
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_MAPPED);
}

static void test_revoked_stays_unmapped_until_restart(void **state)
{
	(void)state;
	start_example();
	stop(DOM0);
	calls_reset();
	start_ok(DOM0);         /* the owner comes back; domU1 keeps running */
	expect_calls(map_dom0, ARRAY_SIZE(map_dom0));
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_REVOKED);
	assert_int_equal(shm_region_refcount(&tbl, R0), 1);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, DOMU1, ipa(DOMU1_R0)), R0);
	stop(DOMU1);
	static const struct call unmap_u1[] = { { CALL_UNMAP, DOMU1, DOMU1_R1, 0, R1_SIZE } };
	expect_calls(unmap_u1, ARRAY_SIZE(unmap_u1));
	start_ok(DOMU1);
	expect_calls(map_domu1, ARRAY_SIZE(map_domu1));
	assert_int_equal(shm_region_state(&tbl, R0, DOMU1), SHM_MAPPED);
	assert_int_equal(shm_region_refcount(&tbl, R0), 2);
}

static void test_all_stopped_every_ref_zero(void **state)
{
	(void)state;
	start_example();
	stop(DOMU1);
	stop(DOM0);
	stop(DOMU2);
	static const struct call want[] = {
		{ CALL_UNMAP, DOMU1, DOMU1_R0, 0, R0_SIZE },
		{ CALL_UNMAP, DOMU1, DOMU1_R1, 0, R1_SIZE },
		{ CALL_UNMAP, DOM0, DOM0_R0, 0, R0_SIZE },
		{ CALL_UNMAP, DOMU2, DOMU2_R1, 0, R1_SIZE },
	};
	expect_calls(want, ARRAY_SIZE(want));
	for (unsigned int i = R0; i <= R1; i++)
		assert_int_equal(shm_region_refcount(&tbl, i), 0);
	print_table();
	assert_int_equal(line_count, 3);
	assert_string_equal(lines[1],
		"shm: id 0x0 host 0x10000000-0x1fffffff size 0x10000000 owner dom0(0x0) "
		"refs 0 dom0@0x10000000(owner,unmapped) domU1@0x50000000(unmapped)");
	assert_string_equal(lines[2],
		"shm: id 0x1 host 0x50000000-0x6fffffff size 0x20000000 owner dom_shared(0x7ff5) "
		"refs 0 domU1@0x60000000(unmapped) domU2@0x70000000(unmapped)");
	/* stopping again changes nothing */
	stop(DOM0);
	expect_no_calls();
}

static void test_release_dom_shared(void **state)
{
	(void)state;
	start_example();
	assert_int_equal(shm_table_release_dom_shared(&tbl), -TS_EBUSY);
	assert_true(tbl.dom_shared.live);
	stop(DOMU2);
	stop(DOMU1);
	stop(DOM0);
	calls_reset();
	assert_int_equal(shm_table_release_dom_shared(&tbl), 1);
	assert_false(tbl.dom_shared.live);
	check_ok();
	assert_int_equal(shm_table_release_dom_shared(&tbl), 0);
	print_table();
	assert_string_equal(lines[0], "shm: regions 2 dom_shared(0x7ff5) owns 1 released");
	char why[SHM_WHY_MAX];
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU2, &ops, why, sizeof(why)),
			 -TS_EPERM);
	assert_string_equal(why, "domU2: cannot start: region 0x1 owner dom_shared is released");
	expect_no_calls();
	/* dom0 names no dom_shared region */
	start_ok(DOM0);
	expect_calls(map_dom0, ARRAY_SIZE(map_dom0));
}

static void test_start_errors(void **state)
{
	(void)state;
	start_example();
	save_table();
	char why[SHM_WHY_MAX];
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOM0, &ops, why, sizeof(why)),
			 -TS_EBUSY);
	assert_string_equal(why, "dom0: cannot start: already running");
	assert_int_equal(shm_partition_start(&tbl, &cfg, 3, &ops, why, sizeof(why)),
			 -TS_EINVAL);
	assert_string_equal(why, "partition 3: cannot start: no such partition");
	/* a reason longer than the buffer is cut, still terminated */
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOM0, &ops, why, 5), -TS_EBUSY);
	assert_string_equal(why, "dom0");
	shm_partition_stop(&tbl, &cfg, 7, &ops);
	expect_no_calls();
	assert_table_unchanged();
	check_ok();
}

static void test_map_failure_unwinds(void **state)
{
	(void)state;
	build_example();
	start_ok(DOM0);
	start_ok(DOMU2);
	calls_reset();
	save_table();
	map_fail_at = 1;                /* domU1's second map: region 0x1 */
	map_fail_err = -TS_ENOMEM;
	char why[SHM_WHY_MAX];
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU1, &ops, why, sizeof(why)),
			 -TS_ENOMEM);
	assert_string_equal(why,
		"domU1: cannot start: mapping region 0x1 at 0x60000000 failed (-2)");
	static const struct call want[] = {
		{ CALL_MAP, DOMU1, DOMU1_R0, R0_HOST, R0_SIZE },
		{ CALL_MAP, DOMU1, DOMU1_R1, R1_HOST, R1_SIZE },
		{ CALL_UNMAP, DOMU1, DOMU1_R0, 0, R0_SIZE },
	};
	expect_calls(want, ARRAY_SIZE(want));
	assert_table_unchanged();
	assert_false(shm_partition_running(&tbl, DOMU1));
	assert_int_equal(shm_region_refcount(&tbl, R0), 1);
	assert_int_equal(shm_region_refcount(&tbl, R1), 1);
	check_ok();

	map_fail_at = 0;                /* the first map fails: nothing to undo */
	map_fail_err = -TS_EBUSY;
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU1, &ops, why, sizeof(why)),
			 -TS_EBUSY);
	assert_string_equal(why,
		"domU1: cannot start: mapping region 0x0 at 0x50000000 failed (-3)");
	expect_calls(want, 1);
	assert_table_unchanged();

	map_fail_at = 0;                /* a positive value is still a failure */
	map_fail_err = 1;
	assert_int_equal(shm_partition_start(&tbl, &cfg, DOMU1, &ops, NULL, 0), -TS_EINVAL);
	expect_calls(want, 1);
	assert_table_unchanged();

	start_ok(DOMU1);                /* and a later start works */
	expect_calls(map_domu1, ARRAY_SIZE(map_domu1));
}

/* ---- the brief's virt example lines ----------------------------------- */

static void test_print_virt_example(void **state)
{
	(void)state;
	add_part("dom0", CFG_DOM0_ID);
	add_part("domU1", 1);
	add_part("domU2", 2);
	unsigned int r1 = add_region("0x1", 0x60000000, SZ_2M, CFG_OWNER_DOM_SHARED);
	unsigned int r0 = add_region("0x0", 0x70000000, SZ_2M, DOM0);
	add_ref(DOM0, r0, 0x70000000);
	add_ref(DOMU1, r0, 0x50000000);
	add_ref(DOMU1, r1, 0x60000000);
	add_ref(DOMU2, r1, 0x70000000);
	assert_int_equal(shm_table_init(&tbl, &cfg), 0);
	for (unsigned int p = DOM0; p <= DOMU2; p++)
		start_ok(p);
	print_table();
	assert_int_equal(line_count, 3);
	assert_string_equal(lines[1],
		"shm: id 0x1 host 0x60000000-0x601fffff size 0x200000 owner dom_shared(0x7ff5) "
		"refs 2 domU1@0x60000000(mapped) domU2@0x70000000(mapped)");
	assert_string_equal(lines[2],
		"shm: id 0x0 host 0x70000000-0x701fffff size 0x200000 owner dom0(0x0) "
		"refs 2 dom0@0x70000000(owner,mapped) domU1@0x50000000(mapped)");
}

/* ---- scale: the design's 295 ids, shared by two partitions ------------ */

#define SCALE_REGIONS   (CFG_SHM_U32_ID_LAST + 1)
#define SCALE_HOST      0x80000000ull
#define SCALE_A_IPA     0x100000000ull
#define SCALE_B_IPA     0x200000000ull

static bool scale_owned_by_a(unsigned int i)
{
	return i % 2 == 0;      /* even ids: partition A; odd: dom_shared */
}

static void build_scale(void)
{
	add_part("domA", 1);
	add_part("domB", 2);
	for (unsigned int i = 0; i < SCALE_REGIONS; i++) {
		char id[CFG_SHM_ID_MAX];
		snprintf(id, sizeof(id), "0x%x", i);
		add_region(id, SCALE_HOST + i * SZ_2M, SZ_2M,
			   scale_owned_by_a(i) ? 0 : CFG_OWNER_DOM_SHARED);
		cfg.regions[i].id_is_u32 = true;
		cfg.regions[i].id_u32 = i;
	}
	for (unsigned int p = 0; p < 2; p++)
		for (unsigned int i = 0; i < SCALE_REGIONS; i++)
			add_ref(p, i, (p == 0 ? SCALE_A_IPA : SCALE_B_IPA) + i * SZ_2M);
	assert_int_equal(shm_table_init(&tbl, &cfg), 0);
	check_ok();
}

static void expect_scale_maps(unsigned int part, uint64_t base)
{
	assert_int_equal(call_count, SCALE_REGIONS);
	for (unsigned int i = 0; i < SCALE_REGIONS; i++) {
		const struct call want = { CALL_MAP, part, base + i * SZ_2M,
					   SCALE_HOST + i * SZ_2M, SZ_2M };
		assert_memory_equal(&calls[i], &want, sizeof(want));
	}
	calls_reset();
}

static void test_scale_295_regions(void **state)
{
	(void)state;
	build_scale();
	assert_int_equal(cfg.region_count, 295);
	assert_int_equal(tbl.dom_shared.region_count, 147);
	start_ok(0);
	expect_scale_maps(0, SCALE_A_IPA);
	start_ok(1);
	expect_scale_maps(1, SCALE_B_IPA);
	for (unsigned int i = 0; i < SCALE_REGIONS; i++)
		assert_int_equal(shm_region_refcount(&tbl, i), 2);

	print_table();
	assert_int_equal(line_count, 1 + SCALE_REGIONS);
	assert_string_equal(lines[0], "shm: regions 295 dom_shared(0x7ff5) owns 147 live");
	assert_string_equal(lines[295],
		"shm: id 0x126 host 0xa4c00000-0xa4dfffff size 0x200000 owner domA(0x1) "
		"refs 2 domA@0x124c00000(owner,mapped) domB@0x224c00000(mapped)");
	assert_string_equal(lines[2],
		"shm: id 0x1 host 0x80200000-0x803fffff size 0x200000 owner dom_shared(0x7ff5) "
		"refs 2 domA@0x100200000(mapped) domB@0x200200000(mapped)");

	/* the owner stops: B's 148 mappings of A's regions go first, then A's */
	stop(0);
	assert_int_equal(call_count, 148 + SCALE_REGIONS);
	for (unsigned int k = 0; k < 148; k++) {
		const struct call want = { CALL_UNMAP, 1, SCALE_B_IPA + 2 * k * SZ_2M, 0, SZ_2M };
		assert_memory_equal(&calls[k], &want, sizeof(want));
	}
	for (unsigned int i = 0; i < SCALE_REGIONS; i++) {
		const struct call want = { CALL_UNMAP, 0, SCALE_A_IPA + i * SZ_2M, 0, SZ_2M };
		assert_memory_equal(&calls[148 + i], &want, sizeof(want));
		assert_int_equal(shm_region_refcount(&tbl, i), scale_owned_by_a(i) ? 0 : 1);
		assert_int_equal(shm_region_state(&tbl, i, 1),
				 scale_owned_by_a(i) ? SHM_REVOKED : SHM_MAPPED);
	}
	calls_reset();
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, 1, ipa(SCALE_B_IPA + 0x126 * SZ_2M + 5)),
			 0x126);
	assert_int_equal(shm_lookup_revoked(&tbl, &cfg, 1, ipa(SCALE_B_IPA + 0x125 * SZ_2M)), -1);

	stop(1);
	assert_int_equal(call_count, 147);
	for (unsigned int i = 0; i < SCALE_REGIONS; i++)
		assert_int_equal(shm_region_refcount(&tbl, i), 0);
	calls_reset();

	/* and both start again */
	start_ok(0);
	expect_scale_maps(0, SCALE_A_IPA);
	start_ok(1);
	expect_scale_maps(1, SCALE_B_IPA);
	stop(1);
	stop(0);
	assert_int_equal(call_count, 2 * SCALE_REGIONS);
}

/* ---- longest line ---------------------------------------------------- */

static void test_print_longest_line_fits(void **state)
{
	(void)state;
	char name[CFG_NAME_MAX];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (unsigned int p = 0; p < CFG_MAX_PARTITIONS; p++) {
		name[0] = (char)('a' + p);
		add_part(name, p == 0 ? 0xffffffffu : p);
	}
	unsigned int r = add_region("abcdefghijklmno", 0xfffffffffff00000ull, SZ_64K, 0);
	for (unsigned int p = 0; p < CFG_MAX_PARTITIONS; p++)
		add_ref(p, r, 0xffffffffff000000ull);
	assert_int_equal(shm_table_init(&tbl, &cfg), 0);
	print_table();
	const char *line = lines[1];
	size_t len = strlen(line);
	assert_true(len < SHM_LINE_MAX - 1);
	/* the last entry is complete */
	name[0] = (char)('a' + CFG_MAX_PARTITIONS - 1);
	char tail[SHM_LINE_REF_MAX];
	snprintf(tail, sizeof(tail), " %s@0xffffffffff000000(unmapped)", name);
	assert_true(len > strlen(tail));
	assert_string_equal(line + len - strlen(tail), tail);
	name[0] = 'a';
	char head[SHM_LINE_HEAD_MAX + SHM_LINE_REF_MAX];
	snprintf(head, sizeof(head),
		 "shm: id abcdefghijklmno host 0xfffffffffff00000-0xfffffffffff0ffff "
		 "size 0x10000 owner %s(0xffffffff) refs 0 %s@0xffffffffff000000(owner,unmapped) ",
		 name, name);
	assert_int_equal(strncmp(line, head, strlen(head)), 0);
}

/* ---- init rejects what the table cannot represent --------------------- */

static void expect_init_rejects(void)
{
	assert_int_equal(shm_table_init(&tbl, &cfg), -TS_EINVAL);
	assert_int_equal(tbl.region_count, 0);
	assert_int_equal(tbl.partition_count, 0);
	assert_int_equal(tbl.running, 0);
	assert_false(shm_partition_running(&tbl, 0));
}

static void test_init_rejects_duplicate_ref(void **state)
{
	(void)state;
	build_example();
	add_ref(DOMU2, R1, 0x80000000);
	expect_init_rejects();
}

static void test_init_rejects_owner_flag_mismatch(void **state)
{
	(void)state;
	build_example();
	cfg.refs[1].owner = true;       /* domU1 says owner, region says dom0 */
	expect_init_rejects();
}

static void test_init_rejects_unaligned_region(void **state)
{
	(void)state;
	build_example();
	cfg.regions[R1].size = R1_SIZE + 0x800;
	expect_init_rejects();
}

static void test_init_rejects_bad_owner(void **state)
{
	(void)state;
	build_example();
	cfg.regions[R0].owner = 3;      /* only 3 partitions */
	expect_init_rejects();
}

static void test_init_rejects_owner_without_ref(void **state)
{
	(void)state;
	build_example();
	/* drop dom0's ref to the region it owns */
	memmove(&cfg.refs[0], &cfg.refs[1], 3 * sizeof(cfg.refs[0]));
	cfg.ref_count = 3;
	expect_init_rejects();
}

static void test_init_rejects_bad_ref_index(void **state)
{
	(void)state;
	build_example();
	cfg.refs[2].region = 2;
	expect_init_rejects();
}

static void test_init_rejects_wrapping_region(void **state)
{
	(void)state;
	build_example();
	cfg.regions[R1].host_base = 0xfffffffff0000000ull;
	expect_init_rejects();
}

/* ---- the checker catches broken tables -------------------------------- */

static void test_check_catches_refcount(void **state)
{
	(void)state;
	start_example();
	tbl.regions[R0].refcount++;
	check_fails("region 0x0: refcount 3, expected 2");
}

static void test_check_catches_stopped_mapping(void **state)
{
	(void)state;
	start_example();
	stop(DOMU2);
	tbl.regions[R1].installed |= 1u << DOMU2;
	tbl.regions[R1].refcount++;
	check_fails("region 0x1: domU2 is mapped or revoked but stopped or not naming it");
}

static void test_check_catches_borrower_without_owner(void **state)
{
	(void)state;
	start_example();
	tbl.running &= ~(1u << DOM0);
	tbl.regions[R0].installed &= ~(1u << DOM0);
	tbl.regions[R0].refcount--;
	check_fails("region 0x0: domU1 mapped while owner dom0 is stopped");
}

static void test_check_catches_revoked_dom_shared(void **state)
{
	(void)state;
	start_example();
	tbl.regions[R1].installed &= ~(1u << DOMU2);
	tbl.regions[R1].revoked |= 1u << DOMU2;
	tbl.regions[R1].refcount--;
	check_fails("region 0x1: domU2 revoked without an explicit owner above it");
}

static void test_check_catches_forgotten_borrower(void **state)
{
	(void)state;
	start_example();
	tbl.regions[R1].installed &= ~(1u << DOMU2);
	tbl.regions[R1].refcount--;
	check_fails("region 0x1: running domU2 neither mapped nor revoked");
}

static void test_check_catches_owner_state(void **state)
{
	(void)state;
	start_example();
	tbl.regions[R0].installed &= ~(1u << DOM0);
	check_fails("region 0x0: owner dom0 mapped 0 running 1");
}

static void test_check_catches_wrong_facts(void **state)
{
	(void)state;
	build_example();
	tbl.regions[R1].owner_domid = 2;
	check_fails("region 0x1: facts differ from the config");
	tbl.regions[R1].owner_domid = 0x7FF5;
	tbl.regions[R1].owner = 40;     /* out of range: must not be dereferenced */
	check_fails("dom_shared counts 1 regions, 0 have no owner");
	tbl.dom_shared.region_count = 0;
	check_fails("region 0x1: facts differ from the config");
	tbl.regions[R1].owner = CFG_OWNER_DOM_SHARED;
	tbl.regions[R1].installed |= 1u << 20;  /* no such partition */
	tbl.dom_shared.region_count = 1;
	check_fails("region 0x1: ? is mapped or revoked but stopped or not naming it");
}

static void test_check_catches_other_config(void **state)
{
	(void)state;
	build_example();
	cfg.region_count = 1;
	check_fails("table built for another config");
	cfg.region_count = 2;
	cfg.refs[3].region = R0;        /* the config changed under the table */
	check_fails("ref chains disagree with the config");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_records_regions, setup),
		cmocka_unit_test_setup(test_start_all_counts, setup),
		cmocka_unit_test_setup(test_print_started, setup),
		cmocka_unit_test_setup(test_doorbell_targets, setup),
		cmocka_unit_test_setup(test_region_peers, setup),
		cmocka_unit_test_setup(test_stop_borrower_drops_ref, setup),
		cmocka_unit_test_setup(test_stop_owner_revokes_borrower, setup),
		cmocka_unit_test_setup(test_describe_addr, setup),
		cmocka_unit_test_setup(test_revoked_borrower_stop_unmaps_rest_only, setup),
		cmocka_unit_test_setup(test_borrower_cannot_start_while_owner_stopped, setup),
		cmocka_unit_test_setup(test_restart_owner_then_borrower, setup),
		cmocka_unit_test_setup(test_revoked_stays_unmapped_until_restart, setup),
		cmocka_unit_test_setup(test_all_stopped_every_ref_zero, setup),
		cmocka_unit_test_setup(test_release_dom_shared, setup),
		cmocka_unit_test_setup(test_start_errors, setup),
		cmocka_unit_test_setup(test_map_failure_unwinds, setup),
		cmocka_unit_test_setup(test_print_virt_example, setup),
		cmocka_unit_test_setup(test_scale_295_regions, setup),
		cmocka_unit_test_setup(test_print_longest_line_fits, setup),
		cmocka_unit_test_setup(test_init_rejects_duplicate_ref, setup),
		cmocka_unit_test_setup(test_init_rejects_owner_flag_mismatch, setup),
		cmocka_unit_test_setup(test_init_rejects_unaligned_region, setup),
		cmocka_unit_test_setup(test_init_rejects_bad_owner, setup),
		cmocka_unit_test_setup(test_init_rejects_owner_without_ref, setup),
		cmocka_unit_test_setup(test_init_rejects_bad_ref_index, setup),
		cmocka_unit_test_setup(test_init_rejects_wrapping_region, setup),
		cmocka_unit_test_setup(test_check_catches_refcount, setup),
		cmocka_unit_test_setup(test_check_catches_stopped_mapping, setup),
		cmocka_unit_test_setup(test_check_catches_borrower_without_owner, setup),
		cmocka_unit_test_setup(test_check_catches_revoked_dom_shared, setup),
		cmocka_unit_test_setup(test_check_catches_forgotten_borrower, setup),
		cmocka_unit_test_setup(test_check_catches_owner_state, setup),
		cmocka_unit_test_setup(test_check_catches_wrong_facts, setup),
		cmocka_unit_test_setup(test_check_catches_other_config, setup),
	};
	return cmocka_run_group_tests_name("shm", tests, NULL, NULL);
}
