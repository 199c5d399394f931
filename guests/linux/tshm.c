/*
 * tshm: the Linux guests' shared-memory helper (docs/linux-guests.md).
 * Finds the regions Tessera lists in /reserved-memory (xen,shared-memory-v1
 * nodes), maps them through /dev/mem, and writes or verifies the same layout
 * the bare-metal guests/shm uses, so a Linux and a bare-metal partition can
 * share a region:
 *   data words from offset 0, word i = seed ^ ((i + 1) * golden ratio),
 *   seed = FNV-1a 64 of the xen,id string;
 *   the header in the last 64 bytes: magic "TSHM", seq, data bytes,
 *   checksum (c = rotl(c, 7) ^ word), seed, then a 32-byte text message.
 * The writer clears the magic, writes data and header, and sets the magic
 * last; the reader polls the magic and re-reads it after verifying, so either
 * side may boot first and a reader never accepts a half-written region.
 *
 *   tshm list               one `linux: shm <id> at 0x.. size 0x..` per region
 *   tshm write              fill every region
 *   tshm verify [seconds]   wait for and verify every region (default 120 s)
 * Exit status 0 when every check passed, 1 otherwise.
 * TSHM_DT and TSHM_MEM override /proc/device-tree and /dev/mem (host tests).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TSHM_COMPAT		"xen,shared-memory-v1"
#define TSHM_MAX_REGIONS	16
#define TSHM_ID_MAX		32
#define TSHM_PATH_MAX		512
#define TSHM_PROP_MAX		256
#define TSHM_HDR_SIZE		64u
#define TSHM_ACK_SIZE		8u	/* guests/shm revoke-owner leaves it out of the data */
#define TSHM_MIN_SIZE		0x1000u
#define TSHM_MAGIC		0x4d485354u	/* "TSHM" in memory order */
#define TSHM_SEQ		1u
#define TSHM_MSG_WORDS		4u
#define TSHM_MESSAGE		"hello from a Tessera Linux"
#define TSHM_GOLDEN		0x9E3779B97F4A7C15ull
#define TSHM_CSUM_ROT		7u
#define FNV64_BASIS		0xcbf29ce484222325ull
#define FNV64_PRIME		0x100000001b3ull
#define WORD			sizeof(uint64_t)
#define BITS_PER_WORD		64u
#define BITS_PER_BYTE		8u
#define BYTE_MASK		0xffu
#define CELL_BYTES		4u
#define DT_ROOT_CELLS_DEFAULT	2u	/* #address-cells / #size-cells when absent */
#define DT_MAX_CELLS		2u
#define TSHM_TIMEOUT_S		120u
#define TSHM_POLL_NS		20000000L	/* 20 ms between looks at the magic */
#define NS_PER_S		1000000000L
#define DECIMAL			10

struct tshm_header {
	uint32_t magic;		/* written last: publishes everything else */
	uint32_t seq;
	uint64_t bytes;		/* data bytes from offset 0 */
	uint64_t checksum;
	uint64_t seed;		/* FNV-1a 64 of the xen,id string */
	uint64_t msg[TSHM_MSG_WORDS];	/* NUL-padded text, zero from guests/shm */
};
_Static_assert(sizeof(struct tshm_header) == TSHM_HDR_SIZE, "header is the last 64 bytes");
_Static_assert(sizeof(TSHM_MESSAGE) <= TSHM_MSG_WORDS * sizeof(uint64_t), "message and its NUL fit");

struct tshm_region {
	char id[TSHM_ID_MAX];
	uint64_t base;
	uint64_t size;
};

/* One region mapped from /dev/mem; the mapping is Device memory (the
 * region is outside the kernel's RAM), so every access is an aligned,
 * volatile load or store of 32 or 64 bits: no memcpy, no unaligned access. */
struct tshm_map {
	void *base;
	size_t len;
	volatile uint64_t *data;
	volatile struct tshm_header *hdr;
};

/* ---- device tree (/proc/device-tree) ----------------------------------- */

static const char *tshm_env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : dflt;
}

/* out = dir/name; false when it does not fit. */
static bool tshm_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < cap;
}

/* Reads a whole property file; returns its length or -1. */
static long tshm_read_prop(const char *node, const char *prop, void *buf, size_t cap)
{
	char path[TSHM_PATH_MAX];
	FILE *f;
	size_t n;

	if (!tshm_join(path, sizeof(path), node, prop))
		return -1;
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

static uint64_t tshm_cells(const uint8_t *p, unsigned cells)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < cells * CELL_BYTES; i++)
		v = (v << BITS_PER_BYTE) | p[i];
	return v;
}

static unsigned tshm_cell_count(const char *dir, const char *prop)
{
	uint8_t buf[CELL_BYTES];

	if (tshm_read_prop(dir, prop, buf, sizeof(buf)) != CELL_BYTES)
		return DT_ROOT_CELLS_DEFAULT;
	return (unsigned)tshm_cells(buf, 1);
}

/* True when the NUL-separated string list holds want. */
static bool tshm_has_string(const char *list, long len, const char *want)
{
	for (long off = 0; off < len; off += (long)strlen(list + off) + 1)
		if (strcmp(list + off, want) == 0)
			return true;
	return false;
}

static bool tshm_is_shm_node(const char *node)
{
	char compat[TSHM_PROP_MAX] = { 0 };
	long len = tshm_read_prop(node, "compatible", compat, sizeof(compat) - 1);

	return len > 0 && tshm_has_string(compat, len, TSHM_COMPAT);
}

/* Fills r from one node; prints a FAIL line and returns false if unusable. */
static bool tshm_parse_node(const char *node, unsigned acells, unsigned scells,
			    struct tshm_region *r)
{
	uint8_t reg[(DT_MAX_CELLS + DT_MAX_CELLS) * CELL_BYTES];
	long len;

	memset(r->id, 0, sizeof(r->id));
	len = tshm_read_prop(node, "xen,id", r->id, sizeof(r->id) - 1);
	if (len <= 1 || r->id[len - 1] != '\0') {
		printf("FAIL linux-shm-dt %s got=bad-xen,id want=string\n", node);
		return false;
	}
	len = tshm_read_prop(node, "reg", reg, sizeof(reg));
	if (acells > DT_MAX_CELLS || scells > DT_MAX_CELLS ||
	    len < (long)((acells + scells) * CELL_BYTES)) {
		printf("FAIL linux-shm-dt %s got=bad-reg want=reg\n", r->id);
		return false;
	}
	r->base = tshm_cells(reg, acells);
	r->size = tshm_cells(reg + acells * CELL_BYTES, scells);
	if (r->size < TSHM_MIN_SIZE || (r->base | r->size) % WORD != 0) {
		printf("FAIL linux-shm-dt %s got=0x%" PRIx64 " want=aligned-size>=0x%x\n",
		       r->id, r->size, TSHM_MIN_SIZE);
		return false;
	}
	return true;
}

static int tshm_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Lists the usable regions in node-name order; -1 when a node is bad. */
static int tshm_find_regions(struct tshm_region *regions, int max)
{
	char dir[TSHM_PATH_MAX], node[TSHM_PATH_MAX];
	struct dirent **names;
	unsigned acells, scells;
	int n, count = 0;
	bool ok = true;

	if (!tshm_join(dir, sizeof(dir), tshm_env("TSHM_DT", "/proc/device-tree"),
		       "reserved-memory"))
		return -1;
	acells = tshm_cell_count(dir, "#address-cells");
	scells = tshm_cell_count(dir, "#size-cells");
	n = scandir(dir, &names, NULL, tshm_by_name);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && count < max &&
		    tshm_join(node, sizeof(node), dir, names[i]->d_name) &&
		    tshm_is_shm_node(node)) {
			if (tshm_parse_node(node, acells, scells, &regions[count]))
				count++;
			else
				ok = false;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return ok ? count : -1;
}

/* ---- mapping ------------------------------------------------------------ */

static bool tshm_map_region(const struct tshm_region *r, struct tshm_map *m)
{
	const char *mem = tshm_env("TSHM_MEM", "/dev/mem");
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = r->base & ~(page - 1);
	uint64_t skip = r->base - start;
	int fd = open(mem, O_RDWR | O_SYNC);

	if (fd < 0) {
		printf("FAIL linux-shm-map %s open %s got=%s want=ok\n", r->id, mem, strerror(errno));
		return false;
	}
	m->len = (size_t)(skip + r->size);
	m->base = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	close(fd);
	if (m->base == MAP_FAILED) {
		printf("FAIL linux-shm-map %s mmap 0x%" PRIx64 " got=%s want=ok\n", r->id, r->base,
		       strerror(errno));
		return false;
	}
	m->data = (volatile uint64_t *)((uint8_t *)m->base + skip);
	m->hdr = (volatile struct tshm_header *)((uint8_t *)m->data + r->size - TSHM_HDR_SIZE);
	return true;
}

static void tshm_unmap(struct tshm_map *m)
{
	munmap(m->base, m->len);
}

/* ---- layout --------------------------------------------------------------- */

static uint64_t tshm_fnv1a(const char *s)
{
	uint64_t h = FNV64_BASIS;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * FNV64_PRIME;
	return h;
}

static uint64_t tshm_word(uint64_t seed, uint64_t i)
{
	return seed ^ ((i + 1) * TSHM_GOLDEN);
}

static uint64_t tshm_csum_step(uint64_t c, uint64_t w)
{
	return ((c << TSHM_CSUM_ROT) | (c >> (BITS_PER_WORD - TSHM_CSUM_ROT))) ^ w;
}

/* Orders the data and header against the magic (a DMB on arm64). */
static void tshm_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void tshm_put_message(volatile struct tshm_header *h, const char *msg)
{
	for (unsigned w = 0; w < TSHM_MSG_WORDS; w++) {
		uint64_t v = 0;
		for (unsigned b = 0; b < WORD; b++) {
			size_t i = w * WORD + b;
			uint64_t c = i < strlen(msg) ? (uint8_t)msg[i] : 0;
			v |= c << (b * BITS_PER_BYTE);	/* little-endian: text order in memory */
		}
		h->msg[w] = v;
	}
}

static void tshm_get_message(const volatile struct tshm_header *h, char *out)
{
	for (unsigned w = 0; w < TSHM_MSG_WORDS; w++) {
		uint64_t v = h->msg[w];
		for (unsigned b = 0; b < WORD; b++)
			out[w * WORD + b] = (char)((v >> (b * BITS_PER_BYTE)) & BYTE_MASK);
	}
	out[TSHM_MSG_WORDS * WORD - 1] = '\0';
}

/* ---- writer ------------------------------------------------------------------ */

static bool tshm_write(const struct tshm_region *r, struct tshm_map *m)
{
	uint64_t seed = tshm_fnv1a(r->id), bytes = r->size - TSHM_HDR_SIZE, csum = 0;
	uint32_t back;

	m->hdr->magic = 0;	/* a reader must not trust what follows until the end */
	tshm_barrier();
	for (uint64_t i = 0; i < bytes / WORD; i++) {
		uint64_t w = tshm_word(seed, i);
		m->data[i] = w;
		csum = tshm_csum_step(csum, w);
	}
	m->hdr->seq = TSHM_SEQ;
	m->hdr->bytes = bytes;
	m->hdr->checksum = csum;
	m->hdr->seed = seed;
	tshm_put_message(m->hdr, TSHM_MESSAGE);
	tshm_barrier();
	m->hdr->magic = TSHM_MAGIC;
	tshm_barrier();
	back = m->hdr->magic;	/* catches a mapping that drops writes */
	if (back != TSHM_MAGIC) {
		printf("FAIL linux-shm-write %s readback got=0x%x want=0x%x\n", r->id, back,
		       TSHM_MAGIC);
		return false;
	}
	printf("PASS linux-shm-write %s\n", r->id);
	return true;
}

/* ---- reader -------------------------------------------------------------- */

/* Checks the published data; on a mismatch writes the FAIL line's tail
 * (after the id) into why and returns false. */
static bool tshm_check(const struct tshm_region *r, const struct tshm_map *m, char *why,
		       size_t cap)
{
	uint64_t seed = tshm_fnv1a(r->id), bytes = m->hdr->bytes, csum = 0;
	uint64_t want_bytes = r->size - TSHM_HDR_SIZE;

	if (bytes != want_bytes && bytes != want_bytes - TSHM_ACK_SIZE) {
		snprintf(why, cap, "bytes got=0x%" PRIx64 " want=0x%" PRIx64, bytes, want_bytes);
		return false;
	}
	if (m->hdr->seed != seed) {
		snprintf(why, cap, "seed got=0x%" PRIx64 " want=0x%" PRIx64, m->hdr->seed, seed);
		return false;
	}
	for (uint64_t i = 0; i < bytes / WORD; i++) {
		uint64_t got = m->data[i], want = tshm_word(seed, i);
		if (got != want) {
			snprintf(why, cap, "offset 0x%" PRIx64 " got=0x%" PRIx64 " want=0x%" PRIx64,
				 i * WORD, got, want);
			return false;
		}
		csum = tshm_csum_step(csum, got);
	}
	if (csum != m->hdr->checksum) {
		snprintf(why, cap, "checksum got=0x%" PRIx64 " want=0x%" PRIx64, csum,
			 m->hdr->checksum);
		return false;
	}
	return true;
}

static double tshm_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / NS_PER_S;
}

static void tshm_sleep_poll(void)
{
	struct timespec t = { 0, TSHM_POLL_NS };

	nanosleep(&t, NULL);
}

/* One attempt: the magic is set before and still set after a clean check,
 * so a writer that restarts meanwhile (it clears the magic first) is seen. */
static bool tshm_try_verify(const struct tshm_region *r, const struct tshm_map *m, char *why,
			    size_t cap)
{
	uint32_t magic = m->hdr->magic;

	if (magic != TSHM_MAGIC) {
		snprintf(why, cap, "timeout got=0x%x want=0x%x", magic, TSHM_MAGIC);
		return false;
	}
	tshm_barrier();
	if (!tshm_check(r, m, why, cap))
		return false;
	tshm_barrier();
	magic = m->hdr->magic;
	if (magic != TSHM_MAGIC) {
		snprintf(why, cap, "rewritten got=0x%x want=0x%x", magic, TSHM_MAGIC);
		return false;
	}
	return true;
}

/* Polls until the region verifies or the deadline passes: a failed check
 * may be a writer still at work, so only the last reason is reported. */
static bool tshm_verify(const struct tshm_region *r, struct tshm_map *m, double deadline)
{
	char why[TSHM_PROP_MAX], msg[TSHM_MSG_WORDS * WORD];

	while (!tshm_try_verify(r, m, why, sizeof(why))) {
		if (tshm_now() >= deadline) {
			printf("FAIL linux-shm-verify %s %s\n", r->id, why);
			return false;
		}
		tshm_sleep_poll();
	}
	tshm_get_message(m->hdr, msg);
	if (msg[0] != '\0')
		printf("linux: shm %s message \"%s\"\n", r->id, msg);
	printf("PASS linux-shm-verify %s\n", r->id);
	return true;
}

/* ---- main ------------------------------------------------------------------ */

static int tshm_usage(void)
{
	fprintf(stderr, "usage: tshm list | write | verify [timeout-seconds]\n");
	return 2;
}

static bool tshm_run_one(const char *cmd, const struct tshm_region *r, double deadline)
{
	struct tshm_map m;
	bool ok;

	if (!tshm_map_region(r, &m))
		return false;
	ok = strcmp(cmd, "write") == 0 ? tshm_write(r, &m) : tshm_verify(r, &m, deadline);
	tshm_unmap(&m);
	return ok;
}

int main(int argc, char **argv)
{
	struct tshm_region regions[TSHM_MAX_REGIONS];
	unsigned long timeout_s = TSHM_TIMEOUT_S;
	const char *cmd = argc > 1 ? argv[1] : "";
	bool ok = true;
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "list") != 0 && strcmp(cmd, "write") != 0 && strcmp(cmd, "verify") != 0)
		return tshm_usage();
	if (argc > 2)
		timeout_s = strtoul(argv[2], NULL, DECIMAL);
	n = tshm_find_regions(regions, TSHM_MAX_REGIONS);
	if (n == 0)
		printf("FAIL linux-shm-dt got=0 want=regions\n");
	if (n <= 0)
		return 1;
	for (int i = 0; i < n && strcmp(cmd, "list") == 0; i++)
		printf("linux: shm %s at 0x%" PRIx64 " size 0x%" PRIx64 "\n", regions[i].id,
		       regions[i].base, regions[i].size);
	if (strcmp(cmd, "list") == 0)
		return 0;
	double deadline = tshm_now() + (double)timeout_s;
	for (int i = 0; i < n; i++)
		ok = tshm_run_one(cmd, &regions[i], deadline) && ok;
	return ok ? 0 : 1;
}
