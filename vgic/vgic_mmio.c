/*
 * The registers both distributor versions share (the bit-per-INTID banks,
 * priorities, configuration: vgic_bank_read/write), then GICv3's front
 * end: the emulated distributor (64 KiB) and redistributors (128 KiB per
 * vCPU) at the partition's addresses (struct cfg_guest_map), the registers
 * Linux's irq-gic-v3 driver and the bare-metal guests use (IHI 0069H 12.9,
 * 12.10, 12.11), and the trapped ICC_SGI1R_EL1.  Affinity routing is always
 * on; every interrupt is Group 1; no LPIs.  Reserved and unimplemented
 * offsets read as zero and ignore writes.  GICv2's distributor is
 * vgic_mmio_v2.c.
 */
#include "gic.h"
#include "gic_arch.h"
#include "partition.h"
#include "vgic.h"
#include "vgic_internal.h"

#define GICD_TYPER_IDBITS (9u << 19)      /* 10 INTID bits */

/* One-bit-per-INTID register banks: which INTID does bit 0 of @off describe. */
static uint32_t bank_first(uint64_t off, uint64_t base)
{
	return (uint32_t)((off - base) * 8);
}

void vgic_mark(struct partition *p, uint32_t who)
{
	for (unsigned int i = 0; i < p->cfg->vcpu_count; i++)
		if (who & vgic_vcpu_bit(i))
			p->vcpus[i].vgic.maybe_pending = true;
}

void vgic_kick_marked(struct partition *p, uint32_t who)
{
	for (unsigned int i = 0; i < p->cfg->vcpu_count; i++)
		if (who & vgic_vcpu_bit(i))
			vgic_kick(&p->vcpus[i]);
}

uint32_t vgic_all_vcpus(const struct partition *p)
{
	return (uint32_t)((1ull << p->cfg->vcpu_count) - 1);
}

uint32_t vgic_spi_reach(struct partition *p, const struct virq *q)
{
	return q->pending && q->enabled ? vgic_vcpu_bit(vgic_spi_target(p, q)->id) : 0;
}

/* Which vCPUs the interrupts of bank @first (bits @changed) can now reach: pending and enabled. */
static uint32_t bank_reach(struct partition *p, struct vcpu *v, uint32_t first, uint32_t changed)
{
	uint32_t who = 0;
	for (uint32_t i = 0; changed && i < 32; i++, changed >>= 1) {
		if (!(changed & 1) || first + i >= VGIC_NR_IRQS)
			continue;
		uint32_t intid = first + i;
		struct virq *q = vgic_virq(p, v, intid);
		if (intid < VGIC_NR_PRIVATE)
			who |= q->pending && q->enabled ? vgic_vcpu_bit(v->id) : 0;
		else
			who |= vgic_spi_reach(p, q);
	}
	return who;
}

/* Read or change one bit-per-INTID bank of 32 interrupts starting at @first. */
static uint32_t virq_bits_read(struct partition *p, struct vcpu *v, uint32_t first, int what)
{
	uint32_t val = 0;
	for (uint32_t i = 0; i < 32; i++) {
		struct virq *q = first + i < VGIC_NR_PRIVATE ? &v->vgic.priv[first + i] :
				 first + i < VGIC_NR_IRQS ? &p->vgic.spi[first + i - VGIC_NR_PRIVATE] : NULL;
		if (!q)
			break;
		bool bit = what == 0 ? q->enabled : what == 1 ? q->pending || q->active_or_in_lr :
			   q->active_or_in_lr;
		val |= (uint32_t)bit << i;
	}
	return val;
}

enum bank_op { BANK_SET_ENABLE, BANK_CLEAR_ENABLE, BANK_SET_PENDING, BANK_CLEAR_PENDING };

/* Returns the bits whose interrupt became enabled or pending (set ops only). */
static uint32_t virq_bits_write(struct partition *p, struct vcpu *v, uint32_t first, uint32_t val,
				enum bank_op op)
{
	uint32_t changed = 0;
	for (uint32_t i = 0; i < 32; i++) {
		if (!(val & (1u << i)))
			continue;
		uint32_t intid = first + i;
		struct virq *q = intid < VGIC_NR_PRIVATE ? &v->vgic.priv[intid] :
				 intid < VGIC_NR_IRQS ? &p->vgic.spi[intid - VGIC_NR_PRIVATE] : NULL;
		if (!q)
			break;
		switch (op) {
		case BANK_SET_ENABLE:
			changed |= (uint32_t)!q->enabled << i;
			q->enabled = true;
			break;
		case BANK_CLEAR_ENABLE: q->enabled = false; break;
		case BANK_SET_PENDING:
			if (q->hw && intid >= VGIC_NR_PRIVATE) {
				gic_spi_set_pending(intid);  /* comes back as the physical SPI */
				break;
			}
			changed |= (uint32_t)!q->pending << i;
			q->pending = true;
			vgic_mark_candidate(p, v, intid);
			break;
		case BANK_CLEAR_PENDING:
			/* Dropped while its physical twin is active: let that fire again. */
			if (q->hw && q->pending && intid >= VGIC_NR_PRIVATE)
				gic_spi_deactivate(intid);
			q->pending = false;
			break;
		}
	}
	return changed;
}

void vgic_bank_read(struct partition *p, struct vcpu *v, uint64_t off, uint64_t *val)
{
	if (off >= GICD_IGROUPR && off < GICD_ISENABLER) {
		*val = 0xFFFFFFFFu;                          /* Group 1 only */
	} else if (off >= GICD_ISENABLER && off < GICD_ISPENDR) {
		uint64_t base = off < GICD_ICENABLER ? GICD_ISENABLER : GICD_ICENABLER;
		*val = virq_bits_read(p, v, bank_first(off, base), 0);
	} else if (off >= GICD_ISPENDR && off < GICD_ISACTIVER) {
		uint64_t base = off < GICD_ICPENDR ? GICD_ISPENDR : GICD_ICPENDR;
		*val = virq_bits_read(p, v, bank_first(off, base), 1);
	} else if (off >= GICD_ISACTIVER && off < GICD_IPRIORITYR) {
		uint64_t base = off < GICD_ICACTIVER ? GICD_ISACTIVER : GICD_ICACTIVER;
		*val = virq_bits_read(p, v, bank_first(off, base), 2);
	} else if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + VGIC_NR_IRQS) {
		uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR), r = 0;
		for (uint32_t i = 0; i < 4 && intid + i < VGIC_NR_IRQS; i++) {
			struct virq *q = intid + i < VGIC_NR_PRIVATE ? &v->vgic.priv[intid + i] :
					 &p->vgic.spi[intid + i - VGIC_NR_PRIVATE];
			r |= (uint32_t)q->priority << (8 * i);
		}
		*val = r;
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR + VGIC_NR_IRQS / 4) {
		uint32_t first = (uint32_t)(off - GICD_ICFGR) * 4, r = 0;
		for (uint32_t i = 0; i < 16 && first + i < VGIC_NR_IRQS; i++) {
			struct virq *q = first + i < VGIC_NR_PRIVATE ? &v->vgic.priv[first + i] :
					 &p->vgic.spi[first + i - VGIC_NR_PRIVATE];
			if (!q->level)
				r |= GICD_ICFGR_EDGE << (2 * i);
		}
		*val = r;
	} else {
		*val = 0;
	}
}

uint32_t vgic_bank_write(struct partition *p, struct vcpu *v, uint64_t off, unsigned int size,
			 uint64_t val)
{
	uint32_t w = (uint32_t)val, bank;
	if (off >= GICD_ISENABLER && off < GICD_ICENABLER) {
		bank = bank_first(off, GICD_ISENABLER);
		return bank_reach(p, v, bank, virq_bits_write(p, v, bank, w, BANK_SET_ENABLE));
	} else if (off >= GICD_ICENABLER && off < GICD_ISPENDR) {
		virq_bits_write(p, v, bank_first(off, GICD_ICENABLER), w, BANK_CLEAR_ENABLE);
	} else if (off >= GICD_ISPENDR && off < GICD_ICPENDR) {
		bank = bank_first(off, GICD_ISPENDR);
		return bank_reach(p, v, bank, virq_bits_write(p, v, bank, w, BANK_SET_PENDING));
	} else if (off >= GICD_ICPENDR && off < GICD_ISACTIVER)
		virq_bits_write(p, v, bank_first(off, GICD_ICPENDR), w, BANK_CLEAR_PENDING);
	else if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + VGIC_NR_IRQS) {
		uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR);
		for (uint32_t i = 0; i < size && intid + i < VGIC_NR_IRQS; i++) {
			struct virq *q = intid + i < VGIC_NR_PRIVATE ? &v->vgic.priv[intid + i] :
					 &p->vgic.spi[intid + i - VGIC_NR_PRIVATE];
			q->priority = (uint8_t)(val >> (8 * i));
		}
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR + VGIC_NR_IRQS / 4) {
		uint32_t first = (uint32_t)(off - GICD_ICFGR) * 4;
		for (uint32_t i = 0; i < 16 && first + i < VGIC_NR_IRQS; i++) {
			if (first + i < 16)
				continue;                            /* SGIs are always edge */
			struct virq *q = first + i < VGIC_NR_PRIVATE ? &v->vgic.priv[first + i] :
					 &p->vgic.spi[first + i - VGIC_NR_PRIVATE];
			q->level = !((w >> (2 * i)) & GICD_ICFGR_EDGE);
		}
	}
	/* IGROUPR, IGRPMODR, NSACR, ICACTIVER, ISACTIVER: RAO/WI or WI. */
	return 0;
}

uint32_t vgic_set_target(struct partition *p, uint32_t intid, uint8_t vcpu)
{
	struct virq *q = &p->vgic.spi[intid - VGIC_NR_PRIVATE];
	q->target = vcpu;
	if (q->hw)
		gic_spi_route(intid, p->vcpus[vcpu < p->cfg->vcpu_count ? vcpu : 0].pcpu);
	return vgic_spi_reach(p, q);
}

static bool gicd_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	struct vcpu *v = current_vcpu();
	(void)size;
	spin_lock(&p->vgic.lock);
	if (off == GICD_CTLR)
		*val = (p->vgic.enabled ? GICD_CTLR_ENABLE_G1A : 0) | GICD_CTLR_ARE;
	else if (off == GICD_TYPER)
		*val = GICD_TYPER_IDBITS | (VGIC_NR_IRQS / 32 - 1);
	else if (off == GICD_IIDR)
		*val = VGIC_IIDR;
	else if (off == GICD_PIDR2)
		*val = field_prep(GIC_PIDR2_ARCH, GIC_PIDR2_ARCH_V3);
	else if (off >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE && off < GICD_IROUTER + 8 * VGIC_NR_IRQS)
		*val = p->vgic.spi[(off - GICD_IROUTER) / 8 - VGIC_NR_PRIVATE].target;
	else if (off < GICD_IGROUPR + 4 || (off >= GICD_ISENABLER && off < GICD_IPRIORITYR &&
		 (off & 0x7F) < 4) || (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) ||
		 (off >= GICD_ICFGR && off < GICD_ICFGR + 8))
		*val = 0;                                    /* private bank: RAZ with ARE */
	else
		vgic_bank_read(p, v, off, val);
	spin_unlock(&p->vgic.lock);
	return true;
}

static bool gicd_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	struct vcpu *v = current_vcpu();
	uint32_t who = 0;
	spin_lock(&p->vgic.lock);
	if (off == GICD_CTLR) {
		bool was = p->vgic.enabled;
		p->vgic.enabled = val & GICD_CTLR_ENABLE_G1A;
		if (p->vgic.enabled && !was)         /* Group 1 on: anything pending may go */
			who = vgic_all_vcpus(p);
	} else if (off >= GICD_IROUTER + 8 * VGIC_NR_PRIVATE && off < GICD_IROUTER + 8 * VGIC_NR_IRQS) {
		who = vgic_set_target(p, (uint32_t)((off - GICD_IROUTER) / 8), (uint8_t)val);
	} else if ((off >= GICD_ISENABLER && off < GICD_IPRIORITYR && (off & 0x7F) < 4) ||
		   (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 32) ||
		   (off >= GICD_ICFGR && off < GICD_ICFGR + 8)) {
		;                                            /* private bank: WI with ARE */
	} else {
		who = vgic_bank_write(p, v, off, size, val);
	}
	vgic_mark(p, who);
	spin_unlock(&p->vgic.lock);
	vgic_kick_marked(p, who);
	return true;
}

/* Which vCPU's redistributor frame @off falls in. */
static struct vcpu *gicr_vcpu(struct partition *p, uint64_t *off)
{
	uint64_t n = *off / GICR_FRAME_STRIDE;
	*off %= GICR_FRAME_STRIDE;
	return n < p->cfg->vcpu_count ? &p->vcpus[n] : NULL;
}

static bool gicr_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	struct vcpu *v = gicr_vcpu(p, &off);
	if (!v)
		return false;
	spin_lock(&p->vgic.lock);
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		uint64_t typer = ((uint64_t)v->id << 32) | ((uint64_t)v->id << 8) |
				 (v->id + 1 == p->cfg->vcpu_count ? GICR_TYPER_LAST : 0);
		*val = off == GICR_TYPER ? (size == 8 ? typer : (uint32_t)typer) : typer >> 32;
	} else if (off == GICR_WAKER) {
		*val = v->vgic.sleeping ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
	} else if (off == GICR_IIDR) {
		*val = VGIC_IIDR;
	} else if (off == GICR_PIDR2) {
		*val = field_prep(GIC_PIDR2_ARCH, GIC_PIDR2_ARCH_V3);
	} else if (off >= GICR_SGI_BASE) {
		uint64_t o = off - GICR_SGI_BASE;
		if ((o >= GICD_ISENABLER && o < GICD_IPRIORITYR && (o & 0x7F) >= 4) ||
		    (o >= GICD_IPRIORITYR + 32 && o < GICD_ICFGR) || o >= GICD_ICFGR + 8)
			*val = 0;
		else
			vgic_bank_read(p, v, o, val);
	} else {
		*val = 0;                                    /* GICR_CTLR and the rest */
	}
	spin_unlock(&p->vgic.lock);
	return true;
}

static bool gicr_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	struct vcpu *v = gicr_vcpu(p, &off);
	if (!v)
		return false;
	uint32_t who = 0;
	spin_lock(&p->vgic.lock);
	if (off == GICR_WAKER) {
		bool was = v->vgic.sleeping;
		v->vgic.sleeping = val & GICR_WAKER_SLEEP;
		if (was && !v->vgic.sleeping)        /* awake: its pending interrupts may go */
			who = vgic_vcpu_bit(v->id);
	} else if (off >= GICR_SGI_BASE) {
		uint64_t o = off - GICR_SGI_BASE;
		if (!((o >= GICD_ISENABLER && o < GICD_IPRIORITYR && (o & 0x7F) >= 4) ||
		      (o >= GICD_IPRIORITYR + 32 && o < GICD_ICFGR) || o >= GICD_ICFGR + 8))
			who = vgic_bank_write(p, v, o, size, val);
	}
	vgic_mark(p, who);
	spin_unlock(&p->vgic.lock);
	vgic_kick_marked(p, who);
	return true;
}

void vgic_v3_register_mmio(struct partition *p)
{
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.name = "GIC distributor", .base = p->cfg->map.gicd.base, .size = p->cfg->map.gicd.size,
		.read = gicd_read, .write = gicd_write,
	};
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.name = "GIC redistributors", .base = p->cfg->map.gicr.base,
		.size = p->cfg->map.gicr.size,
		.read = gicr_read, .write = gicr_write,
	};
}

/*
 * ICC_SGI1R_EL1 (IHI 0069H 12.2.23): IRM = 1 is every other vCPU;
 * otherwise the target list names vCPUs by affinity, Aff0 = index and
 * Aff1-Aff3 = 0, RS = index / 16.
 */
void vgic_send_sgi(struct vcpu *v, uint64_t r)
{
	struct partition *p = v->part;
	uint32_t targets = 0;
	for (unsigned int t = 0; t < p->cfg->vcpu_count; t++) {
		bool hit;
		if (r & ICC_SGI1R_IRM)
			hit = t != v->id;
		else
			hit = !field_get(ICC_SGI1R_AFF1, r) && !field_get(ICC_SGI1R_AFF2, r) &&
			      !field_get(ICC_SGI1R_AFF3, r) && t / 16 == field_get(ICC_SGI1R_RS, r) &&
			      (field_get(ICC_SGI1R_TARGETS, r) & (1u << (t % 16)));
		targets |= (uint32_t)hit << t;
	}
	vgic_sgi_send(v, (uint32_t)field_get(ICC_SGI1R_INTID, r), targets);
}
