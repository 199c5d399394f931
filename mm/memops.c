/*
 * memset, memcpy and memmove for the hypervisor.  Debian's picolibc for
 * AArch64 links its portable byte-at-a-time versions (about five
 * instructions per byte), which made them the largest cost of booting a
 * partition: clearing BSS, struct config, table pages, copying kernels.
 * These move 16 bytes per store and zero whole cache blocks with DC ZVA.
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

static size_t zva_block(void)
{
	uint64_t id;
	__asm__("mrs %0, dczid_el0" : "=r"(id));
	return (id & DCZID_DZP) ? 0 : (size_t)4 << field_get(DCZID_BS, id);
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
		for (; n >= block; d += block, n -= block)
			__asm__ volatile("dc zva, %0" :: "r"(d) : "memory");
	}
	for (; n >= 16; d += 16, n -= 16) {
		((uint64_t *)d)[0] = v;
		((uint64_t *)d)[1] = v;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 16; d += 16, s += 16, n -= 16) {
			uint64_t a = ((const uint64_t *)s)[0], b = ((const uint64_t *)s)[1];
			((uint64_t *)d)[0] = a;
			((uint64_t *)d)[1] = b;
		}
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
	while (n--)
		d[n] = s[n];           /* overlapping, backwards: rare (libfdt splices) */
	return dst;
}
