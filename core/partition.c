/*
 * Partition life cycle: create from the configuration, start (stage-2
 * table, shared regions, kernel, ramdisk, guest DT, vCPU 0), stop (every
 * vCPU off, mappings and references dropped), and power-off when the last
 * one has stopped (DESIGN §7).
 *
 * Lock order (the only place it is written): shm table lock, then one
 * partition's lock, then the console lock.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "gic.h"
#include "guest_fdt.h"
#include "mm.h"
#include "p2m_hw.h"
#include "partition.h"
#include "passthrough.h"
#include "psci.h"
#include "public/guest_platform.h"
#include "shm_glue.h"
#include "sysreg.h"
#include "tserr.h"

/* arm64 Image header (Linux Documentation/arch/arm64/booting.rst). */
#define IMAGE_MAGIC_OFF        0x38
#define IMAGE_MAGIC            0x644d5241u     /* "ARM\x64" */
#define IMAGE_TEXT_OFFSET_OFF  0x08
#define IMAGE_SIZE_OFF         0x10
#define IMAGE_LEGACY_TEXT_OFF  0x80000ull      /* image_size 0: pre-3.17 kernels */

struct partition partitions[CFG_MAX_PARTITIONS];
unsigned int partition_count;
const struct config *sys_config;

static void *p2m_page_alloc(void *ctx)
{
	(void)ctx;
	return mm_page_alloc();
}

static void p2m_page_free(void *ctx, void *page)
{
	(void)ctx;
	mm_page_free(page);
}

static void *p2m_pages_alloc(void *ctx, unsigned int count)
{
	(void)ctx;
	return mm_pages_alloc(count);
}

static void p2m_pages_free(void *ctx, void *pages, unsigned int count)
{
	(void)ctx;
	for (unsigned int i = 0; i < count; i++)
		mm_page_free((char *)pages + i * SZ_4K);
}

static void p2m_tlb_invalidate(void *ctx, uint16_t vmid, ipa_t base, uint64_t size)
{
	(void)ctx;
	p2m_hw_invalidate(vmid, base, size);
}

static const struct p2m_mm p2m_pool_ops = {
	.alloc_page = p2m_page_alloc,
	.free_page = p2m_page_free,
	.tlb_invalidate = p2m_tlb_invalidate,
	.alloc_pages = p2m_pages_alloc,
	.free_pages = p2m_pages_free,
};

void partitions_create(const struct config *cfg)
{
	sys_config = cfg;
	partition_count = cfg->partition_count;
	for (unsigned int i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];
		p->cfg = &cfg->partitions[i];
		p->index = i;
		p->state = PART_STOPPED;
		for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
			p->vcpus[v] = (struct vcpu){ .part = p, .id = v, .pcpu = p->cfg->pcpu[v] };
		vpl011_init(p);
		vgic_register_mmio(p);
	}
	passthrough_init();
}

struct partition *partition_find(const char *name)
{
	for (unsigned int i = 0; i < partition_count; i++)
		if (strcmp(partitions[i].cfg->name, name) == 0)
			return &partitions[i];
	return NULL;
}

/* The first RAM bank: the kernel, the initrd and the DT go there. */
static const struct cfg_range *boot_bank(const struct partition *p)
{
	return &p->cfg->map.ram[0];
}

/* Host address of @guest_pa in the first bank (RAM is one host range from its start). */
static uint64_t host_of(const struct partition *p, uint64_t guest_pa)
{
	return p->cfg->ram_base + (guest_pa - boot_bank(p)->base);
}

static uint64_t le64_at(uint64_t hpa)
{
	uint64_t v;
	memcpy(&v, (const void *)(uintptr_t)hpa, sizeof(v));
	return v;
}

/* Copy the kernel module into guest RAM; returns the entry IPA or 0. */
static uint64_t partition_load_kernel(struct partition *p, uint64_t room)
{
	const struct cfg_module *k = &p->cfg->kernel;
	uint64_t text_offset = 0, span = k->size;
	uint32_t magic = 0;
	if (k->size >= IMAGE_MAGIC_OFF + sizeof(magic))
		memcpy(&magic, (const void *)(uintptr_t)(k->base + IMAGE_MAGIC_OFF), sizeof(magic));
	if (magic == IMAGE_MAGIC) {
		uint64_t image_size = le64_at(k->base + IMAGE_SIZE_OFF);
		text_offset = image_size ? le64_at(k->base + IMAGE_TEXT_OFFSET_OFF)
					 : IMAGE_LEGACY_TEXT_OFF;
		if (image_size > span)
			span = image_size;
	}
	if (text_offset > room || span > room - text_offset) {
		log_line("%s: kernel (0x%llx bytes at offset 0x%llx) does not fit in its RAM",
			 p->cfg->name, (unsigned long long)span, (unsigned long long)text_offset);
		return 0;
	}
	uint64_t entry = boot_bank(p)->base + text_offset;
	uint64_t dst = host_of(p, entry);
	memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)k->base, k->size);
	dcache_clean_range(dst, k->size);
	return entry;
}

/* Ramdisk and DT at the top of the first RAM bank; returns the DT's IPA or 0. */
static uint64_t partition_load_dt(struct partition *p, uint64_t *low_water)
{
	const struct cfg_range *bank = boot_bank(p);
	uint64_t dtb = bank->base + bank->size - GUEST_FDT_MAX_SIZE;
	uint64_t initrd = 0, initrd_size = 0;
	const struct cfg_module *rd = &p->cfg->ramdisk;
	if (rd->present) {
		if (rd->size > dtb - bank->base) {
			log_line("%s: ramdisk (0x%llx bytes) does not fit in its RAM", p->cfg->name,
				 (unsigned long long)rd->size);
			return 0;
		}
		initrd_size = rd->size;
		initrd = align_down(dtb - initrd_size, SZ_4K);
		memcpy((void *)(uintptr_t)host_of(p, initrd), (const void *)(uintptr_t)rd->base,
		       rd->size);
		dcache_clean_range(host_of(p, initrd), rd->size);
	}
	void *buf = (void *)(uintptr_t)host_of(p, dtb);
	/* The bound, not the whole slot: libfdt clears the buffer it is given. */
	size_t bound = guest_fdt_size_bound(sys_config, p->index);
	int err = guest_fdt_build(buf, bound < GUEST_FDT_MAX_SIZE ? bound : GUEST_FDT_MAX_SIZE, sys_config,
				  p->index, initrd, initrd_size);
	if (err) {
		log_line("%s: cannot build its device tree (error %d)", p->cfg->name, err);
		return 0;
	}
	dcache_clean_range(host_of(p, dtb), fdt_totalsize(buf));
	*low_water = rd->present ? initrd : dtb;
	return dtb;
}

/*
 * Every RAM bank, in order, from one contiguous host range, then each
 * passed-through device range (Device-nGnRE, RW, XN), all from struct
 * cfg_guest_map.  Destroying the table removes them all again.
 */
static int partition_build_p2m(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	int err = p2m_init(&p->p2m, p2m_ipa_bits_for(
		(unsigned int)field_get(ID_AA64MMFR0_PARANGE, sysreg_read(id_aa64mmfr0_el1))),
		(uint16_t)(p->index + 1), &p2m_pool_ops);
	uint64_t host = p->cfg->ram_base;
	for (unsigned int b = 0; !err && b < m->ram_count; b++) {
		const struct cfg_range *bank = &m->ram[b];
		err = p2m_map(&p->p2m, ipa(bank->base), hpa(host), bank->size, P2M_RAM);
		host += bank->size;
	}
	/* GICv2: the guest's CPU interface is the GICV frame itself; its accesses never exit. */
	if (!err && m->gic_version == 2)
		err = p2m_map(&p->p2m, ipa(m->gicc.base), hpa(gic_host()->gicv), m->gicc.size,
			      P2M_DEVICE);
	for (unsigned int i = 0; !err && i < m->pt_range_count; i++)
		err = p2m_map(&p->p2m, ipa(m->pt_range[i].guest), hpa(m->pt_range[i].host),
			      m->pt_range[i].size, P2M_DEVICE);
	return err;
}

static const char *const p2m_type_names[] = {
	[P2M_RAM] = "RAM, RWX", [P2M_SHARED] = "shared, RW XN", [P2M_DEVICE] = "device, RW XN",
};

static void p2m_print_run(void *ctx, ipa_t at, hpa_t pa, uint64_t size, enum p2m_type type)
{
	const struct partition *p = ctx;
	log_line("%s:   IPA 0x%010llx-0x%010llx -> PA 0x%010llx  %7llu KiB  %s", p->cfg->name,
		 (unsigned long long)at.v, (unsigned long long)(at.v + size - 1),
		 (unsigned long long)pa.v, (unsigned long long)(size >> 10), p2m_type_names[type]);
}

void partition_print_p2m(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	if (m->gic_version == 2)           /* the CPU interface (GICV) is one of the mappings */
		log_line("%s: stage 2: VMID %u, %u-bit IPA, %u table pages; trapped: GICD 0x%llx, "
			 "UART 0x%llx", p->cfg->name, p->p2m.vmid, p->p2m.ipa_bits,
			 p->p2m.table_pages, (unsigned long long)m->gicd.base,
			 (unsigned long long)m->uart.base);
	else
		log_line("%s: stage 2: VMID %u, %u-bit IPA, %u table pages; trapped: GICD 0x%llx, "
			 "GICR 0x%llx, UART 0x%llx", p->cfg->name, p->p2m.vmid, p->p2m.ipa_bits,
			 p->p2m.table_pages, (unsigned long long)m->gicd.base,
			 (unsigned long long)m->gicr.base, (unsigned long long)m->uart.base);
	p2m_for_each(&p->p2m, p2m_print_run, p);
}

int partition_start(struct partition *p)
{
	if (p->state != PART_STOPPED)
		return -TS_EBUSY;
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
		if (p->vcpus[v].state != VCPU_OFF)
			return -TS_EBUSY;     /* a CPU still leaving a previous run */
	vgic_init(p);
	int err = partition_build_p2m(p);
	if (err) {
		log_line("%s: cannot build its stage-2 table (error %d)", p->cfg->name, err);
		p2m_destroy(&p->p2m);
		return err;
	}
	err = shm_glue_start(p);
	if (err) {
		p2m_destroy(&p->p2m);
		return err;
	}
	uint64_t low_water = 0;
	uint64_t dtb = partition_load_dt(p, &low_water);
	uint64_t entry = dtb ? partition_load_kernel(p, low_water - boot_bank(p)->base) : 0;
	if (!entry) {
		shm_glue_stop(p);
		p2m_destroy(&p->p2m);
		return -TS_EINVAL;
	}
	p->cntvoff = sysreg_read(cntpct_el0);
	p->starts++;
	p->aborts = 0;
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
		p->vcpus[v].exits = p->vcpus[v].fp_saves = 0;
	spin_lock(&p->lock);
	p->state = PART_RUNNING;
	p->vcpus_on = 1;
	p->vcpus[0].state = VCPU_ON_PENDING;
	spin_unlock(&p->lock);
	char cpus[4 * CFG_MAX_VCPUS] = "";
	for (unsigned int v = 0, n = 0; v < p->cfg->vcpu_count; v++)
		n += (unsigned int)snprintf(cpus + n, sizeof(cpus) - n, "%s%u", v ? "," : "",
					    p->cfg->pcpu[v]);
	log_line("%s: started (id %u, %u vCPU%s on CPU %s, %llu MiB at 0x%llx, entry 0x%llx, "
		 "dt 0x%llx)", p->cfg->name, p->cfg->id, p->cfg->vcpu_count,
		 p->cfg->vcpu_count > 1 ? "s" : "", cpus,
		 (unsigned long long)(p->cfg->mem_bytes >> 20), (unsigned long long)p->cfg->ram_base,
		 (unsigned long long)entry, (unsigned long long)dtb);
	partition_print_p2m(p);
	/* Running first: an SPI that fires at once is kept pending for the guest. */
	passthrough_start(p);
	vcpu_request_run(&p->vcpus[0], entry, dtb);
	return 0;
}

/* Caller holds p->lock.  Ask every other CPU running one of @p's vCPUs to stop it. */
static void partition_kick_vcpus(struct partition *p)
{
	struct pcpu *self = this_pcpu();
	for (unsigned int i = 0; i < p->cfg->vcpu_count; i++) {
		struct vcpu *v = &p->vcpus[i];
		if (v->state == VCPU_OFF)
			continue;
		if (self->vcpu == v || v->state == VCPU_ON_PENDING) {
			v->state = VCPU_OFF;    /* not running, or the caller will not resume it */
			continue;
		}
		pcpu_send_request(v->pcpu, PCPU_REQ_STOP);
	}
}

static bool partition_all_vcpus_off(struct partition *p)
{
	for (unsigned int i = 0; i < p->cfg->vcpu_count; i++)
		if (p->vcpus[i].state != VCPU_OFF)
			return false;
	return true;
}

/* Stop @p from any CPU; its vCPU on this CPU, if any, must not be resumed. */
static bool partition_stop_quiet(struct partition *p, const char *why)
{
	spin_lock(&p->lock);
	if (p->state != PART_RUNNING) {
		spin_unlock(&p->lock);
		return false;
	}
	p->state = PART_STOPPING;
	partition_kick_vcpus(p);
	spin_unlock(&p->lock);
	while (!partition_all_vcpus_off(p))
		wfe();
	p->vcpus_on = 0;
	passthrough_stop(p);
	shm_glue_stop(p);
	p2m_hw_invalidate(p->p2m.vmid, ipa(0), 0);
	p2m_destroy(&p->p2m);
	uint64_t exits = 0, fp_saves = 0;
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++) {
		exits += p->vcpus[v].exits;
		fp_saves += p->vcpus[v].fp_saves;
	}
	log_line("%s: stopped (%s) after %llu exits, %llu lazy FP/SIMD saves, %llu aborts injected",
		 p->cfg->name, why, (unsigned long long)exits, (unsigned long long)fp_saves,
		 (unsigned long long)p->aborts);
	__atomic_store_n(&p->state, PART_STOPPED, __ATOMIC_RELEASE);
	return true;
}

void partition_stop(struct partition *p, const char *why)
{
	if (partition_stop_quiet(p, why))
		system_check_all_stopped();
}

int partition_restart(struct partition *p, const char *why)
{
	partition_stop_quiet(p, why);
	return partition_start(p);
}

void system_check_all_stopped(void)
{
	static bool powering_off;
	for (unsigned int i = 0; i < partition_count; i++)
		if (partitions[i].state != PART_STOPPED)
			return;
	if (__atomic_exchange_n(&powering_off, true, __ATOMIC_ACQ_REL))
		pcpu_idle();          /* another CPU saw it first */
	log_line("every partition has stopped: powering off");
	shm_glue_power_off();
	psci_host_system_off();
}
