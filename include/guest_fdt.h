#pragma once
/*
 * Guest device tree generation (DESIGN.md §5): the flattened DT a partition
 * boots with, a QEMU-virt look-alike plus its shared-memory regions under
 * /reserved-memory.  Pure C over libfdt; compiles for the host too.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/*
 * Upper bounds of what each part of the generated tree costs, in bytes of
 * the flattened format (header, structure block, strings block).  A
 * property costs 12 bytes (FDT_PROP tag, length, name offset) plus its
 * value padded to 4; a node costs 8 bytes (FDT_BEGIN_NODE, FDT_END_NODE)
 * plus its NUL-terminated name padded to 4.
 *
 * Everything but the CPUs, the shared regions, the doorbell GPIO and
 * bootargs: the 40-byte header, the empty memory reservation map, the fixed
 * nodes (the control device's included), both initrd properties and the
 * strings block measure about 1550 bytes; rounded up with margin for later
 * properties.
 */
#define GUEST_FDT_BASE_BOUND   2560u
/*
 * cpu@N: node 16 + device_type 16 + compatible 28 + reg 16 + enable-method 20,
 * plus the four property names (41), counted as if never shared (the
 * writer writes a repeated name once: these stay upper bounds).
 */
#define GUEST_FDT_CPU_BOUND    144u
/*
 * xen-shmem@<up to 16 hex digits>: node 36 + compatible 36 + reg 28 +
 * xen,id 28 (CFG_SHM_ID_MAX) + xen,offset 20 + no-map 12.
 */
#define GUEST_FDT_SHM_BOUND    200u   /* + 40 bytes of property names */
/* /reserved-memory itself: node + #address-cells + #size-cells + ranges. */
#define GUEST_FDT_RESMEM_BOUND 200u   /* + 34 bytes of property names, and /hypervisor */
/*
 * The nodes merged from a partial device tree (device passthrough): at most
 * this much, which cfg_parse() checks (cfg_partition.pt_fdt_bytes).
 */
#define GUEST_FDT_PT_MAX       0x4000u
/* How deep the nodes of a partial device tree may nest (/passthrough is 1). */
#define GUEST_FDT_PT_DEPTH_MAX 8u
/*
 * The doorbell GPIO: node 24 + ten properties (12 each) with their values
 * (compatible 20, reg 16, interrupts 12, clocks 4, clock-names 12, four
 * cells 16) = 224, the line names (8 of at most 21 bytes: 168) and the
 * property names (about 120).
 */
#define GUEST_FDT_GPIO_BOUND   640u
/* bootargs: property header + CFG_BOOTARGS_MAX bytes. */
#define GUEST_FDT_BOOTARGS_BOUND (24u + CFG_BOOTARGS_MAX)

/*
 * A buffer of this size holds the tree of any partition a valid
 * configuration describes: CFG_MAX_VCPUS vCPUs, every one of the
 * CFG_MAX_REGIONS regions (each at most once per partition, which
 * cfg_parse() enforces) and the longest bootargs.  That is about 53 KiB;
 * 295 regions alone need about 46 KiB, so 16 KiB would not do.
 */
#define GUEST_FDT_MAX_SIZE     0x18000u   /* 96 KiB */

/*
 * Bytes enough for partition @part_index's tree (an upper bound, never less
 * than guest_fdt_build() needs).  Returns 0 when @part_index is not a
 * partition of @cfg.
 */
size_t guest_fdt_size_bound(const struct config *cfg, unsigned int part_index);

/*
 * Build the DT partition @part_index of @cfg boots with, into @buf (@size
 * bytes, 4-byte aligned).  initrd_size 0 = none.  Returns 0 or -TS_E*
 * (include/tserr.h): -TS_ENOMEM when @buf is too small, -TS_EINVAL for a
 * bad argument (a misaligned @buf too) or an inconsistent @cfg.  On error
 * @buf holds no valid tree.
 */
int guest_fdt_build(void *buf, size_t size, const struct config *cfg, unsigned int part_index,
		    uint64_t initrd_ipa, uint64_t initrd_size);
