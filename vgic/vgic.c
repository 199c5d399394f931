/*
 * Virtual interrupt delivery, the one core behind both virtual GIC
 * versions: software pending state, list registers, hardware-linked
 * interrupts (the virtual timer PPI; passed-through SPIs), SGIs between
 * vCPUs, and the kick SGI that makes another CPU look at its vCPU's pending
 * interrupts.
 *
 * An interrupt is in one of three places: pending here (pending = true),
 * in a list register (active_or_in_lr = true: the hardware tracks pending /
 * active from then on), or idle.  vgic_flush() runs before every return to
 * a guest that has something in flight: it retires the list registers the
 * guest has finished with, then fills free ones with the most urgent pending
 * interrupts.
 *
 * The list registers are the only hardware this file touches, through
 * vgic_lr.h.  The functions that use them are written once and instantiated
 * per version (VGIC_PER_VERSION): the entry points test gic_is_v2 once and
 * run a copy in which every list-register access is a constant choice.
 */
#include "gic.h"
#include "partition.h"
#include "sysreg.h"
#include "vgic.h"
#include "vgic_internal.h"
#include "vgic_lr.h"

/* A function body specialised for one GIC version: @ver is a constant in each copy. */
#define VGIC_PER_VERSION static inline __attribute__((always_inline))

static unsigned int nr_lrs;

static unsigned int vgic_version(void)
{
	return gic_is_v2 ? VGIC_V2 : VGIC_V3;
}

/* Clear every list register and active priority of this CPU (vCPU start). */
void gic_vcpu_reset(void)
{
	unsigned int ver = vgic_version();
	nr_lrs = vlr_count(ver);
	if (nr_lrs > VGIC_MAX_LRS)
		nr_lrs = VGIC_MAX_LRS;
	for (unsigned int i = 0; i < nr_lrs; i++)
		vlr_write(ver, i, 0);
	vlr_reset_cpu_interface(ver);
	vlr_hcr_write(ver, vlr_hcr(ver, false));
	gic_timer_deactivate();
	isb();
}

/* This CPU has no vCPU any more: no maintenance interrupts from stale list registers. */
void vgic_cpu_idle(void)
{
	vlr_hcr_write(vgic_version(), 0);      /* HCR.En = 0 */
	isb();
}

/* At start; under the lock, since another partition may ring a doorbell meanwhile. */
void vgic_init(struct partition *p)
{
	struct vgic *g = &p->vgic;
	bool v3 = p->cfg->map.gic_version == VGIC_V3;
	spin_lock(&g->lock);
	g->enabled = false;
	g->spi_cand = 0;
	g->hw_spis = p->cfg->map.pt_spis;
	/*
	 * An emulated device's line (the vpl011's) is a level; a passed-through
	 * SPI is linked to the physical one of the same INTID, which tracks its
	 * own state.
	 */
	for (unsigned int i = 0; i < VGIC_NR_SPIS; i++) {
		bool hw = (g->hw_spis >> i) & 1;
		g->spi[i] = (struct virq){ .level = g->spi_level[i] != NULL, .hw = hw };
		g->spi_pintid[i] = hw ? (uint16_t)(VGIC_NR_PRIVATE + i) : 0;
	}
	for (unsigned int v = 0; v < p->cfg->vcpu_count; v++) {
		struct vgic_cpu *c = &p->vcpus[v].vgic;
		/* A v3 redistributor starts asleep (GICR_WAKER); v2 has none. */
		*c = (struct vgic_cpu){ .sleeping = v3, .hcr = vlr_hcr(p->cfg->map.gic_version, false) };
		for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++)
			c->priv[i].level = i >= GIC_PPI_BASE;      /* PPIs are level, SGIs edge */
	}
	spin_unlock(&g->lock);
}

void vgic_mark_candidate(struct partition *p, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		v->vgic.priv_cand |= 1u << intid;
	else if (intid < VGIC_NR_IRQS)
		p->vgic.spi_cand |= 1ull << (intid - VGIC_NR_PRIVATE);
}

struct virq *vgic_virq(struct partition *p, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return &v->vgic.priv[intid];
	if (intid < VGIC_NR_IRQS)
		return &p->vgic.spi[intid - VGIC_NR_PRIVATE];
	return NULL;
}

struct vcpu *vgic_spi_target(struct partition *p, const struct virq *q)
{
	unsigned int t = q->target < p->cfg->vcpu_count ? q->target : 0;
	return &p->vcpus[t];
}

/*
 * Kick @v's CPU if it is not this one: it must refill its list registers.
 * Called after the vGIC lock is dropped.  A vCPU not yet ON needs no kick:
 * vcpu_run() flushes under the vGIC lock after it becomes ON, so either
 * that flush sees the new state or this read of its state sees ON.
 */
void vgic_kick(struct vcpu *v)
{
	if (this_pcpu()->vcpu != v && vcpu_state(v) == VCPU_ON)
		pcpu_kick(v->pcpu);
}

/*
 * Pending, with its CPU told.  @source: the sending vCPU of an SGI; @pintid
 * the physical INTID of a hardware-linked one (0: not linked).
 */
static inline __attribute__((always_inline)) void
vgic_make_pending(struct partition *p, struct vcpu *v, uint32_t intid, uint8_t source,
		  uint32_t pintid)
{
	spin_lock(&p->vgic.lock);
	struct virq *q = vgic_virq(p, v, intid);
	if (!q) {
		spin_unlock(&p->vgic.lock);
		return;
	}
	/* Pending again even while in a list register: it re-enters one when that retires. */
	bool was_pending = q->pending;
	q->pending = true;
	if (intid < GIC_NR_SGIS)
		q->target = source;
	if (pintid) {
		q->hw = true;
		if (intid >= VGIC_NR_PRIVATE)
			p->vgic.spi_pintid[intid - VGIC_NR_PRIVATE] = (uint16_t)pintid;
	}
	vgic_mark_candidate(p, v, intid);
	struct vcpu *target = intid >= VGIC_NR_PRIVATE ? vgic_spi_target(p, q) : v;
	target->vgic.maybe_pending = true;
	spin_unlock(&p->vgic.lock);
	if (!was_pending)
		vgic_kick(target);     /* already pending: its CPU was kicked for it */
}

void vgic_inject(struct partition *p, struct vcpu *v, uint32_t intid)
{
	vgic_make_pending(p, v, intid, 0, 0);
}

void vgic_inject_ppi(struct vcpu *v, uint32_t intid)
{
	struct partition *p = v->part;
	struct vgic_cpu *c = &v->vgic;
	struct virq *q = &c->priv[intid & (VGIC_NR_PRIVATE - 1)];
	spin_lock(&p->vgic.lock);
	bool was_pending = q->pending;
	q->pending = true;
	c->priv_cand |= 1u << (intid & (VGIC_NR_PRIVATE - 1));
	c->maybe_pending = true;
	spin_unlock(&p->vgic.lock);
	if (!was_pending)
		vgic_kick(v);
}

void vgic_inject_hw(struct partition *p, struct vcpu *v, uint32_t intid, uint32_t pintid)
{
	vgic_make_pending(p, v, intid, 0, pintid);
}

void vgic_sgi_send(struct vcpu *src, uint32_t intid, uint32_t targets)
{
	struct partition *p = src->part;
	for (unsigned int t = 0; t < p->cfg->vcpu_count; t++)
		if (targets & (1u << t))
			vgic_make_pending(p, &p->vcpus[t], intid, (uint8_t)src->id, 0);
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

VGIC_PER_VERSION bool timer_fast(unsigned int ver, struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	struct virq *q = &c->priv[GIC_PPI_VTIMER];
	/*
	 * Without the lock (docs/architecture.md section 6): the list register
	 * bookkeeping (lr_used, and active_or_in_lr/lr/hw of this vCPU's own
	 * interrupts) is written by this CPU alone; the rest is read as a hint.
	 * Another CPU adding a candidate meanwhile also sets maybe_pending and
	 * kicks, so the next exit takes the general path.  q->pending is left
	 * alone: it is already false here (else priv_cand would hold the timer),
	 * and another vCPU may set it under the lock this very moment.
	 */
	if (c->lr_used || c->priv_cand || v->part->vgic.spi_cand || !q->enabled || c->maybe_pending ||
	    c->sleeping || !v->part->vgic.enabled)
		return false;
	const struct vlr d = { .intid = GIC_PPI_VTIMER, .priority = q->priority, .hw = true,
			       .pintid = GIC_PPI_VTIMER };
	vlr_write(ver, 0, vlr_make(ver, &d));
	q->hw = true;
	q->active_or_in_lr = true;
	q->lr = 0;
	c->lr_used = 1;
	c->injected++;
	return true;
}

bool vgic_timer_fast(struct vcpu *v)
{
	if (gic_is_v2)
		return timer_fast(VGIC_V2, v);
	return timer_fast(VGIC_V3, v);
}

/*
 * The physical SPI stays active until the guest's EOI of this one, so it
 * cannot fire again meanwhile: pending here is never lost or doubled.  A
 * partition that is stopping drops it: its stop clears the physical SPI.
 * The state is a snapshot (docs/architecture.md section 6): one read a
 * moment before a stop begins injects into a vGIC its next start resets.
 */
bool vgic_inject_hw_spi(struct partition *p, uint32_t intid)
{
	if (partition_state(p) != PART_RUNNING)
		return false;
	vgic_inject_hw(p, NULL, intid, intid);
	return true;
}

VGIC_PER_VERSION bool spi_hw_fast(unsigned int ver, struct vcpu *v, uint32_t intid)
{
	struct partition *p = v->part;
	struct vgic_cpu *c = &v->vgic;
	struct virq *q = &p->vgic.spi[intid - VGIC_NR_PRIVATE];
	/*
	 * SPI state is the partition's: the lock, unlike the timer's fast path.
	 * A target beyond the vCPUs (spi_target() reads it as 0) takes the
	 * general path.
	 */
	spin_lock(&p->vgic.lock);
	bool fast = !(c->lr_used | c->priv_cand | c->maybe_pending | c->sleeping | p->vgic.spi_cand) &&
		    q->enabled && !q->active_or_in_lr && q->target == v->id && p->vgic.enabled;
	if (fast) {
		const struct vlr d = { .intid = intid, .priority = q->priority, .hw = true,
				       .pintid = (uint16_t)intid };
		vlr_write(ver, 0, vlr_make(ver, &d));
		q->pending = false;
		q->active_or_in_lr = true;
		q->lr = 0;
		c->lr_used = 1;
	}
	spin_unlock(&p->vgic.lock);
	return fast;
}

bool vgic_spi_hw_fast(struct vcpu *v, uint32_t intid)
{
	uint32_t spi = intid - VGIC_NR_PRIVATE;
	if (spi >= VGIC_NR_SPIS || !((v->part->vgic.hw_spis >> spi) & 1))
		return false;
	if (gic_is_v2)
		return spi_hw_fast(VGIC_V2, v, intid);
	return spi_hw_fast(VGIC_V3, v, intid);
}

/*
 * The kick that brings one software SGI or PPI with nothing else in flight
 * (the doorbell, another vCPU's SGI): its list register is written here,
 * as the timer's is, instead of by the general flush.  Under the lock: the
 * interrupt was made pending by another CPU.  Anything else (a list
 * register in use, a second candidate, an SPI, a linked interrupt, the
 * underflow interrupt on) takes the general path.
 */
VGIC_PER_VERSION bool kick_fast(unsigned int ver, struct vcpu *v)
{
	struct partition *p = v->part;
	struct vgic_cpu *c = &v->vgic;
	spin_lock(&p->vgic.lock);
	uint32_t cand = c->priv_cand;
	struct virq *q = &c->priv[cand ? __builtin_ctz(cand) : 0];
	bool fast = cand && !(cand & (cand - 1)) && !(c->lr_used | c->sleeping) &&
		    !p->vgic.spi_cand && p->vgic.enabled && c->hcr == vlr_hcr(ver, false) &&
		    q->pending && q->enabled && !q->active_or_in_lr && !q->hw;
	if (fast) {
		uint32_t intid = (uint32_t)__builtin_ctz(cand);
		struct vlr d = { .intid = intid, .priority = q->priority };
		if (ver == VGIC_V2 && intid < GIC_NR_SGIS)
			d.source = q->target;
		vlr_write(ver, 0, vlr_make(ver, &d));
		q->pending = false;
		q->active_or_in_lr = true;
		q->lr = 0;
		c->lr_used = 1;
		c->priv_cand = 0;
		c->maybe_pending = false;
		c->injected++;
	}
	spin_unlock(&p->vgic.lock);
	return fast;
}

bool vgic_kick_fast(struct vcpu *v)
{
	if (gic_is_v2)
		return kick_fast(VGIC_V2, v);
	return kick_fast(VGIC_V3, v);
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
	struct vcpu *target = vgic_spi_target(p, q);
	target->vgic.maybe_pending = true;
	spin_unlock(&p->vgic.lock);
	if (level)
		vgic_kick(target);
}

/*
 * Retire list registers the guest is done with (vlr_retired): each is
 * written 0; a linked interrupt's physical INTID is deactivated where the
 * hardware did not do it (vlr_linked_by_eoi); a level SPI whose line is
 * still asserted is pending again (IHI 0069H 4.1.1).
 */
VGIC_PER_VERSION void sync_lrs(unsigned int ver, struct partition *p, struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;
	uint64_t done = vlr_retired(ver) & c->lr_used;
	for (unsigned int n = 0; done; n++, done >>= 1) {
		if (!(done & 1))
			continue;
		uint32_t intid = vlr_intid(ver, vlr_read(ver, n));
		vlr_write(ver, n, 0);
		struct virq *q = vgic_virq(p, v, intid);
		c->lr_used &= (uint16_t)~(1u << n);
		if (!q)
			continue;
		q->active_or_in_lr = false;
		uint32_t spi = intid - VGIC_NR_PRIVATE;
		if (q->hw && vlr_linked_by_eoi(ver))
			gic_deactivate(intid >= VGIC_NR_PRIVATE ? p->vgic.spi_pintid[spi] : intid);
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
		struct virq *q = vgic_virq(p, v, i);
		if (!q->pending) {
			*cand &= ~(1ull << (i - first));
			continue;
		}
		if (i >= VGIC_NR_PRIVATE && vgic_spi_target(p, q) != v)
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

/* The most urgent pending, enabled interrupt for @v, or NULL.  Inline: fill_lrs's loop. */
static inline __attribute__((always_inline)) struct virq *vgic_next(struct partition *p, struct vcpu *v, uint32_t *intid, bool *repend)
{
	/* Nothing is forwarded while the guest's distributor is off or its redistributor sleeps. */
	if (!p->vgic.enabled || v->vgic.sleeping)
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
 * and active, so the guest takes it again after its EOI.  A linked one
 * (the timer) cannot be pending again before its EOI.
 */
VGIC_PER_VERSION void merge_repending(unsigned int ver, struct partition *p, struct vcpu *v)
{
	uint64_t used = v->vgic.lr_used;
	for (unsigned int n = 0; used; n++, used >>= 1) {
		if (!(used & 1))
			continue;
		uint64_t lr = vlr_read(ver, n);
		struct virq *q = vgic_virq(p, v, vlr_intid(ver, lr));
		if (!q || !q->pending || q->hw)
			continue;
		q->pending = false;
		if (!vlr_pending(ver, lr))
			vlr_write(ver, n, vlr_add_pending(ver, lr));
	}
}

VGIC_PER_VERSION void fill_lrs(unsigned int ver, struct partition *p, struct vcpu *v)
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
		/* A level SPI asks for a maintenance interrupt on EOI: re-sample the line then. */
		bool spi = intid >= VGIC_NR_PRIVATE;
		struct vlr d = { .intid = intid, .priority = q->priority, .eoi = q->level && spi };
		if (q->hw) {
			d.hw = true;
			d.pintid = (uint16_t)(spi ? p->vgic.spi_pintid[intid - VGIC_NR_PRIVATE] : intid);
		} else if (ver == VGIC_V2 && intid < GIC_NR_SGIS) {
			d.source = q->target;
		}
		vlr_write(ver, n, vlr_make(ver, &d));
		c->lr_used |= (uint16_t)(1u << n);
		c->injected++;
		q->pending = false;
		q->active_or_in_lr = true;
		q->lr = (uint8_t)n;
	}
	uint64_t hcr = vlr_hcr(ver, more);
	if (hcr != c->hcr) {
		vlr_hcr_write(ver, hcr);
		c->hcr = hcr;
	}
	if (repend)
		merge_repending(ver, p, v);
	c->maybe_pending = more;
}

VGIC_PER_VERSION void flush(unsigned int ver, struct vcpu *v)
{
	struct partition *p = v->part;
	spin_lock(&p->vgic.lock);
	if (v->vgic.lr_used)
		sync_lrs(ver, p, v);
	fill_lrs(ver, p, v);
	spin_unlock(&p->vgic.lock);
}

void vgic_flush(struct vcpu *v)
{
	if (gic_is_v2)
		flush(VGIC_V2, v);
	else
		flush(VGIC_V3, v);
}

void vgic_register_mmio(struct partition *p)
{
	if (p->cfg->map.gic_version == VGIC_V2)
		vgic_v2_register_mmio(p);
	else
		vgic_v3_register_mmio(p);
}
