/*
 * Partition life cycle: create from the configuration, start (stage-2
 * table, shared regions, kernel, ramdisk, guest DT, vCPU 0), stop (every
 * vCPU off, mappings and references dropped), restart, and power-off when
 * the last one has stopped (DESIGN §7).  The transitions themselves are
 * core/life.c's state machine, taken under the partition lock; this file
 * does the work each one asks for.  Locks and their order:
 * docs/architecture.md section 6.
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
#include "vctl.h"

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
	mm_pages_free(pages, count);     /* whole: the next start's root reuses it */
}

static void p2m_tlb_invalidate(void *ctx, const struct p2m *p, ipa_t base, uint64_t size)
{
	(void)ctx;
	p2m_hw_invalidate(p, base, size);
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
		life_init(&p->life, p->cfg->vcpu_count);
		for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
			p->vcpus[v] = (struct vcpu){ .part = p, .id = v, .pcpu = p->cfg->pcpu[v] };
		vpl011_init(p);
		vpl061_init(p);
		vctl_init(p);
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
 * Before a partition runs again (SYSTEM_RESET, a restart or a start after a
 * stop), nothing of its last run may be readable: zero all its private RAM,
 * cleaned to the point of coherency because the guest starts with its
 * caches off.  Shared regions are not touched: they follow the ownership
 * rules of DESIGN §6.  Not on the first start: that RAM held no guest's
 * data yet (QEMU's RAM starts zeroed; on hardware it holds what the boot
 * firmware left), and zeroing and cleaning costs two cache operations
 * per 64 bytes: millions of instructions for 128 MiB, many times DESIGN
 * §11's budget for reaching a partition's first instruction.
 */
static void partition_scrub_ram(struct partition *p)
{
	void *ram = (void *)(uintptr_t)p->cfg->ram_base;
	memset(ram, 0, p->cfg->mem_bytes);
	dcache_clean_range(p->cfg->ram_base, p->cfg->mem_bytes);
	log_line("%s: %llu MiB of RAM scrubbed before its new run", p->cfg->name,
		 (unsigned long long)(p->cfg->mem_bytes >> 20));
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

/* Readers hold p2m_lock: a borrower's mappings change under it while it runs. */
bool partition_print_p2m(struct partition *p)
{
	spin_lock(&p->p2m_lock);
	bool built = p->p2m.root != NULL;
	if (built) {
		const struct cfg_guest_map *m = &p->cfg->map;
		if (m->gic_version == 2)   /* the CPU interface (GICV) is one of the mappings */
			log_line("%s: stage 2: VMID %u, %u-bit IPA, %u table pages; trapped: "
				 "GICD 0x%llx, UART 0x%llx", p->cfg->name, p->p2m.vmid,
				 p->p2m.ipa_bits, p->p2m.table_pages,
				 (unsigned long long)m->gicd.base, (unsigned long long)m->uart.base);
		else
			log_line("%s: stage 2: VMID %u, %u-bit IPA, %u table pages; trapped: "
				 "GICD 0x%llx, GICR 0x%llx, UART 0x%llx", p->cfg->name, p->p2m.vmid,
				 p->p2m.ipa_bits, p->p2m.table_pages,
				 (unsigned long long)m->gicd.base, (unsigned long long)m->gicr.base,
				 (unsigned long long)m->uart.base);
		p2m_for_each(&p->p2m, p2m_print_run, p);
	}
	spin_unlock(&p->p2m_lock);
	return built;
}

/* Inside one of @p's RAM banks (struct cfg_guest_map: IPA ranges, direct-mapped or not). */
bool partition_ipa_in_ram(const struct partition *p, uint64_t at, uint64_t size)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	for (unsigned int i = 0; i < m->ram_count; i++) {
		const struct cfg_range *b = &m->ram[i];
		if (at >= b->base && size <= b->size && at - b->base <= b->size - size)
			return true;
	}
	return false;
}

/* ---- life cycle ------------------------------------------------------------ */

/* Partitions not stopped, plus the boot's hold until every partition started. */
static struct life_power power = LIFE_POWER_BOOT;

static void system_power_off(void) __attribute__((noreturn));
static void system_power_off(void)
{
	log_line("every partition has stopped: powering off");
	shm_glue_power_off();
	psci_host_system_off();
}

/* After every transition, with p->lock held: a broken invariant is a hypervisor bug. */
static void partition_check(struct partition *p)
{
	char why[80];
	if (life_check(&p->life, why, sizeof(why)) == 0)
		return;
	log_line("PANIC: %s: life cycle: %s", p->cfg->name, why);
	psci_host_system_off();
}

/* p->lock held: the STOP requests a stop's start asked for (life.stop_mask). */
static void partition_post_stops(struct partition *p)
{
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
		if (p->life.stop_mask & (1u << v))
			pcpu_send_request(p->vcpus[v].pcpu, PCPU_REQ_STOP);
	p->life.stop_mask = 0;
}

void partition_status(struct partition *p, enum part_state *state, unsigned int *vcpus_on)
{
	spin_lock(&p->lock);
	*state = p->life.state;
	*vcpus_on = p->life.vcpus_on;
	spin_unlock(&p->lock);
}

/*
 * Wait at EL2 (WFE) until @p is stable, answering this CPU's own STOP
 * request meanwhile.  The unlocked read is a hint; the decision is taken
 * again under the lock.  Whoever changes the state unlocks, and the
 * unlock's SEV ends the WFE.
 */
static void partition_wait_stable(struct partition *p)
{
	for (;;) {
		enum part_state s = partition_state(p);
		if (s == PART_STOPPED || s == PART_RUNNING) {
			spin_lock(&p->lock);
			bool stable = life_stable(&p->life);
			spin_unlock(&p->lock);
			if (stable)
				return;
		}
		vcpu_answer_stop();
		wfe();
	}
}

/* STOPPING: wait until every vCPU is off, answering this CPU's own STOP meanwhile. */
static void partition_wait_vcpus_off(struct partition *p)
{
	while (__atomic_load_n(&p->life.vcpus_on, __ATOMIC_ACQUIRE) != 0) {
		vcpu_answer_stop();
		wfe();
	}
	spin_lock(&p->lock);            /* pairs with each vCPU's release under the lock */
	spin_unlock(&p->lock);
}

/* Everything but the state: vGIC, stage 2, shared regions, images.  Undoes itself on failure. */
static int partition_build(struct partition *p, uint64_t *entry, uint64_t *dtb)
{
	vgic_init(p);
	vpl061_reset(p);
	spin_lock(&p->p2m_lock);
	int err = partition_build_p2m(p);
	if (err) {
		log_line("%s: cannot build its stage-2 table (error %d)", p->cfg->name, err);
		p2m_destroy(&p->p2m);
	}
	spin_unlock(&p->p2m_lock);
	if (err)
		return err;
	err = shm_glue_start(p);
	if (!err && p->starts != 0)
		partition_scrub_ram(p);
	uint64_t low_water = 0;
	*dtb = err ? 0 : partition_load_dt(p, &low_water);
	*entry = *dtb ? partition_load_kernel(p, low_water - boot_bank(p)->base) : 0;
	if (!*entry) {
		if (!err)
			shm_glue_stop(p);
		spin_lock(&p->p2m_lock);
		p2m_destroy(&p->p2m);
		spin_unlock(&p->p2m_lock);
		return err ? err : -TS_EINVAL;
	}
	p->cntvoff = sysreg_read(cntpct_el0);
	p->starts++;
	p->aborts = 0;
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++)
		vcpu_stats_reset(&p->vcpus[v]);
	return 0;
}

static void partition_log_started(struct partition *p, uint64_t entry, uint64_t dtb)
{
	char cpus[4 * CFG_MAX_VCPUS] = "";
	for (unsigned int v = 0, n = 0; v < p->cfg->vcpu_count; v++)
		n += (unsigned int)console_format(cpus + n, sizeof(cpus) - n, "%s%u", v ? "," : "",
						  p->cfg->pcpu[v]);
	log_line("%s: started (id %u, %u vCPU%s on CPU %s, %llu MiB at 0x%llx, entry 0x%llx, "
		 "dt 0x%llx)", p->cfg->name, p->cfg->id, p->cfg->vcpu_count,
		 p->cfg->vcpu_count > 1 ? "s" : "", cpus,
		 (unsigned long long)(p->cfg->mem_bytes >> 20), (unsigned long long)p->cfg->ram_base,
		 (unsigned long long)entry, (unsigned long long)dtb);
}

/* STOPPING: every vCPU off, then shared regions, TLB entries and stage 2 go. */
static void partition_teardown(struct partition *p, const char *why)
{
	partition_wait_vcpus_off(p);
	passthrough_stop(p);
	shm_glue_stop(p);
	spin_lock(&p->p2m_lock);
	p2m_hw_invalidate(&p->p2m, ipa(0), P2M_HW_ALL);
	p2m_destroy(&p->p2m);
	spin_unlock(&p->p2m_lock);
	uint64_t exits = 0, fp_saves = 0;
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++) {
		exits += vcpu_exits(&p->vcpus[v]);
		fp_saves += pcpus[p->vcpus[v].pcpu].fp_saves;
	}
	log_line("%s: stopped (%s) after %llu exits, %llu lazy FP/SIMD saves, %llu aborts injected",
		 p->cfg->name, why, (unsigned long long)exits, (unsigned long long)fp_saves,
		 (unsigned long long)p->aborts);
}

/*
 * This CPU took @p into STARTING (LIFE_BUILD) or STOPPING (LIFE_TEARDOWN):
 * do the work and take the next transitions until @p is stable.  Requests
 * that came meanwhile only changed where it heads (life.want).  May power
 * the machine off instead of returning.
 */
static enum part_result partition_drive(struct partition *p, enum life_step step, const char *why)
{
	bool off = false, restart = false;
	enum part_result res = PART_DONE;
	for (;;) {
		enum part_state s;
		if (step == LIFE_TEARDOWN) {
			partition_teardown(p, why);
			spin_lock(&p->lock);
			s = life_teardown_done(&p->life, &power, &off);   /* -> STOPPED or STARTING */
			partition_check(p);
			spin_unlock(&p->lock);
			if (s == PART_STOPPED)
				break;
			restart = true;
		}
		uint64_t entry = 0, dtb = 0;
		int err = partition_build(p, &entry, &dtb);
		spin_lock(&p->lock);
		s = life_build_done(&p->life, &power, err == 0, &off);  /* -> RUNNING, STOPPED, STOPPING */
		if (s == PART_RUNNING) {
			p->vcpus[0].entry = entry;      /* published with vCPU 0's ON_PENDING */
			p->vcpus[0].context = dtb;
		}
		partition_check(p);
		spin_unlock(&p->lock);
		if (s == PART_RUNNING) {
			partition_log_started(p, entry, dtb);
			partition_print_p2m(p);
			/* Running first: an SPI that fires at once is kept pending for the guest. */
			passthrough_start(p);
			vcpu_request_run(&p->vcpus[0]);
			break;
		}
		if (s == PART_STOPPED) {
			log_line("%s: %s failed", p->cfg->name, restart ? "restart" : "start");
			res = PART_FAILED;
			break;
		}
		step = LIFE_TEARDOWN;                   /* a stop came while it started */
		why = "stop requested while starting";
	}
	if (off)
		system_power_off();
	return res;
}

enum part_result partition_request(struct partition *p, enum life_req r, const char *why)
{
	struct vcpu *self = current_vcpu();
	unsigned int me = self && self->part == p ? self->id : LIFE_NO_VCPU;
	spin_lock(&p->lock);
	enum life_step step = life_request(&p->life, &power, r, me);
	partition_post_stops(p);
	partition_check(p);
	spin_unlock(&p->lock);
	switch (step) {
	case LIFE_NOTHING:
		return PART_ALREADY;
	case LIFE_REFUSED:
		return PART_REFUSED;
	case LIFE_WAIT:
		partition_wait_stable(p);
		return PART_JOINED;
	case LIFE_BUILD:
	case LIFE_TEARDOWN:
	default:
		return partition_drive(p, step, why);
	}
}

int partition_start(struct partition *p)
{
	enum part_result r = partition_request(p, LIFE_START, "boot");
	return r == PART_DONE || r == PART_ALREADY ? 0 : -TS_EINVAL;
}

void partition_stop(struct partition *p, const char *why)
{
	(void)partition_request(p, LIFE_STOP, why);
}

void partition_boot_done(void)
{
	if (life_power_release(&power))
		system_power_off();
}

void vcpu_stats_reset(struct vcpu *v)
{
	struct pcpu *pc = &pcpus[v->pcpu];          /* not counting: the vCPU is off */
	memset(pc->exits, 0, sizeof(pc->exits));
	pc->fp_saves = 0;
}

uint64_t vcpu_exits(const struct vcpu *v)
{
	uint64_t n = 0;
	for (unsigned int k = 0; k < PCPU_EXIT_KINDS; k++)
		n += pcpus[v->pcpu].exits[k];
	return n;
}

void partition_guest_request(struct vcpu *self, enum life_req r, const char *why)
{
	struct partition *p = self->part;
	spin_lock(&p->lock);
	enum life_step step = life_guest_request(&p->life, r, self->id);
	partition_post_stops(p);
	partition_check(p);
	spin_unlock(&p->lock);
	if (step == LIFE_TEARDOWN)
		(void)partition_drive(p, step, why);
	pcpu_idle();
}

void partition_cpu_off(struct vcpu *self)
{
	struct partition *p = self->part;
	spin_lock(&p->lock);
	bool last = life_cpu_off(&p->life, self->id);
	partition_check(p);
	spin_unlock(&p->lock);
	if (last)
		(void)partition_drive(p, LIFE_TEARDOWN, "its last vCPU called CPU_OFF");
	pcpu_idle();
}
