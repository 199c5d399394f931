/*
 * memset, memcpy and memmove for the hypervisor.  Debian's picolibc for
 * AArch64 links its portable byte-at-a-time versions (about five
 * instructions per byte), which made them the largest cost of booting a
 * partition: clearing BSS, struct config, table pages, copying kernels.
 * These move 16 bytes per store and zero whole cache blocks with DC ZVA;
 * memchr, memcmp and strlen (libfdt's string look-ups) read aligned words.
 * They override the archive's copies because our objects link first.
 * Only called with the MMU on (DC ZVA needs Normal memory).
 */
#include <stddef.h>
#include <stdint.h>

#include "types.h"

#define DCZID_BS   GENMASK64(3, 0)     /* log2 of the block size in words */
#define DCZID_DZP  BIT64(4)            /* DC ZVA prohibited */

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memchr(const void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero when some byte of @w is zero (the classic has-zero-byte test). */
static inline uint64_t word_has_zero(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

static size_t zva_block(void)
{
#ifdef TS_HOST_BUILD
	return 64;                        /* host tests: the same code path, plain stores */
#else
	uint64_t id;
	__asm__("mrs %0, dczid_el0" : "=r"(id));
	return (id & DCZID_DZP) ? 0 : (size_t)4 << field_get(DCZID_BS, id);
#endif
}

static inline void dc_zva(uint8_t *block, size_t size)
{
#ifdef TS_HOST_BUILD
	for (size_t i = 0; i < size; i += 8)
		*(uint64_t *)(block + i) = 0;
#else
	(void)size;
	__asm__ volatile("dc zva, %0" :: "r"(block) : "memory");
#endif
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;
	while (n && ((uintptr_t)d & 15)) {
		*d++ = (uint8_t)c;
		n--;
	}
	size_t block = c == 0 ? zva_block() : 0;
	if (block && n >= 2 * block) {
		while ((uintptr_t)d & (block - 1)) {
			((uint64_t *)d)[0] = 0;
			((uint64_t *)d)[1] = 0;
			d += 16;
			n -= 16;
		}
		/* Four blocks a step: the loop's own instructions were half of clearing a page. */
		for (; n >= 4 * block; d += 4 * block, n -= 4 * block) {
			dc_zva(d, block);
			dc_zva(d + block, block);
			dc_zva(d + 2 * block, block);
			dc_zva(d + 3 * block, block);
		}
		for (; n >= block; d += block, n -= block)
			dc_zva(d, block);
	}
	for (; n >= 16; d += 16, n -= 16) {
		((uint64_t *)d)[0] = v;
		((uint64_t *)d)[1] = v;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

/*
 * Source and destination differently aligned: aligned word loads from the
 * source, each destination word stitched from two of them (little endian).
 * A load never leaves the aligned word holding a byte we copy.
 */
static void copy_words_shifted(uint8_t *d, const uint8_t *s, size_t words)
{
	unsigned int off = (unsigned int)((uintptr_t)s & 7), lo_shift = 8 * off;
	const uint64_t *ws = (const uint64_t *)(uintptr_t)((uintptr_t)s - off);
	uint64_t lo = *ws++;
	for (; words; words--, d += 8) {
		uint64_t hi = *ws++;
		*(uint64_t *)d = (lo >> lo_shift) | (hi << (64 - lo_shift));
		lo = hi;
	}
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n && ((uintptr_t)d & 7)) {
		*d++ = *s++;
		n--;
	}
	if (((uintptr_t)s & 7) == 0) {
		for (; n >= 16; d += 16, s += 16, n -= 16) {
			uint64_t a = ((const uint64_t *)s)[0], b = ((const uint64_t *)s)[1];
			((uint64_t *)d)[0] = a;
			((uint64_t *)d)[1] = b;
		}
	} else if (n >= 8) {
		size_t words = n / 8;
		copy_words_shifted(d, s, words);
		d += 8 * words;
		s += 8 * words;
		n -= 8 * words;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlapping with the destination above: copy backwards (array inserts, libfdt splices). */
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)(d + n) & 7)) {
			n--;
			d[n] = s[n];
		}
		for (; n >= 8; n -= 8)
			*(uint64_t *)(d + n - 8) = *(const uint64_t *)(s + n - 8);
	}
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memchr(const void *s, int c, size_t n)
{
	const uint8_t *p = s;
	uint8_t ch = (uint8_t)c;
	for (; n && ((uintptr_t)p & 7); p++, n--)
		if (*p == ch)
			return (void *)(uintptr_t)p;
	uint64_t pattern = ONES * ch;
	for (; n >= 8; p += 8, n -= 8)
		if (word_has_zero(*(const uint64_t *)p ^ pattern))
			break;
	for (; n; p++, n--)
		if (*p == ch)
			return (void *)(uintptr_t)p;
	return NULL;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	if ((((uintptr_t)x ^ (uintptr_t)y) & 7) == 0) {
		for (; n && ((uintptr_t)x & 7); x++, y++, n--)
			if (*x != *y)
				return *x - *y;
		for (; n >= 8 && *(const uint64_t *)x == *(const uint64_t *)y; x += 8, y += 8)
			n -= 8;
	}
	for (; n; x++, y++, n--)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Aligned word reads never cross into another page, so reading past the end is safe. */
size_t strlen(const char *s)
{
	const char *p = s;
	for (; (uintptr_t)p & 7; p++)
		if (!*p)
			return (size_t)(p - s);
	while (!word_has_zero(*(const uint64_t *)p))
		p += 8;
	while (*p)
		p++;
	return (size_t)(p - s);
}
