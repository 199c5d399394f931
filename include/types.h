#pragma once
/*
 * Address types shared by p2m/, shm/ and core/.  A host physical address and
 * a guest physical address (stage-2 input) are distinct types so that a
 * mix-up is a compile error, not a silent mapping bug.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t v; } hpa_t;   /* host physical address */
typedef struct { uint64_t v; } ipa_t;   /* guest physical (stage-2 input) address */

static inline hpa_t hpa(uint64_t v) { return (hpa_t){ v }; }
static inline ipa_t ipa(uint64_t v) { return (ipa_t){ v }; }

#define SZ_4K   0x1000ull
#define SZ_64K  0x10000ull
#define SZ_2M   0x200000ull
#define SZ_1G   0x40000000ull

#define BIT64(n)          (1ull << (n))
#define GENMASK64(hi, lo) ((~0ull >> (63 - (hi))) & (~0ull << (lo)))

static inline uint64_t field_get(uint64_t mask, uint64_t v)
{
	return (v & mask) >> __builtin_ctzll(mask);
}

static inline uint64_t field_prep(uint64_t mask, uint64_t v)
{
	return (v << __builtin_ctzll(mask)) & mask;
}

static inline bool is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

static inline uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static inline uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/*
 * True when [a, a+asz) and [b, b+bsz) share a byte; sizes are non-zero.
 * Written with the last bytes so that a range ending at 2^64 does not wrap.
 */
static inline bool ranges_overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a <= b + (bsz - 1) && b <= a + (asz - 1);
}

/* Not cleared with BSS: the owner's init function writes all of it first. */
#define TS_NOINIT __attribute__((section(".noinit")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
