/*
 * tessera-ctl: run-time control of Tessera's partitions from Linux
 * userspace in a control partition (docs/hypercalls.md), with the stock
 * kernel: it maps the control device (the device-tree node compatible
 * "tessera,control") through /dev/mem and reads its registers, each read
 * one whole transaction (include/public/tessera_ctl.h).
 *
 *   tessera-ctl list                          every partition and its state
 *   tessera-ctl stop|start|restart <name|id>  carried out on that partition's CPU
 *   tessera-ctl shm [<region id>]             the ownership table's view of a region
 *   tessera-ctl wait <name|id> <state> <timeout-s>
 *                                             until it is in <state> (stopped, running)
 * Exit status: 0 done (or nothing to do), 1 refused or failed, 2 usage.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "public/guest_platform.h"
#include "public/tessera_ctl.h"
#include "tlib.h"

#define CTL_COMPAT      "tessera,control"
#define CTL_WAIT_NS     20000000L               /* wait: 20 ms between looks */
#define US_PER_S        1000000ull
#define DECIMAL         10
#define REG_BYTES       8u

static volatile uint64_t *regs;

/* One plain 64-bit load per register: the trap needs its syndrome (no pairs, no writeback). */
static uint64_t rd(uint64_t off)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(&regs[off / REG_BYTES]) : "memory");
	return v;
}

static const char *const state_names[] = {
	[TESSERA_STATE_STOPPED] = "stopped", [TESSERA_STATE_STARTING] = "starting",
	[TESSERA_STATE_RUNNING] = "running", [TESSERA_STATE_STOPPING] = "stopping",
};

static const char *ret_name(int64_t r)
{
	switch (r) {
	case TESSERA_RET_OK:            return "done";
	case TESSERA_RET_ALREADY:       return "nothing to do";
	case TESSERA_RET_JOINED:        return "joined a request under way";
	case TESSERA_RET_NOT_SUPPORTED: return "not supported";
	case TESSERA_RET_INVALID:       return "no such partition";
	case TESSERA_RET_DENIED:        return "denied: this is not a control partition";
	case TESSERA_RET_FAILED:        return "failed (the hypervisor's console says why)";
	case TESSERA_RET_REFUSED:       return "refused: the machine is powering off";
	default:                        return "unknown result";
	}
}

/* Prints @line without the trailing blanks that padding the last column leaves. */
static void put_row(char *line)
{
	size_t n = strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	puts(line);
}

static const char *state_name(uint64_t word)
{
	uint64_t s = word & TESSERA_STATE_MASK;
	return s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

static bool ctl_open(void)
{
	char node[TLIB_PATH_MAX];
	uint64_t base = GUEST_CTL_BASE, size = GUEST_CTL_SIZE;
	struct tlib_map m;

	if (tlib_dt_find_compatible(CTL_COMPAT, node, sizeof(node)) && !tlib_dt_reg(node, &base, &size)) {
		fprintf(stderr, "tessera-ctl: %s: no usable reg\n", node);
		return false;
	}
	if (!tlib_map(base, size, &m)) {
		fprintf(stderr, "tessera-ctl: mapping the control device at 0x%" PRIx64 ": %s\n", base,
			strerror(errno));
		return false;
	}
	regs = (volatile uint64_t *)m.at;
	if (rd(TESSERA_CTL_MAGIC) != TESSERA_CTL_MAGIC_VALUE) {
		fprintf(stderr, "tessera-ctl: no Tessera control device at 0x%" PRIx64 "\n", base);
		return false;
	}
	return true;
}

/* Partition @id's name, or false with the return code in *r. */
static bool ctl_name(uint32_t id, char name[TESSERA_NAME_BYTES + 1], int64_t *r)
{
	for (unsigned int w = 0; w < TESSERA_CTL_NAME_WORDS; w++) {
		uint64_t v = rd(TESSERA_CTL_PART_NAME(id) + w * REG_BYTES);
		if ((int64_t)v < 0 && w == 0) {
			*r = (int64_t)v;
			return false;
		}
		memcpy(name + w * REG_BYTES, &v, REG_BYTES);   /* little-endian bytes */
	}
	name[TESSERA_NAME_BYTES] = '\0';
	return true;
}

/* A partition named by its name or its ID: the ID, or -1 (the reason printed). */
static int64_t ctl_find(const char *what)
{
	char name[TESSERA_NAME_BYTES + 1], *end;
	int64_t r = TESSERA_RET_INVALID;
	unsigned long n = strtoul(what, &end, DECIMAL);
	if (*what != '\0' && *end == '\0' && n < TESSERA_CTL_MAX_IDS)
		return (int64_t)n;
	for (uint32_t id = 0; id < TESSERA_CTL_MAX_IDS; id++) {
		if (ctl_name(id, name, &r) && strcmp(name, what) == 0)
			return id;
		if (r == TESSERA_RET_DENIED)
			break;
	}
	fprintf(stderr, "tessera-ctl: %s: %s\n", what, ret_name(r));
	return -1;
}

static int ctl_list(void)
{
	uint64_t self = rd(TESSERA_CTL_SELF);
	int shown = 0;
	for (uint32_t id = 0; id < TESSERA_CTL_MAX_IDS; id++) {
		char name[TESSERA_NAME_BYTES + 1];
		int64_t r = TESSERA_RET_OK;
		uint64_t st = rd(TESSERA_CTL_PART_STATE(id));
		if ((int64_t)st < 0) {
			r = (int64_t)st;
			if (r == TESSERA_RET_INVALID)
				continue;
			fprintf(stderr, "tessera-ctl: list: %s\n", ret_name(r));
			return 1;
		}
		if (!ctl_name(id, name, &r))
			continue;
		char row[TLIB_PATH_MAX];
		if (shown == 0) {
			snprintf(row, sizeof(row), "%-3s %-16s %-9s %-6s %-7s", "ID", "NAME", "STATE",
				 "VCPUS", "STARTS");
			put_row(row);
		}
		uint64_t on = (st >> TESSERA_STATE_VCPUS_ON_SHIFT) & TESSERA_STATE_COUNT_MASK;
		uint64_t vcpus = (st >> TESSERA_STATE_VCPUS_SHIFT) & TESSERA_STATE_COUNT_MASK;
		char cpus[TESSERA_NAME_BYTES];
		snprintf(cpus, sizeof(cpus), "%" PRIu64 "/%" PRIu64, on, vcpus);
		snprintf(row, sizeof(row), "%-3u %-16s %-9s %-6s %-7" PRIu64 " %s%s", id, name,
			 state_name(st), cpus, st >> TESSERA_STATE_STARTS_SHIFT,
			 st & TESSERA_STATE_CONTROL ? "control" : "",
			 id == (self & TESSERA_SELF_ID_MASK) ?
			 (st & TESSERA_STATE_CONTROL ? ", this one" : "this one") : "");
		put_row(row);
		shown++;
	}
	return shown ? 0 : 1;
}

static int ctl_op(const char *op, const char *what)
{
	int64_t id = ctl_find(what);
	if (id < 0)
		return 1;
	uint64_t reg = strcmp(op, "stop") == 0 ? TESSERA_CTL_STOP(id) :
		       strcmp(op, "start") == 0 ? TESSERA_CTL_START(id) : TESSERA_CTL_RESTART(id);
	uint64_t word = rd(reg);                          /* the operation itself */
	int64_t r = (int32_t)(word & TESSERA_RESULT_CODE_MASK);
	printf("tessera-ctl: %s %s: %s", op, what, ret_name(r));
	if (r >= 0)
		printf(" (%s)", state_name(word >> TESSERA_RESULT_STATE_SHIFT));
	printf("\n");
	return r >= 0 ? 0 : 1;
}

/* ", <label> <name> <name>...", or ", <label> -" for none. */
static void ctl_print_ids(const char *label, uint64_t mask)
{
	printf(", %s", label);
	if (mask == 0)
		printf(" -");
	for (uint32_t id = 0; mask; id++, mask >>= 1) {
		char name[TESSERA_NAME_BYTES + 1];
		int64_t r;
		if ((mask & 1) && ctl_name(id, name, &r))
			printf(" %s", name);
	}
}

static int ctl_shm(const char *want)
{
	uint32_t regions = (uint32_t)((rd(TESSERA_CTL_COUNTS) >> TESSERA_COUNTS_REGIONS_SHIFT) &
				      TESSERA_COUNT_MASK);
	int shown = 0;
	for (uint32_t r = 0; r < regions && r < TESSERA_CTL_MAX_REGIONS; r++) {
		uint64_t w[TESSERA_CTL_SHM_WORDS];
		char id[TESSERA_SHM_ID_BYTES + 1], owner[TESSERA_NAME_BYTES + 1];
		int64_t rc;
		for (unsigned int i = 0; i < TESSERA_CTL_SHM_WORDS; i++)
			w[i] = rd(TESSERA_CTL_SHM(r) + i * REG_BYTES);
		if ((int64_t)w[0] < 0) {
			fprintf(stderr, "tessera-ctl: shm: %s\n", ret_name((int64_t)w[0]));
			return 1;
		}
		memcpy(id, &w[5], REG_BYTES);
		memcpy(id + REG_BYTES, &w[6], REG_BYTES);
		id[TESSERA_SHM_ID_BYTES] = '\0';
		if (want && strcmp(want, id) != 0)
			continue;
		uint32_t own = (uint32_t)(w[1] & TESSERA_SHM_OWNER_MASK);
		if (own == TESSERA_DOM_SHARED_ID)
			strcpy(owner, "dom_shared");
		else if (!ctl_name(own, owner, &rc))
			strcpy(owner, "?");
		printf("region %s: size 0x%" PRIx64 ", owner %s, refs %" PRIu64, id, w[7], owner,
		       (uint64_t)(w[1] >> TESSERA_SHM_REFS_SHIFT));
		ctl_print_ids("named", w[2]);
		ctl_print_ids("mapped", w[3]);
		ctl_print_ids("revoked", w[4]);
		printf("\n");
		shown++;
	}
	if (!shown)
		fprintf(stderr, "tessera-ctl: shm: no region%s%s\n", want ? " " : "", want ? want : "");
	return shown ? 0 : 1;
}

static int ctl_wait(const char *what, const char *state, unsigned long timeout_s)
{
	int64_t id = ctl_find(what);
	if (id < 0)
		return 1;
	uint64_t deadline = tlib_now_us() + timeout_s * US_PER_S;
	for (;;) {
		uint64_t st = rd(TESSERA_CTL_PART_STATE(id));
		if ((int64_t)st < 0) {
			fprintf(stderr, "tessera-ctl: wait %s: %s\n", what, ret_name((int64_t)st));
			return 1;
		}
		if (strcmp(state_name(st), state) == 0) {
			printf("tessera-ctl: %s is %s\n", what, state);
			return 0;
		}
		if (tlib_now_us() >= deadline) {
			printf("tessera-ctl: %s is %s, not %s, after %lu s\n", what, state_name(st),
			       state, timeout_s);
			return 1;
		}
		struct timespec t = { 0, CTL_WAIT_NS };
		nanosleep(&t, NULL);
	}
}

static int ctl_usage(void)
{
	fprintf(stderr, "usage: tessera-ctl list | stop|start|restart <name|id> | shm [<region id>]"
			" | wait <name|id> <state> <timeout-s>\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *cmd = argc > 1 ? argv[1] : "";
	bool known = (strcmp(cmd, "list") == 0 && argc == 2) ||
		     (strcmp(cmd, "shm") == 0 && argc <= 3) ||
		     ((strcmp(cmd, "stop") == 0 || strcmp(cmd, "start") == 0 ||
		       strcmp(cmd, "restart") == 0) && argc == 3) ||
		     (strcmp(cmd, "wait") == 0 && argc == 5);
	if (!known)
		return ctl_usage();
	if (!ctl_open())
		return 1;
	if (strcmp(cmd, "list") == 0)
		return ctl_list();
	if (strcmp(cmd, "shm") == 0)
		return ctl_shm(argc == 3 ? argv[2] : NULL);
	if (strcmp(cmd, "wait") == 0)
		return ctl_wait(argv[2], argv[3], strtoul(argv[4], NULL, DECIMAL));
	return ctl_op(cmd, argv[2]);
}
