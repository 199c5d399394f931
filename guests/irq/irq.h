#pragma once
/*
 * guests/irq: interrupt tests run from inside a partition (guests/README.md,
 * "irq").  irq.c runs the tests named by `irq_test=` and owns the second
 * vCPU; each irq_<test>.c file holds one group of tests.
 */
#include <stdbool.h>
#include <stdint.h>

#include "gic.h"
#include "guest.h"

/* SGIs the tests use (SGI 0 is left alone: Tessera kicks CPUs with its own). */
#define SGI_PING		1u	/* vCPU0 -> vCPU1 */
#define SGI_PONG		2u	/* vCPU1 -> vCPU0 */
#define SGI_PRIO_LOW		3u	/* priority-order, PRIO_LOW */
#define SGI_PRIO_HIGH		4u	/* priority-order, PRIO_HIGH */
#define SGI_STORM		5u	/* vCPU1 -> vCPU0, as fast as it can */
#define SGI_SELF		6u
#define SGI_MASKED		7u	/* priority-mask */

/* What vCPU1 does (irq_cpu1_command). */
enum cpu1_cmd {
	CPU1_IDLE,		/* wait for interrupts */
	CPU1_STORM,		/* send SGI_STORM to vCPU0 until told otherwise */
	CPU1_OFF,		/* PSCI CPU_OFF */
	CPU1_WFI,		/* sleep in WFI (IRQs unmasked) until told otherwise */
};

/* Waits are counted on CNTPCT (timer.h); every wait uses WFE. */
#define IRQ_WAIT_MS		100u

/* MPIDR affinity of CPU @index in /cpus. */
uint64_t irq_cpu_mpidr(unsigned index);
/* CPU_ON for /cpus index 1 and wait until its GIC is set up: true when up. */
bool irq_cpu1_start(void);
void irq_cpu1_command(enum cpu1_cmd cmd);
/* The command vCPU1 is carrying out (it acknowledges each one). */
enum cpu1_cmd irq_cpu1_state(void);
/* Counted by vCPU1 in CPU1_STORM. */
uint64_t irq_cpu1_storm_sent(void);
/* CPU1_OFF, then AFFINITY_INFO until it is OFF: PASS/FAIL cpu1-off. */
void irq_cpu1_stop(void);

/* Wait with IRQs unmasked until *counter >= want or @ms pass; true if reached. */
bool irq_wait_count(const volatile uint64_t *counter, uint64_t want, uint32_t ms);
/* Wait @ms with IRQs unmasked (interrupts that arrive are handled). */
void irq_wait_ms(uint32_t ms);
/* A bootarg number, or @def. */
uint64_t irq_arg(const char *key, uint64_t def);

/* The tests, each printing its PASS/FAIL lines. */
void irq_test_timer(void);
void irq_test_sgi(void);
void irq_test_sgi_coalesce(void);
void irq_test_priority(void);
void irq_test_storm(void);
void irq_test_uart(void);
void irq_test_uart_level(void);
void irq_test_uart_rx(void);
void irq_test_gicd(void);
void irq_test_spi_wake(void);
