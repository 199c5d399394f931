#pragma once
/*
 * The guest platform every partition sees (DESIGN.md §5): a small look-alike
 * of QEMU's virt board (hw/arm/virt.c base_memmap), so that guests built for
 * virt run unchanged.  Guest ABI: plain constants, no hypervisor types.
 */

#define GUEST_RAM_BASE          0x40000000ull  /* RAM, `memory` KiB long */

#define GUEST_GICD_BASE         0x08000000ull  /* GICv3 distributor */
#define GUEST_GICD_SIZE         0x00010000ull  /* 64 KiB */

#define GUEST_GICR_BASE         0x080A0000ull  /* GICv3 redistributors */
#define GUEST_GICR_STRIDE       0x00020000ull  /* 128 KiB per vCPU: RD_base + SGI_base frames */

#define GUEST_UART_BASE         0x09000000ull  /* vpl011 */
#define GUEST_UART_SIZE         0x00001000ull  /* 4 KiB */
#define GUEST_UART_SPI          1u             /* SPI 1 ... */
#define GUEST_UART_INTID        33u            /* ... = INTID 32 + 1 */

#define GUEST_VTIMER_INTID      27u            /* virtual timer PPI, as on virt */

/* The other generic timer PPIs, listed in the DT as on virt (never injected). */
#define GUEST_PTIMER_S_INTID    29u            /* secure EL1 physical timer */
#define GUEST_PTIMER_NS_INTID   30u            /* non-secure EL1 physical timer */
#define GUEST_HTIMER_INTID      26u            /* EL2 physical timer */

#define GUEST_UART_CLK_HZ       24000000u      /* virt's apb-pclk fixed clock */

/* Shared-memory doorbell (include/public/tessera_hvc.h): SPI 2, edge. */
#define GUEST_DOORBELL_SPI      2u
#define GUEST_DOORBELL_INTID    34u
