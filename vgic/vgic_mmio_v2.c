/*
 * GICv2's front end: the emulated distributor (4 KiB) at the partition's
 * GICD address, the registers Linux's irq-gic driver and the bare-metal
 * guests use (IHI 0048B 4.3).  The CPU interface is not emulated: it is the
 * GICV frame, mapped by stage 2 at the guest's GICC address
 * (core/partition.c), so acknowledge and EOI never exit.
 *
 * A single security state and every interrupt in Group 0 (GICD_IGROUPR
 * reads as zero): the guest enables its GICV with GICC_CTLR.EnableGrp0, as
 * Linux does.  SGIs 0-31's registers are the current vCPU's; its CPU
 * interface number is its vCPU index.  An SPI targets one vCPU, the lowest
 * one its GICD_ITARGETSR byte names (IHI 0048B 1-N delivery lets the GIC
 * pick any).  Reserved and unimplemented offsets read as zero and ignore
 * writes.
 */
#include "gic_arch.h"
#include "partition.h"
#include "vgic.h"
#include "vgic_internal.h"

#define ITARGETSR_PRIVATE_END  (GICD_ITARGETSR + VGIC_NR_PRIVATE)
#define ITARGETSR_END          (GICD_ITARGETSR + VGIC_NR_IRQS)
#define SGI_BYTES_END(base)    ((base) + GIC_NR_SGIS)
#define BYTE_BITS              8u

/* The CPU-interface mask of vCPU @id (its bit in ITARGETSR and GICD_SGIR). */
static uint32_t cpu_mask(unsigned int id)
{
	return 1u << id;
}

static uint32_t all_vcpus(const struct partition *p)
{
	return (1u << p->cfg->vcpu_count) - 1;
}

/* GICD_ITARGETSR byte of @intid. */
static uint8_t itargets_read(struct partition *p, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return (uint8_t)cpu_mask(v->id);          /* read-only: the reading CPU */
	const struct virq *q = vgic_virq(p, v, intid);
	return q->target < p->cfg->vcpu_count ? (uint8_t)cpu_mask(q->target) : 0;
}

/* Returns the vCPUs that must look: the new target of a pending, enabled SPI. */
static uint32_t itargets_write(struct partition *p, uint32_t intid, uint8_t mask)
{
	uint32_t valid = mask & all_vcpus(p);
	return vgic_set_target(p, intid, valid ? (uint8_t)__builtin_ctz(valid) : VGIC_NO_TARGET);
}

/* GICD_[CS]PENDSGIR byte of SGI @intid: one bit per source CPU that has it pending. */
static uint8_t sgi_sources_read(struct vcpu *v, uint32_t intid)
{
	const struct virq *q = &v->vgic.priv[intid];
	return q->pending ? (uint8_t)cpu_mask(q->target) : 0;      /* target: the source */
}

static void sgi_sources_write(struct partition *p, struct vcpu *v, uint32_t intid, uint8_t bits,
			      bool set)
{
	struct virq *q = &v->vgic.priv[intid];
	if (!bits)
		return;
	if (set) {
		q->pending = true;
		q->target = (uint8_t)__builtin_ctz(bits);              /* the source */
		vgic_mark_candidate(p, v, intid);
	} else if (bits & cpu_mask(q->target)) {
		q->pending = false;
	}
}

/* Byte registers (ITARGETSR, [CS]PENDSGIR): @size bytes from @off, byte 0 lowest. */
static uint64_t bytes_read(struct partition *p, struct vcpu *v, uint64_t off, unsigned int size)
{
	uint64_t val = 0;
	for (unsigned int i = 0; i < size; i++) {
		uint64_t o = off + i;
		uint8_t b = 0;
		if (o >= GICD_ITARGETSR && o < ITARGETSR_END)
			b = itargets_read(p, v, (uint32_t)(o - GICD_ITARGETSR));
		else if (o >= GICD_CPENDSGIR && o < SGI_BYTES_END(GICD_CPENDSGIR))
			b = sgi_sources_read(v, (uint32_t)(o - GICD_CPENDSGIR));
		else if (o >= GICD_SPENDSGIR && o < SGI_BYTES_END(GICD_SPENDSGIR))
			b = sgi_sources_read(v, (uint32_t)(o - GICD_SPENDSGIR));
		val |= (uint64_t)b << (BYTE_BITS * i);
	}
	return val;
}

/* Returns the vCPUs (bit n = vCPU n) the write may have made an interrupt deliverable to. */
static uint32_t bytes_write(struct partition *p, struct vcpu *v, uint64_t off, unsigned int size,
			    uint64_t val)
{
	uint32_t who = 0;
	for (unsigned int i = 0; i < size; i++) {
		uint64_t o = off + i;
		uint8_t b = (uint8_t)(val >> (BYTE_BITS * i));
		if (o >= ITARGETSR_PRIVATE_END && o < ITARGETSR_END) {
			who |= itargets_write(p, (uint32_t)(o - GICD_ITARGETSR), b);
		} else if (o >= GICD_CPENDSGIR && o < SGI_BYTES_END(GICD_CPENDSGIR)) {
			sgi_sources_write(p, v, (uint32_t)(o - GICD_CPENDSGIR), b, false);
		} else if (o >= GICD_SPENDSGIR && o < SGI_BYTES_END(GICD_SPENDSGIR)) {
			sgi_sources_write(p, v, (uint32_t)(o - GICD_SPENDSGIR), b, true);
			who |= b ? vgic_vcpu_bit(v->id) : 0;      /* the writer's own SGIs */
		}
	}
	return who;
}

static bool is_byte_reg(uint64_t off)
{
	return (off >= GICD_ITARGETSR && off < ITARGETSR_END) ||
	       (off >= GICD_CPENDSGIR && off < SGI_BYTES_END(GICD_SPENDSGIR));
}

static bool gicd_v2_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	struct vcpu *v = current_vcpu();
	spin_lock(&p->vgic.lock);
	if (off == GICD_CTLR)
		*val = p->vgic.enabled ? GICD_CTLR_ENABLE : 0;
	else if (off == GICD_TYPER)
		*val = field_prep(GICD_TYPER_ITLINES, VGIC_NR_IRQS / 32 - 1) |
		       field_prep(GICD_TYPER_CPUNUMBER, p->cfg->vcpu_count - 1);
	else if (off == GICD_IIDR)
		*val = VGIC_IIDR;
	else if (off == GICD_PIDR2)
		*val = field_prep(GIC_PIDR2_ARCH, GIC_PIDR2_ARCH_V2);
	else if (off >= GICD_IGROUPR && off < GICD_ISENABLER)
		*val = 0;                                    /* every interrupt in Group 0 */
	else if (is_byte_reg(off))
		*val = bytes_read(p, v, off, size);
	else
		vgic_bank_read(p, v, off, val);
	spin_unlock(&p->vgic.lock);
	return true;
}

/* GICD_SGIR (IHI 0048B 4.3.15); NSATT is ignored: there is one security state. */
static void gicd_v2_sgir(struct vcpu *v, uint64_t val)
{
	uint32_t all = all_vcpus(v->part), targets;
	switch (field_get(GICD_SGIR_FILTER, val)) {
	case GICD_SGIR_FILTER_LIST:
		targets = (uint32_t)field_get(GICD_SGIR_TARGETS, val) & all;
		break;
	case GICD_SGIR_FILTER_OTHERS:
		targets = all & ~cpu_mask(v->id);
		break;
	case GICD_SGIR_FILTER_SELF:
		targets = cpu_mask(v->id);
		break;
	default:
		return;                                      /* reserved: no SGI */
	}
	vgic_sgi_send(v, (uint32_t)field_get(GICD_SGIR_INTID, val), targets);
}

static bool gicd_v2_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	struct vcpu *v = current_vcpu();
	if (off == GICD_SGIR) {
		gicd_v2_sgir(v, val);                        /* takes the lock itself */
		return true;
	}
	uint32_t who = 0;
	spin_lock(&p->vgic.lock);
	if (off == GICD_CTLR) {
		bool was = p->vgic.enabled;
		p->vgic.enabled = val & GICD_CTLR_ENABLE;
		if (p->vgic.enabled && !was)         /* forwarding on: anything pending may go */
			who = vgic_all_vcpus(p);
	} else if (is_byte_reg(off)) {
		who = bytes_write(p, v, off, size, val);
	} else if (off >= GICD_ISENABLER) {
		who = vgic_bank_write(p, v, off, size, val);
	}
	/* IGROUPR: WI (Group 0 only); TYPER, IIDR, ID registers: read-only. */
	vgic_mark(p, who);
	spin_unlock(&p->vgic.lock);
	vgic_kick_marked(p, who);
	return true;
}

void vgic_v2_register_mmio(struct partition *p)
{
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.base = p->cfg->map.gicd.base, .size = p->cfg->map.gicd.size,
		.read = gicd_v2_read, .write = gicd_v2_write,
	};
}
