/*
 * RAM pattern test (memtest.h): write the whole range, then read it all
 * back, once with an address-dependent pattern and once with its inverse, so
 * that stuck bits and aliased addresses both show.  Eight words per loop
 * iteration keep it quick under emulation.
 */
#include "guest.h"

#define MEMTEST_GOLDEN	0x9E3779B97F4A7C15ull	/* odd: distinct per address */
#define MEMTEST_UNROLL	8u
#define WORD		sizeof(uint64_t)

uint64_t memtest_pattern(uint64_t addr)
{
	return addr * MEMTEST_GOLDEN;
}

static void memtest_fill(uint64_t start, uint64_t end, uint64_t invert)
{
	uint64_t a = start;

	for (; a + MEMTEST_UNROLL * WORD <= end; a += MEMTEST_UNROLL * WORD)
		for (unsigned i = 0; i < MEMTEST_UNROLL; i++)
			*(volatile uint64_t *)(a + i * WORD) =
				memtest_pattern(a + i * WORD) ^ invert;
	for (; a < end; a += WORD)
		*(volatile uint64_t *)a = memtest_pattern(a) ^ invert;
}

static bool memtest_verify(uint64_t start, uint64_t end, uint64_t invert,
			   struct memtest_result *res)
{
	for (uint64_t a = start; a < end; a += WORD) {
		uint64_t got = *(volatile uint64_t *)a;
		uint64_t want = memtest_pattern(a) ^ invert;
		if (got != want) {
			res->ok = false;
			res->bad_addr = a;
			res->got = got;
			res->want = want;
			return false;
		}
	}
	return true;
}

bool memtest_range(uint64_t start, uint64_t end, struct memtest_result *res)
{
	static const uint64_t inverts[] = { 0, ~0ull };

	if (!res->ok || start >= end)
		return res->ok;
	for (unsigned p = 0; p < ARRAY_SIZE(inverts); p++) {
		memtest_fill(start, end, inverts[p]);
		guest_dsb();
		if (!memtest_verify(start, end, inverts[p], res))
			return false;
	}
	res->bytes += end - start;
	return true;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

bool memtest_outside_image(uint64_t start, uint64_t end, struct memtest_result *res)
{
	/* Below the image, then above it; an empty part is skipped. */
	memtest_range(start, min_u64(end, guest_image_start()), res);
	return memtest_range(max_u64(start, guest_image_end()), end, res);
}
