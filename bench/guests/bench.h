#pragma once
/*
 * The bench guest (docs/benchmarks.md): its assembly loops and the state the
 * entry code and the IRQ vector share with C.  Every result is printed as a
 * line `BENCH <key> <value>` that bench/bench.py parses.
 */
#include <stdbool.h>
#include <stdint.h>

/* CNTPCT_EL0 read by the image's first instruction (bench_start.S). */
extern uint64_t bench_first_cntpct;

/* Written by the IRQ vector: CNTVCT at its first instruction, the INTID it
 * acknowledged, and how many IRQs it took. */
extern volatile uint64_t bench_irq_cntvct;
extern volatile uint64_t bench_irq_cntpct;   /* CNTPCT right after it */
extern volatile uint32_t bench_irq_intid;
extern volatile uint64_t bench_irq_count;
/* GICv2: the CPU interface the IRQ vector acknowledges through; 0 on GICv3. */
extern uint64_t bench_gicc;
/* Non-zero: the IRQ vector writes 0 there (a device's interrupt mask) before its EOI. */
extern volatile uint64_t bench_irq_mask_reg;

uint64_t bench_hvc_loop(uint64_t n, uint64_t fn, uint64_t *ret);
uint64_t bench_base_loop(uint64_t n, uint64_t fn);
uint64_t bench_hvc1_loop(uint64_t n, uint64_t fn, uint64_t arg, uint64_t *ret);
/* The GIC (v3 or v2, from the DT) on for this vCPU, PPI 27 enabled; NULL, or a one-word reason. */
const char *bench_gic_setup(void);
bool bench_timer_wait(uint64_t count_before, uint64_t deadline);
/* Store @value at @addr with IRQs unmasked, then wait; CNTPCT before the store, or 0. */
uint64_t bench_mmio_trigger_wait(uint64_t addr, uint32_t value, uint64_t count_before,
				 uint64_t deadline);

/* The modes (bootarg bench=...). */
void bench_run_hvc(void);
void bench_run_timer(void);
void bench_run_doorbell_tx(void);
void bench_run_doorbell_rx(void);
void bench_run_pt(void);
