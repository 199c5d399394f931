/*
 * The doorbell GPIO: an emulated PL061 (ARM DDI 0190B, PrimeCell GPIO,
 * 3.3 register descriptions) with the registers Linux's gpio-pl061 driver
 * programs, so that stock Linux userspace reaches shared-region doorbells
 * through the GPIO character device (docs/shared-memory.md section 11).
 *
 * Region k of the partition has line 2k ("ring", driven as an output: a
 * rising edge of the pin rings the region) and line 2k+1 ("bell", an
 * input held low: another partition's ring pulses it high and low again).
 * Edges of the pins (the ring lines a guest drives) are detected as the
 * PL061 does (GPIOIS/IBE/IEV), latched in GPIORIS whether or not GPIOIE
 * enables them, and cleared by GPIOIC; a level-sensitive line's status is
 * its level.  A bell pulse reaches a line only while its interrupt is
 * enabled (vpl061_bell).  The combined
 * interrupt (GPIOMIS != 0) is a level SPI (struct cfg_guest_map.gpio_intid).
 */
#include "partition.h"
#include "shm_glue.h"
#include "vpl061.h"

/* Register offsets (DDI 0190B, table 3-1). */
#define GPIODATA        0x000u          /* 0x000-0x3FC: address bits [9:2] mask the access */
#define GPIODATA_LAST   0x3FCu
#define GPIODATA_MASK_SHIFT 2u
#define GPIODIR         0x400u
#define GPIOIS          0x404u
#define GPIOIBE         0x408u
#define GPIOIEV         0x40Cu
#define GPIOIE          0x410u
#define GPIORIS         0x414u
#define GPIOMIS         0x418u
#define GPIOIC          0x41Cu
#define GPIOAFSEL       0x420u
#define GPIOPERIPHID0   0xFE0u
#define GPIOPCELLID3    0xFFCu

#define LINE_MASK       0xFFu
#define RING_LINES      0x55u           /* even lines: 2k */
#define BELL_LINES      VPL061_BELL_LINES

/*
 * PrimeCell identification (DDI 0190B 3.3.13-3.3.14): part 0x061, designer
 * ARM (0x41), revision 0; Linux's amba bus matches 0x00041061.
 */
static const uint8_t pl061_id[8] = { 0x61, 0x10, 0x04, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

static uint8_t ring_line(unsigned int k) { return (uint8_t)(1u << (2 * k)); }
static uint8_t bell_line(unsigned int k) { return (uint8_t)(1u << (2 * k + 1)); }

/* What the pins carry: outputs their latch, inputs (bell lines between pulses) low. */
static uint8_t vpl061_pins(const struct vpl061 *g)
{
	return g->data & g->dir;
}

/* GPIORIS: latched edges of edge-sensitive lines, the level of level-sensitive ones. */
static uint8_t vpl061_ris(const struct vpl061 *g)
{
	uint8_t pins = vpl061_pins(g);
	uint8_t level = (uint8_t)((g->iev & pins) | (~g->iev & ~pins));
	return (uint8_t)((g->ris_edge & ~g->is) | (level & g->is));
}

/* Of the edges @rising / @falling, those the lines' sense asks to latch. */
static uint8_t vpl061_edges(const struct vpl061 *g, uint8_t rising, uint8_t falling)
{
	uint8_t ibe = __atomic_load_n(&g->ibe, __ATOMIC_RELAXED);
	uint8_t iev = __atomic_load_n(&g->iev, __ATOMIC_RELAXED);
	uint8_t want = (uint8_t)((ibe & (rising | falling)) | (~ibe & iev & rising) |
				 (~ibe & ~iev & falling));
	return (uint8_t)(want & ~__atomic_load_n(&g->is, __ATOMIC_RELAXED));
}

/* ris_edge changes atomically: a peer's ring latches bits without the lock. */
static void vpl061_latch(struct vpl061 *g, uint8_t rising, uint8_t falling)
{
	uint8_t bits = vpl061_edges(g, rising, falling);
	if (bits)
		__atomic_fetch_or(&g->ris_edge, bits, __ATOMIC_RELAXED);
}

/* The level of the combined interrupt, as the vGIC samples it. */
static bool vpl061_irq_level(struct partition *p)
{
	const struct vpl061 *g = &p->gpio;
	return (vpl061_ris(g) & __atomic_load_n(&g->ie, __ATOMIC_RELAXED)) != 0;
}

static void vpl061_update_irq(struct partition *p)
{
	vgic_spi_level_changed(p, p->cfg->map.gpio_intid);
}

/* Rising edges of the ring lines between two pin states: ring those regions. */
static void vpl061_ring(struct partition *p, uint8_t before, uint8_t after)
{
	uint8_t rising = (uint8_t)(after & ~before & RING_LINES);
	for (unsigned int k = 0; rising && k < p->gpio.region_count; k++)
		if (rising & ring_line(k))
			shm_glue_ring_region(p, p->gpio.region[k]);
}

static bool vpl061_read(struct partition *p, uint64_t off, unsigned int size, uint64_t *val)
{
	struct vpl061 *g = &p->gpio;
	(void)size;
	if (off >= GPIOPERIPHID0 && off <= GPIOPCELLID3) {
		*val = pl061_id[(off - GPIOPERIPHID0) / 4];
		return true;
	}
	spin_lock(&g->lock);
	bool ok = true;
	if (off <= GPIODATA_LAST)
		*val = vpl061_pins(g) & (off >> GPIODATA_MASK_SHIFT) & LINE_MASK;
	else if (off == GPIODIR)
		*val = g->dir;
	else if (off == GPIOIS)
		*val = g->is;
	else if (off == GPIOIBE)
		*val = g->ibe;
	else if (off == GPIOIEV)
		*val = g->iev;
	else if (off == GPIOIE)
		*val = g->ie;
	else if (off == GPIORIS)
		*val = vpl061_ris(g);
	else if (off == GPIOMIS)
		*val = vpl061_ris(g) & g->ie;
	else if (off == GPIOAFSEL)
		*val = g->afsel;
	else
		ok = false;                       /* reserved: reported and an abort injected */
	spin_unlock(&g->lock);
	return ok;
}

/* One register write under the lock; the pins before and after it for the ring check. */
static bool vpl061_write_locked(struct vpl061 *g, uint64_t off, uint8_t v)
{
	if (off <= GPIODATA_LAST) {
		uint8_t mask = (uint8_t)(off >> GPIODATA_MASK_SHIFT);
		g->data = (uint8_t)((g->data & ~mask) | (v & mask));
	} else if (off == GPIODIR) {
		__atomic_store_n(&g->dir, v, __ATOMIC_RELAXED);
	} else if (off == GPIOIS) {
		__atomic_store_n(&g->is, v, __ATOMIC_RELAXED);
	} else if (off == GPIOIBE) {
		__atomic_store_n(&g->ibe, v, __ATOMIC_RELAXED);
	} else if (off == GPIOIEV) {
		__atomic_store_n(&g->iev, v, __ATOMIC_RELAXED);
	} else if (off == GPIOIE) {
		__atomic_store_n(&g->ie, v, __ATOMIC_RELAXED);
	} else if (off == GPIOIC) {
		__atomic_fetch_and(&g->ris_edge, (uint8_t)~v, __ATOMIC_RELAXED);
	} else if (off == GPIOAFSEL) {
		g->afsel = v;
	} else if (off != GPIORIS && off != GPIOMIS) {
		return false;                     /* the status registers ignore writes */
	}
	return true;
}

static bool vpl061_write(struct partition *p, uint64_t off, unsigned int size, uint64_t val)
{
	struct vpl061 *g = &p->gpio;
	(void)size;
	spin_lock(&g->lock);
	uint8_t before = vpl061_pins(g), mis_before = vpl061_ris(g) & g->ie;
	bool ok = vpl061_write_locked(g, off, (uint8_t)(val & LINE_MASK));
	uint8_t after = vpl061_pins(g);
	vpl061_latch(g, (uint8_t)(after & ~before), (uint8_t)(before & ~after));
	bool changed = (vpl061_ris(g) & g->ie) != mis_before;
	spin_unlock(&g->lock);
	if (!ok)
		return false;
	/* Outside the lock: ringing takes the peers' locks (docs/architecture.md section 6). */
	vpl061_ring(p, before, after);
	if (changed)
		vpl061_update_irq(p);
	return true;
}

/*
 * Without the lock, on the ringing CPU (the doorbell's fast path).  A bell
 * line is pulsed only while its interrupt is enabled (GPIOIE): a partition
 * that does not listen on it pays one test, and a program that asks for
 * the line later gets no event from before (it looks at the region first,
 * as tdoorbell does).  The sense registers are read once and the edge is
 * or-ed in atomically: a guest changing the line's configuration at that
 * very moment sees the edge as the old or the new one, as with a pin
 * changing on real hardware.
 */
void vpl061_bell(struct partition *p, unsigned int region)
{
	struct vpl061 *g = &p->gpio;
	uint8_t listening = __atomic_load_n(&g->ie, __ATOMIC_RELAXED) & BELL_LINES;
	if (listening == 0)
		return;
	for (unsigned int k = 0; k < g->region_count; k++) {
		if (g->region[k] != region)
			continue;
		/* A pulse: high and low again, both edges; an output line ignores it. */
		uint8_t line = (uint8_t)(bell_line(k) & listening &
					 ~__atomic_load_n(&g->dir, __ATOMIC_RELAXED));
		uint8_t bits = vpl061_edges(g, line, line);
		if (bits == 0)
			return;
		__atomic_fetch_or(&g->ris_edge, bits, __ATOMIC_RELAXED);
		vpl061_update_irq(p);
		return;
	}
}

void vpl061_reset(struct partition *p)
{
	struct vpl061 *g = &p->gpio;
	spin_lock(&g->lock);
	g->data = g->dir = g->is = g->ibe = g->iev = g->afsel = g->ris_edge = 0;
	__atomic_store_n(&g->ie, 0, __ATOMIC_RELAXED);
	spin_unlock(&g->lock);
}

void vpl061_init(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	struct vpl061 *g = &p->gpio;
	if (m->gpio.size == 0)
		return;
	/* Pair k = the k-th region in /reserved-memory order (dt/guest_fdt.c writes the same). */
	g->region_count = 0;
	for (unsigned int i = 0; i < sys_config->ref_count && g->region_count < VPL061_REGIONS; i++)
		if (sys_config->refs[i].partition == p->index)
			g->region[g->region_count++] = (uint16_t)sys_config->refs[i].region;
	p->vgic.spi_level[m->gpio_intid - VGIC_NR_PRIVATE] = vpl061_irq_level;
	p->mmio[p->mmio_count++] = (struct mmio_window){
		.name = "doorbell GPIO", .base = m->gpio.base, .size = m->gpio.size,
		.read = vpl061_read, .write = vpl061_write,
	};
}
