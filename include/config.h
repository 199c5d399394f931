#pragma once
/*
 * The validated system configuration: what dt/ reads from the host device
 * tree's /chosen (Xen dom0less format, DESIGN.md §4) and what core/ and shm/
 * act on.  Pure data, built by cfg_parse(); compiles for the host too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_PARTITIONS   16
#define CFG_MAX_VCPUS        8      /* per partition */
#define CFG_MAX_CPUS         64     /* physical CPUs Tessera can drive */
#define CFG_NAME_MAX         32     /* partition name incl. NUL */
#define CFG_PATH_MAX         128    /* node path incl. NUL */
#define CFG_BOOTARGS_MAX     512
#define CFG_SHM_ID_MAX       16     /* string id: 1..15 chars + NUL */
#define CFG_SHM_U32_ID_LAST  0x126u /* design's range is 0x0..0x126 */
#define CFG_SHM_INVALID_ID   0x127u
#define CFG_MAX_REGIONS      320    /* all 295 design ids + string ids */
#define CFG_MAX_SHM_REFS     1024   /* (partition, region) pairs */
#define CFG_MAX_RANGES       32
#define CFG_MAX_PT_DEVICES   16     /* passed-through devices, all partitions together */
#define CFG_MAX_PT_RANGES    8      /* xen,reg ranges per partition */
#define CFG_MAX_ERRORS       64
#define CFG_ERROR_LEN        200

#define CFG_DOM0_ID          0u
#define CFG_DOM_SHARED_ID    0x7FF5u
#define CFG_OWNER_DOM_SHARED (-1)
/* `capabilities` of a xen,domain node (Xen's booting.txt, public/bootfdt.h). */
#define CFG_CAPS_CONTROL     0x1u   /* DOMAIN_CAPS_CONTROL: a control partition */
#define CFG_CAPS_HARDWARE    0x2u   /* DOMAIN_CAPS_HARDWARE */
#define CFG_CAPS_XENSTORE    0x4u   /* DOMAIN_CAPS_XENSTORE */

struct cfg_range {
	uint64_t base;
	uint64_t size;
};

#define CFG_GUEST_RAM_BANKS  2      /* Xen's GUEST_RAM0 and GUEST_RAM1 */
#define CFG_GUEST_SPI_FIRST  32u    /* INTID of SPI 0 */
#define CFG_GUEST_SPI_COUNT  64u    /* SPIs a partition's GIC has: INTIDs 32..95 */
#define CFG_IPA_BITS_DEFAULT 40u    /* stage-2 input size when the platform says nothing */

/*
 * The host devices a partition's view is built from: the GIC (a guest gets
 * the same version, DESIGN.md §5) and the console UART, whose addresses a
 * direct-mapped partition sees.
 */
struct cfg_host_devices {
	unsigned int gic_version;                      /* 2 or 3; 0 when unknown */
	struct cfg_range gicd;                         /* distributor */
	struct cfg_range gicr;                         /* v3: first redistributor region */
	struct cfg_range gicc;                         /* v2: CPU interface */
	struct cfg_range uart;                         /* the console */
	uint32_t uart_intid;                           /* 0: no interrupt */
};

/*
 * The bytes of the boot module at host [base, base + size), or NULL when
 * they cannot be read.  cfg_parse() reads partial device trees through it,
 * after checking that the module lies in RAM; the hypervisor passes its
 * identity map, tests their own buffers.
 */
typedef const void *cfg_module_reader(uint64_t base, uint64_t size);

struct dt_index;

/* What the host offers; cfg_parse() checks the configuration against it. */
struct cfg_platform {
	struct cfg_range ram[CFG_MAX_RANGES];          /* from /memory */
	unsigned int ram_count;
	struct cfg_range reserved[CFG_MAX_RANGES];     /* hypervisor, DTB, /memreserve/, /reserved-memory */
	unsigned int reserved_count;
	unsigned int cpu_count;                        /* physical CPUs */
	unsigned int boot_cpu;                         /* logical index of the boot CPU */
	int chosen_hint;                               /* offset of /chosen if known, else 0 */
	struct dt_index *chosen_index;                 /* /chosen already indexed, or NULL */
	unsigned int ipa_bits;                         /* guest physical address bits; 0: default */
	struct cfg_host_devices host;
	cfg_module_reader *read_module;                /* NULL: modules cannot be read */
};

struct cfg_module {
	bool present;
	uint64_t base;          /* host PA where the boot loader put it */
	uint64_t size;
	char path[CFG_PATH_MAX];
};

/*
 * One xen,reg triplet of a passed-through device: host MMIO mapped at a
 * guest address, Device-nGnRE, read-write, execute-never; 4 KiB granular.
 */
struct cfg_pt_range {
	uint64_t host;
	uint64_t guest;
	uint64_t size;
	unsigned int device;            /* index into config.pt_devices */
};

/* One device node of a partition's partial device tree (Xen's passthrough.txt). */
struct cfg_pt_device {
	char host_path[CFG_PATH_MAX];   /* xen,path: the host node carrying xen,passthrough */
	unsigned int partition;         /* index into config.partitions */
	uint64_t spis;                  /* its SPIs, as in cfg_guest_map.pt_spis */
};

/*
 * What one partition sees (DESIGN.md §5), computed by cfg_parse(): RAM banks
 * (guest ranges; bank i holds the partition's RAM from the end of bank i-1
 * on), the GIC frames and the UART.  Everything that builds the guest's view
 * (guest DT, stage 2, emulated MMIO windows, the checks on shared regions)
 * reads it from here.
 */
struct cfg_guest_map {
	unsigned int ram_count;
	struct cfg_range ram[CFG_GUEST_RAM_BANKS];
	unsigned int gic_version;       /* 2 or 3 */
	struct cfg_range gicd;          /* distributor */
	struct cfg_range gicr;          /* v3: redistributors, 128 KiB per vCPU */
	struct cfg_range gicc;          /* v2: CPU interface */
	struct cfg_range uart;          /* vpl011 */
	uint32_t uart_intid;
	/* Passed-through devices (the partial device tree's xen,reg and host SPIs). */
	unsigned int pt_range_count;
	struct cfg_pt_range pt_range[CFG_MAX_PT_RANGES];
	uint64_t pt_spis;               /* bit i: INTID 32 + i, the same INTID as on the host */
	uint64_t pt_spi_edge;           /* bit i: that SPI is edge-triggered (else level) */
	struct cfg_range gpio;          /* the doorbell PL061 (size 0: none, no shared region) */
	uint32_t gpio_intid;
	struct cfg_range ctl;           /* the control device */
};

struct cfg_partition {
	char name[CFG_NAME_MAX];        /* node name; "dom0" for dom0 */
	char path[CFG_PATH_MAX];        /* node path, for messages */
	uint32_t id;                    /* dom0 = 0, then 1.. in DT order */
	uint64_t mem_bytes;             /* from `memory` (KiB) or dom0_mem= */
	unsigned int vcpu_count;
	unsigned int pcpu[CFG_MAX_VCPUS];  /* physical CPU of each vCPU */
	bool vpl011;
	bool static_mem;                /* xen,static-mem given */
	bool direct_map;                /* direct-map: guest RAM at IPA == host PA */
	bool control;                   /* may control the others: dom0, or capabilities DOMAIN_CAPS_CONTROL */
	uint64_t ram_base;              /* host PA of its RAM: static-mem, or placed by cfg_parse() */
	struct cfg_module kernel;
	struct cfg_module ramdisk;
	char bootargs[CFG_BOOTARGS_MAX];
	struct cfg_guest_map map;
	/* Device passthrough: the multiboot,device-tree module and what it assigns. */
	struct cfg_module dtb;
	const void *pt_fdt;             /* the partial DT (read through cfg_platform.read_module) */
	unsigned int pt_fdt_bytes;      /* what its merged nodes add to the guest DT, at most */
};

struct cfg_shm_region {
	char id[CFG_SHM_ID_MAX];        /* as guests see it: "0x1" or the string */
	bool id_is_u32;
	uint32_t id_u32;
	uint64_t host_base;
	uint64_t size;
	bool host_picked;               /* <guest-PA size>: Tessera chose host_base */
	int owner;                      /* partition index, or CFG_OWNER_DOM_SHARED */
	char path[CFG_PATH_MAX];        /* first node that named it */
};

struct cfg_shm_ref {
	unsigned int partition;         /* index into cfg.partitions */
	unsigned int region;            /* index into cfg.regions */
	uint64_t guest_base;            /* IPA in that partition */
	bool owner;                     /* role = "owner" */
	char path[CFG_PATH_MAX];
};

struct cfg_errors {
	unsigned int count;             /* may exceed CFG_MAX_ERRORS: extra ones are counted, not kept */
	char line[CFG_MAX_ERRORS][CFG_ERROR_LEN];  /* "config: <path>: <property>: <reason>" */
};

/* Entries past each count are undefined: cfg_parse() clears an entry when it takes it. */
struct config {
	unsigned int partition_count;
	struct cfg_partition partitions[CFG_MAX_PARTITIONS];
	unsigned int region_count;
	struct cfg_shm_region regions[CFG_MAX_REGIONS];
	unsigned int ref_count;
	struct cfg_shm_ref refs[CFG_MAX_SHM_REFS];
	unsigned int pt_device_count;   /* passed-through devices, in partition order */
	struct cfg_pt_device pt_devices[CFG_MAX_PT_DEVICES];
};

/*
 * Read /chosen of the flattened device tree @fdt into @cfg, checking every
 * rule of DESIGN.md §4 against @plat.  @fdt must be a tree host_dt_scan()
 * did not find malformed (include/host_dt.h): libfdt cannot walk any other.  Returns 0 when the configuration is
 * valid; otherwise the number of errors, each recorded in @errs.  Never
 * stops at the first error.
 */
int cfg_parse(const void *fdt, const struct cfg_platform *plat,
	      struct config *cfg, struct cfg_errors *errs);

/* Record one error "config: <path>: <prop>: <reason>" (printf-style reason). */
void cfg_error(struct cfg_errors *errs, const char *path, const char *prop,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
