#pragma once
/*
 * Device register accesses (the GIC's memory-mapped frames).  EL2 maps
 * every device Device-nGnRnE (mm/mmu.c), so accesses reach the device in
 * program order; ordering against Normal memory needs a DSB where it
 * matters (the caller says why).
 */
#include <stdint.h>

static inline uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static inline uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}

static inline uint8_t mmio_read8(uint64_t a)
{
	return *(volatile uint8_t *)(uintptr_t)a;
}

static inline void mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}

static inline void mmio_write64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)a = v;
}

static inline void mmio_write8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)a = v;
}
