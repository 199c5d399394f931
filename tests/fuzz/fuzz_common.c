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

/* QEMU virt with -m 2G and Tessera's image and DTB near the start of RAM. */
const struct cfg_platform fuzz_platform = {
	.ram = { { 0x40000000, 0x80000000 } },
	.ram_count = 1,
	.reserved = { { 0x40000000, 0x100000 }, { 0x40200000, 0x200000 } },
	.reserved_count = 2,
	.cpu_count = 4,
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

const void *fuzz_blob(const uint8_t *data, size_t size)
{
	static uint8_t *end;

	if (size < sizeof(struct fdt_header) || size > FUZZ_BLOB_MAX ||
	    fdt_totalsize(data) > size || fdt_totalsize(data) < sizeof(struct fdt_header))
		return NULL;
	if (end == NULL)
		end = fuzz_guarded_alloc(FUZZ_BLOB_MAX);
	/* Only totalsize bytes: what lies beyond the blob is not the blob's. */
	size = fdt_totalsize(data);
	uint8_t *blob = fuzz_guarded_place(end, FUZZ_BLOB_MAX, size);

	memcpy(blob, data, size);
	return blob;
}
