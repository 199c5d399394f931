#pragma once
/*
 * The guest platform every partition sees (DESIGN.md §5): Xen's guest
 * physical map (Xen 4.22 xen/include/public/arch-arm.h), so that guest
 * addresses chosen for Xen dom0less are valid here too.  A direct-mapped
 * partition sees its RAM at its host address and the host's GIC and UART
 * addresses instead, as Xen does.  Guests find everything in their DT.
 * Guest ABI: plain constants, no hypervisor types.
 */

/* RAM: the first 3 GiB in bank 0, the rest in bank 1 (GUEST_RAM0/1). */
#define GUEST_RAM0_BASE         0x40000000ull
#define GUEST_RAM0_SIZE         0xC0000000ull
#define GUEST_RAM1_BASE         0x0200000000ull
#define GUEST_RAM1_SIZE         0xFE00000000ull
#define GUEST_RAM_BASE          GUEST_RAM0_BASE

/* GICv3: distributor and one redistributor region, 128 KiB per vCPU. */
#define GUEST_GICV3_GICD_BASE   0x03001000ull
#define GUEST_GICV3_GICD_SIZE   0x00010000ull
#define GUEST_GICV3_GICR0_BASE  0x03020000ull
#define GUEST_GICV3_GICR_STRIDE 0x00020000ull  /* RD_base + SGI_base frames */

/* GICv2: distributor and CPU interface (the GICV frame, mapped by stage 2). */
#define GUEST_GICD_BASE         0x03001000ull
#define GUEST_GICD_SIZE         0x00001000ull
#define GUEST_GICC_BASE         0x03002000ull
#define GUEST_GICC_SIZE         0x00002000ull

/* The emulated PL011 (vpl011) and its interrupt. */
#define GUEST_PL011_BASE        0x22000000ull
#define GUEST_PL011_SIZE        0x00001000ull
#define GUEST_VPL011_SPI        32u            /* an INTID, as Xen names it: SPI 0 */

#define GUEST_VTIMER_INTID      27u            /* virtual timer PPI */

/* The other generic timer PPIs, listed in the DT (never injected). */
#define GUEST_PTIMER_S_INTID    29u            /* secure EL1 physical timer */
#define GUEST_PTIMER_NS_INTID   30u            /* non-secure EL1 physical timer */
#define GUEST_HTIMER_INTID      26u            /* EL2 physical timer */

#define GUEST_UART_CLK_HZ       24000000u      /* the PL011's apb-pclk fixed clock */

/*
 * Tessera's own devices, in 64 KiB slots after the vpl011 that Xen's map
 * leaves free (it has the vpl011 at 0x22000000, the SCI mediator's page at
 * 0x22001000 and GUEST_VPCI_MEM_ADDR at 0x23000000).
 *
 * The doorbell GPIO (docs/shared-memory.md section 11): an emulated PL061
 * (ARM DDI 0190B) whose line pairs are the partition's shared regions.  Its
 * interrupt is the last of the 64 SPIs a partition's GIC has: clear of
 * Xen's guest SPIs (vpl011 32, virtio-mmio 33-44) and of every wired
 * device interrupt of QEMU virt (SPIs 0-9 and 16-47; SPIs 48-63 are the
 * GICv2m MSI frame's, never a device line), so a passed-through device,
 * which keeps its host SPI, does not collide with it on virt; elsewhere a
 * collision is a configuration error.
 */
#define GUEST_PL061_BASE        0x22010000ull
#define GUEST_PL061_SIZE        0x00001000ull
#define GUEST_PL061_INTID       95u            /* SPI 63, level */

/* The control device (docs/hypercalls.md): life cycle and ownership table from a partition. */
#define GUEST_CTL_BASE          0x22020000ull
#define GUEST_CTL_SIZE          0x00010000ull

/*
 * Shared-memory doorbell (include/public/tessera_hvc.h): PPI 15, INTID 31,
 * edge; Xen's GUEST_EVTCHN_PPI.  A PPI, so that it never collides with a
 * passed-through device's SPI, which keeps its host number.
 */
#define GUEST_DOORBELL_PPI      15u
#define GUEST_DOORBELL_INTID    31u

/*
 * Phandles of the nodes Tessera writes into a guest's tree: Xen's
 * GUEST_PHANDLE_GIC and above.  A partial device tree's own phandles stay
 * below GUEST_PHANDLE_FIRST.
 */
#define GUEST_PHANDLE_FIRST     65000u
#define GUEST_PHANDLE_GIC       65000u
#define GUEST_PHANDLE_APB_PCLK  65001u
