/*
 * Virtual interrupt delivery: software pending state, list registers, and
 * the two hardware links (the virtual timer PPI, and the kick SGI that makes
 * another CPU look at its vCPU's pending interrupts).
 *
 * An interrupt is in one of three places: pending here (pending = true),
 * in a list register (active_or_in_lr = true: the hardware tracks pending /
 * active from then on), or idle.  vgic_flush() runs before every return to
 * a guest that has something in flight: it retires the list registers the
 * guest has finished with, then fills free ones with the most urgent pending
 * interrupts.
 */
#include "gic.h"
#include "partition.h"
#include "sysreg.h"
#include "vgic.h"

#define NO_TARGET          0xFFu

static unsigned int nr_lrs;

static uint64_t lr_read(unsigned int n)
{
	switch (n) {
	case 0: return sysreg_read(ich_lr0_el2);
	case 1: return sysreg_read(ich_lr1_el2);
	case 2: return sysreg_read(ich_lr2_el2);
	case 3: return sysreg_read(ich_lr3_el2);
	case 4: return sysreg_read(ich_lr4_el2);
	case 5: return sysreg_read(ich_lr5_el2);
	case 6: return sysreg_read(ich_lr6_el2);
	case 7: return sysreg_read(ich_lr7_el2);
	case 8: return sysreg_read(ich_lr8_el2);
	case 9: return sysreg_read(ich_lr9_el2);
	case 10: return sysreg_read(ich_lr10_el2);
	case 11: return sysreg_read(ich_lr11_el2);
	case 12: return sysreg_read(ich_lr12_el2);
	case 13: return sysreg_read(ich_lr13_el2);
	case 14: return sysreg_read(ich_lr14_el2);
	default: return sysreg_read(ich_lr15_el2);
	}
}

static void lr_write(unsigned int n, uint64_t v)
{
	switch (n) {
	case 0: sysreg_write(ich_lr0_el2, v); break;
	case 1: sysreg_write(ich_lr1_el2, v); break;
	case 2: sysreg_write(ich_lr2_el2, v); break;
	case 3: sysreg_write(ich_lr3_el2, v); break;
	case 4: sysreg_write(ich_lr4_el2, v); break;
	case 5: sysreg_write(ich_lr5_el2, v); break;
	case 6: sysreg_write(ich_lr6_el2, v); break;
	case 7: sysreg_write(ich_lr7_el2, v); break;
	case 8: sysreg_write(ich_lr8_el2, v); break;
	case 9: sysreg_write(ich_lr9_el2, v); break;
	case 10: sysreg_write(ich_lr10_el2, v); break;
	case 11: sysreg_write(ich_lr11_el2, v); break;
	case 12: sysreg_write(ich_lr12_el2, v); break;
	case 13: sysreg_write(ich_lr13_el2, v); break;
	case 14: sysreg_write(ich_lr14_el2, v); break;
	default: sysreg_write(ich_lr15_el2, v); break;
	}
}

/* Clear every list register and active priority of this CPU (vCPU start). */
void gic_vcpu_reset(void)
{
	nr_lrs = (unsigned int)field_get(ICH_VTR_LISTREGS, sysreg_read(ich_vtr_el2)) + 1;
	if (nr_lrs > VGIC_MAX_LRS)
		nr_lrs = VGIC_MAX_LRS;
	for (unsigned int i = 0; i < nr_lrs; i++)
		lr_write(i, 0);
	sysreg_write(ich_ap0r0_el2, 0);
	sysreg_write(ich_ap1r0_el2, 0);
	sysreg_write(ich_vmcr_el2, 0);
	sysreg_write(ich_hcr_el2, ICH_HCR_EN);
	gic_timer_deactivate();
	isb();
}

/* This CPU has no vCPU any more: no maintenance interrupts from stale list registers. */
void vgic_cpu_idle(void)
{
	sysreg_write(ich_hcr_el2, 0);           /* ICH_HCR_EL2.En = 0 */
	isb();
}

void vgic_init(struct partition *p)
{
	struct vgic *g = &p->vgic;
	g->ctlr = 0;
	g->spi_cand = 0;
	/* A device line (the vpl011's) is a level; the doorbell is an edge. */
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++)
		g->spi[i] = (struct virq){ .level = g->spi_level[i] != NULL };
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++) {
		struct vgic_cpu *c = &p->vcpus[v].vgic;
		*c = (struct vgic_cpu){ .sleeping = true, .ich_hcr = ICH_HCR_EN };
		for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++)
			c->priv[i].level = i >= 16;      /* PPIs are level, SGIs edge */
	}
}

void vgic_mark_candidate(struct partition *p, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		v->vgic.priv_cand |= 1u << intid;
	else if (intid < VGIC_NR_IRQS)
		p->vgic.spi_cand |= 1ull << (intid - VGIC_NR_PRIVATE);
}

static struct virq *virq_of(struct partition *p, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return &v->vgic.priv[intid];
	if (intid < VGIC_NR_IRQS)
		return &p->vgic.spi[intid - VGIC_NR_PRIVATE];
	return NULL;
}

static struct vcpu *spi_target(struct partition *p, const struct virq *q)
{
	unsigned int t = q->target < p->cfg->vcpu_count ? q->target : 0;
	return &p->vcpus[t];
}

/* Kick @v's CPU if it is not this one: it must refill its list registers. */
static void vgic_kick(struct vcpu *v)
{
	if (this_pcpu()->vcpu != v && v->state == VCPU_ON)
		pcpu_kick(v->pcpu);
}

void vgic_inject(struct partition *p, struct vcpu *v, uint32_t intid)
{
	spin_lock(&p->vgic.lock);
	struct virq *q = virq_of(p, v, intid);
	if (!q) {
		spin_unlock(&p->vgic.lock);
		return;
	}
	/* Pending again even while in a list register: it re-enters one when that retires. */
	bool was_pending = q->pending;
	q->pending = true;
	vgic_mark_candidate(p, v, intid);
	struct vcpu *target = intid >= VGIC_NR_PRIVATE ? spi_target(p, q) : v;
	target->vgic.maybe_pending = true;
	spin_unlock(&p->vgic.lock);
	if (!was_pending)
		vgic_kick(target);     /* already pending: its CPU was kicked for it */
}

void vgic_inject_timer(struct vcpu *v)
{
	struct partition *p = v->part;
	spin_lock(&p->vgic.lock);
	struct virq *q = &v->vgic.priv[GIC_PPI_VTIMER];
	q->hw = true;
	/*
	 * Always pending: its previous list register may have retired without
	 * an exit since.  The physical PPI stays active until the guest's EOI
	 * deactivates it through the HW link, so it cannot fire twice meanwhile.
	 */
	q->pending = true;
	v->vgic.priv_cand |= 1u << GIC_PPI_VTIMER;
	v->vgic.maybe_pending = true;
	spin_unlock(&p->vgic.lock);
}

bool vgic_timer_fast(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	struct virq *q = &c->priv[GIC_PPI_VTIMER];
	/*
	 * Without the lock: only this CPU fills or retires its list registers;
	 * another CPU adding a candidate meanwhile also sets maybe_pending and
	 * kicks, so the next exit takes the general path.
	 */
	if (c->lr_used || c->priv_cand || v->part->vgic.spi_cand || !q->enabled || c->maybe_pending ||
	    c->sleeping || !(v->part->vgic.ctlr & GICD_CTLR_ENABLE_G1A))
		return false;
	lr_write(0, field_prep(ICH_LR_VINTID, GIC_PPI_VTIMER) | field_prep(ICH_LR_PRIORITY, q->priority) |
		    ICH_LR_GROUP1 | field_prep(ICH_LR_STATE, ICH_LR_STATE_PENDING) | ICH_LR_HW |
		    field_prep(ICH_LR_PINTID, GIC_PPI_VTIMER));
	q->hw = true;
	q->pending = false;
	q->active_or_in_lr = true;
	q->lr = 0;
	c->lr_used = 1;
	return true;
}

void vgic_spi_level_changed(struct partition *p, uint32_t intid)
{
	struct virq *q = &p->vgic.spi[intid - VGIC_NR_PRIVATE];
	spin_lock(&p->vgic.lock);
	bool level = p->vgic.spi_level[intid - VGIC_NR_PRIVATE](p);
	if (!q->active_or_in_lr)
		q->pending = level;
	if (level)
		vgic_mark_candidate(p, NULL, intid);
	struct vcpu *target = spi_target(p, q);
	target->vgic.maybe_pending = true;
	spin_unlock(&p->vgic.lock);
	if (level)
		vgic_kick(target);
}

/*
 * Retire list registers the guest is done with: empty ones (ICH_ELRSR_EL2),
 * and those that asked for a maintenance interrupt on their EOI, which stay
 * non-empty until cleared (ICH_EISR_EL2; IHI 0069H 12.5.9).
 */
static void vgic_sync_lrs(struct partition *p, struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	uint64_t done = (sysreg_read(ich_elrsr_el2) | sysreg_read(ich_eisr_el2)) & c->lr_used;
	for (unsigned int n = 0; done; n++, done >>= 1) {
		if (!(done & 1))
			continue;
		uint32_t intid = (uint32_t)field_get(ICH_LR_VINTID, lr_read(n));
		lr_write(n, 0);
		struct virq *q = virq_of(p, v, intid);
		c->lr_used &= (uint16_t)~(1u << n);
		if (!q)
			continue;
		q->active_or_in_lr = false;
		uint32_t spi = intid - VGIC_NR_PRIVATE;
		/* A level SPI still asserted is pending again (IHI 0069H 4.1.1). */
		if (intid >= VGIC_NR_PRIVATE && q->level && p->vgic.spi_level[spi])
			q->pending = p->vgic.spi_level[spi](p);
		if (q->pending)
			vgic_mark_candidate(p, v, intid);
	}
}

/*
 * Best of the candidates in @cand (bit i = INTID @first + i); drops stale
 * bits.  Sets *repend when a pending interrupt still sits in a list register.
 */
static struct virq *vgic_best(struct partition *p, struct vcpu *v, uint64_t *cand,
			      uint32_t first, struct virq *best, uint32_t *intid, bool *repend)
{
	for (uint64_t bits = *cand; bits; bits &= bits - 1) {
		uint32_t i = first + (uint32_t)__builtin_ctzll(bits);
		struct virq *q = virq_of(p, v, i);
		if (!q->pending) {
			*cand &= ~(1ull << (i - first));
			continue;
		}
		if (i >= VGIC_NR_PRIVATE && spi_target(p, q) != v)
			continue;
		*repend |= q->active_or_in_lr;
		if (!q->enabled || q->active_or_in_lr)
			continue;
		if (!best || q->priority < best->priority) {
			best = q;
			*intid = i;
		}
	}
	return best;
}

/* The most urgent pending, enabled interrupt for @v, or NULL. */
static struct virq *vgic_next(struct partition *p, struct vcpu *v, uint32_t *intid, bool *repend)
{
	/* Nothing is forwarded while the guest's distributor group 1 is off or its redistributor sleeps. */
	if (!(p->vgic.ctlr & GICD_CTLR_ENABLE_G1A) || v->vgic.sleeping)
		return NULL;
	uint64_t priv = v->vgic.priv_cand;
	struct virq *best = priv ? vgic_best(p, v, &priv, 0, NULL, intid, repend) : NULL;
	v->vgic.priv_cand = (uint32_t)priv;
	if (!p->vgic.spi_cand)
		return best;
	return vgic_best(p, v, &p->vgic.spi_cand, VGIC_NR_PRIVATE, best, intid, repend);
}

/*
 * An interrupt made pending again while a list register still holds it.
 * Still pending there: the two are one (an SGI has one pending bit per
 * target, IHI 0069H 2.2.1).  Active there: mark the list register pending
 * and active, so the guest takes it again after its EOI.  A hardware-linked
 * one (the timer) cannot be pending again before its EOI.
 */
static void vgic_merge_repending(struct partition *p, struct vcpu *v)
{
	uint64_t used = v->vgic.lr_used;
	for (unsigned int n = 0; used; n++, used >>= 1) {
		if (!(used & 1))
			continue;
		uint64_t lr = lr_read(n);
		struct virq *q = virq_of(p, v, (uint32_t)field_get(ICH_LR_VINTID, lr));
		if (!q || !q->pending || (lr & ICH_LR_HW))
			continue;
		q->pending = false;
		if (!(field_get(ICH_LR_STATE, lr) & ICH_LR_STATE_PENDING))
			lr_write(n, lr | field_prep(ICH_LR_STATE, ICH_LR_STATE_PENDING));
	}
}

static void vgic_fill_lrs(struct partition *p, struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	bool more = false, repend = false;
	uint32_t intid;
	struct virq *q;
	while ((q = vgic_next(p, v, &intid, &repend)) != NULL) {
		unsigned int n = (unsigned int)__builtin_ctz(~(uint32_t)c->lr_used);
		if (n >= nr_lrs) {
			more = true;
			break;
		}
		uint64_t lr = field_prep(ICH_LR_VINTID, intid) | field_prep(ICH_LR_PRIORITY, q->priority) |
			      ICH_LR_GROUP1 | field_prep(ICH_LR_STATE, ICH_LR_STATE_PENDING);
		if (q->hw)
			lr |= ICH_LR_HW | field_prep(ICH_LR_PINTID, intid);
		else if (q->level && intid >= VGIC_NR_PRIVATE)
			lr |= ICH_LR_EOI;             /* re-sample the line when the guest is done */
		lr_write(n, lr);
		c->lr_used |= (uint16_t)(1u << n);
		q->pending = false;
		q->active_or_in_lr = true;
		q->lr = (uint8_t)n;
	}
	uint64_t hcr = ICH_HCR_EN | (more ? ICH_HCR_UIE : 0);
	if (hcr != c->ich_hcr) {
		sysreg_write(ich_hcr_el2, hcr);
		c->ich_hcr = hcr;
	}
	if (repend)
		vgic_merge_repending(p, v);
	c->maybe_pending = more;
}

void vgic_flush(struct vcpu *v)
{
	struct partition *p = v->part;
	spin_lock(&p->vgic.lock);
	if (v->vgic.lr_used)
		vgic_sync_lrs(p, v);
	vgic_fill_lrs(p, v);
	spin_unlock(&p->vgic.lock);
}

/* ICC_SGI1R_EL1 (IHI 0069H 12.2.23): vCPU affinity is Aff0 = index, Aff1-3 = 0. */
void vgic_send_sgi(struct vcpu *v, uint64_t r)
{
	struct partition *p = v->part;
	uint32_t intid = (uint32_t)field_get(ICC_SGI1R_INTID, r);
	for (unsigned int t = 0; t < p->cfg->vcpu_count; t++) {
		bool hit;
		if (r & ICC_SGI1R_IRM)
			hit = t != v->id;
		else
			hit = !field_get(ICC_SGI1R_AFF1, r) && !field_get(ICC_SGI1R_AFF2, r) &&
			      !field_get(ICC_SGI1R_AFF3, r) && t / 16 == field_get(ICC_SGI1R_RS, r) &&
			      (field_get(ICC_SGI1R_TARGETS, r) & (1u << (t % 16)));
		if (hit)
			vgic_inject(p, &p->vcpus[t], intid);
	}
}
