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
#define CFG_MAX_ERRORS       64
#define CFG_ERROR_LEN        200

#define CFG_DOM0_ID          0u
#define CFG_DOM_SHARED_ID    0x7FF5u
#define CFG_OWNER_DOM_SHARED (-1)

struct cfg_range {
	uint64_t base;
	uint64_t size;
};

/* What the host offers; cfg_parse() checks the configuration against it. */
struct cfg_platform {
	struct cfg_range ram[CFG_MAX_RANGES];          /* from /memory */
	unsigned int ram_count;
	struct cfg_range reserved[CFG_MAX_RANGES];     /* hypervisor, DTB, /memreserve/, /reserved-memory */
	unsigned int reserved_count;
	unsigned int cpu_count;                        /* physical CPUs */
	unsigned int boot_cpu;                         /* logical index of the boot CPU */
	int chosen_hint;                               /* offset of /chosen if known, else 0 */
};

struct cfg_module {
	bool present;
	uint64_t base;          /* host PA where the boot loader put it */
	uint64_t size;
	char path[CFG_PATH_MAX];
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
	uint64_t ram_base;              /* host PA of its RAM: static-mem, or placed by cfg_parse() */
	struct cfg_module kernel;
	struct cfg_module ramdisk;
	char bootargs[CFG_BOOTARGS_MAX];
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

struct config {
	unsigned int partition_count;
	struct cfg_partition partitions[CFG_MAX_PARTITIONS];
	unsigned int region_count;
	struct cfg_shm_region regions[CFG_MAX_REGIONS];
	unsigned int ref_count;
	struct cfg_shm_ref refs[CFG_MAX_SHM_REFS];
};

/*
 * Read /chosen of the flattened device tree @fdt into @cfg, checking every
 * rule of DESIGN.md §4 against @plat.  Returns 0 when the configuration is
 * valid; otherwise the number of errors, each recorded in @errs.  Never
 * stops at the first error.
 */
int cfg_parse(const void *fdt, const struct cfg_platform *plat,
	      struct config *cfg, struct cfg_errors *errs);

/* Record one error "config: <path>: <prop>: <reason>" (printf-style reason). */
void cfg_error(struct cfg_errors *errs, const char *path, const char *prop,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
