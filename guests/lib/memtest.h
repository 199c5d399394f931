#pragma once
/* RAM pattern test with 64-bit accesses (MMU off: keep everything aligned). */
#include <stdbool.h>
#include <stdint.h>

struct memtest_result {
	uint64_t bytes;		/* tested so far */
	bool ok;
	uint64_t bad_addr;	/* first mismatch when !ok */
	uint64_t got;
	uint64_t want;
};

/* Start every test with ok = true; a failed range stops the later ones. */
static inline struct memtest_result memtest_result_init(void)
{
	return (struct memtest_result){ .ok = true };
}

/* The address-dependent pattern of pass 1; pass 2 uses its inverse. */
uint64_t memtest_pattern(uint64_t addr);
/* Tests [start, end) (8-byte aligned) with both passes; adds to res. */
bool memtest_range(uint64_t start, uint64_t end, struct memtest_result *res);
/* Tests [start, end) minus the guest image, which it must not overwrite. */
bool memtest_outside_image(uint64_t start, uint64_t end, struct memtest_result *res);
