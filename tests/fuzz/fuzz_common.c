/*
 * Shared by every libFuzzer harness: the input as boot sees a DTB, the
 * platform, and how a broken invariant is reported.  docs/fuzzing.md.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libfdt.h>
#include <sanitizer/asan_interface.h>

#include "fuzz_common.h"
#include "types.h"

/*
 * The machines cfg_parse() checks configurations against, as
 * platform_describe() and platform_describe_devices() would give them.
 */
const struct cfg_platform fuzz_platforms[FUZZ_PLATFORMS] = {
	{       /* QEMU virt, GICv3, -m 2G, 4 CPUs: what the seeds were written for */
		.ram = { { 0x40000000, 0x80000000 } },
		.ram_count = 1,
		.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
		.reserved_count = 2,
		.cpu_count = 4,
		.ipa_bits = 40,
		.host = { .gic_version = 3, .gicd = { 0x08000000, 0x10000 },
			  .gicr = { 0x080a0000, 0xf60000 }, .uart = { 0x09000000, 0x1000 },
			  .uart_intid = 33 },
	},
	{       /* virt, GICv2, -m 4G (RAM past 4 GiB), 8 CPUs, 36-bit IPA */
		.ram = { { 0x40000000, 0x100000000 } },
		.ram_count = 1,
		.reserved = { { 0x40000000, 0x200000 }, { 0x48000000, 0x100000 } },
		.reserved_count = 2,
		.cpu_count = 8,
		.ipa_bits = 36,
		.host = { .gic_version = 2, .gicd = { 0x08000000, 0x10000 },
			  .gicc = { 0x08010000, 0x10000 }, .uart = { 0x09000000, 0x1000 },
			  .uart_intid = 33 },
	},
	{       /* two RAM ranges, 2 CPUs, 32-bit IPA, neither GIC nor console known */
		.ram = { { 0x40000000, 0x40000000 }, { 0x100000000, 0x40000000 } },
		.ram_count = 2,
		.reserved = { { 0x40000000, 0x200000 } },
		.reserved_count = 1,
		.cpu_count = 2,
		.ipa_bits = 32,
	},
	{       /* one CPU, 1 GiB, the default IPA size */
		.ram = { { 0x40000000, 0x40000000 } },
		.ram_count = 1,
		.reserved = { { 0x40000000, 0x400000 } },
		.reserved_count = 1,
		.cpu_count = 1,
		.host = { .gic_version = 3, .gicd = { 0x08000000, 0x10000 },
			  .gicr = { 0x080a0000, 0xf60000 }, .uart = { 0x09000000, 0x1000 },
			  .uart_intid = 33 },
	},
};

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ------------------------------------------------------------- counting */

static unsigned long long outcomes[FUZZ_OUTCOMES], inputs;

static void fuzz_count_print(void)
{
	static const char *const names[FUZZ_OUTCOMES] = {
		[FUZZ_NOT_DTB] = "not a DTB", [FUZZ_MALFORMED] = "malformed",
		[FUZZ_REJECTED] = "rejected", [FUZZ_ACCEPTED] = "accepted",
		[FUZZ_PASSTHROUGH] = "with passthrough",
		[FUZZ_TREES] = "guest trees built",
	};

	fprintf(stderr, "fuzz: %llu inputs:", inputs);
	for (unsigned int i = 0; i < FUZZ_OUTCOMES; i++)
		fprintf(stderr, "%s %llu %s", i ? "," : "", outcomes[i], names[i]);
	fputc('\n', stderr);
}

void fuzz_count(enum fuzz_outcome o)
{
	outcomes[o]++;
}

/* ------------------------------------------------------------- the blob */

uint8_t *fuzz_guarded_alloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = align_up(size, page);
	uint8_t *p = mmap(NULL, len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	FUZZ_ASSERT(p != MAP_FAILED, "mmap of a guarded buffer failed");
	FUZZ_ASSERT(mprotect(p + len, page, PROT_NONE) == 0, "mprotect of a guard page failed");
	return p + len;
}

void *fuzz_guarded_place(uint8_t *end, size_t capacity, size_t size)
{
	uint8_t *at = end - align_up(size, FDT_ALIGNMENT);

	ASAN_UNPOISON_MEMORY_REGION(end - capacity, capacity);
	ASAN_POISON_MEMORY_REGION(end - capacity, (size_t)(at - (end - capacity)));
	ASAN_POISON_MEMORY_REGION(at + size, (size_t)(end - (at + size)));
	return at;
}

/* The current input's tail (fuzz_common.h) and how many modules were read from it. */
static const uint8_t *tail;
static size_t tail_size;
static unsigned int module_reads;

size_t fuzz_tail_offset(const uint8_t *data, size_t size)
{
	if (size < sizeof(struct fdt_header) || fdt_totalsize(data) > size)
		return size;
	size_t at = align_up((size_t)fdt_totalsize(data), FDT_ALIGNMENT);

	return at < size ? at : size;
}

/* The bytes of the tail's DTB number @n (counting from 0, wrapping around). */
static const uint8_t *tail_tree(unsigned int n, size_t *len)
{
	size_t at = 0, slot_len[FUZZ_MODULE_READS];
	const uint8_t *slot[FUZZ_MODULE_READS];
	unsigned int count = 0;

	while (at < tail_size && count < FUZZ_MODULE_READS) {
		size_t left = tail_size - at, mine = left;

		/* A tree that says how long it is ends there; anything else runs to the end. */
		if (left >= sizeof(struct fdt_header) && fdt_magic(tail + at) == FDT_MAGIC &&
		    fdt_totalsize(tail + at) >= sizeof(struct fdt_header) &&
		    fdt_totalsize(tail + at) <= left)
			mine = fdt_totalsize(tail + at);
		slot[count] = tail + at;
		slot_len[count++] = mine;
		at += align_up(mine, FDT_ALIGNMENT);
	}
	if (count == 0)
		return NULL;
	*len = slot_len[n % count];
	return slot[n % count];
}

const void *fuzz_read_module(uint64_t base, uint64_t size)
{
	static uint8_t *end[FUZZ_MODULE_READS];
	size_t len;

	(void)base;
	if (module_reads >= FUZZ_MODULE_READS || size > FUZZ_BLOB_MAX)
		return NULL;
	const uint8_t *tree = tail_tree(module_reads, &len);

	if (tree == NULL)
		return NULL;
	unsigned int n = module_reads++;

	if (end[n] == NULL)
		end[n] = fuzz_guarded_alloc(FUZZ_BLOB_MAX);
	uint8_t *buf = fuzz_guarded_place(end[n], FUZZ_BLOB_MAX, (size_t)size);

	memcpy(buf, tree, len < size ? len : (size_t)size);
	memset(buf + (len < size ? len : size), 0, len < size ? (size_t)size - len : 0);
	return buf;
}

const void *fuzz_blob(const uint8_t *data, size_t size)
{
	static uint8_t *end;

	if (end == NULL) {
		end = fuzz_guarded_alloc(FUZZ_BLOB_MAX);
		atexit(fuzz_count_print);
	}
	inputs++;
	if (size < sizeof(struct fdt_header) || size > FUZZ_BLOB_MAX ||
	    fdt_totalsize(data) > size || fdt_totalsize(data) < sizeof(struct fdt_header)) {
		fuzz_count(FUZZ_NOT_DTB);
		return NULL;
	}
	size_t at = fuzz_tail_offset(data, size);

	tail = data + at;
	tail_size = size - at;
	module_reads = 0;
	/* Only totalsize bytes: what lies beyond the blob is not the blob's. */
	size = fdt_totalsize(data);
	uint8_t *blob = fuzz_guarded_place(end, FUZZ_BLOB_MAX, size);

	memcpy(blob, data, size);
	return blob;
}
