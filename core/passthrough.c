/*
 * Passed-through devices at run time (include/passthrough.h).  A partition's
 * SPIs are the physical ones, same INTIDs: at start each is cleared (a
 * previous run may have left it pending or active), given its trigger from
 * the host DT, routed to the CPU of vCPU 0 (the vGIC's default target;
 * vgic_mmio.c re-routes it when the guest writes GICD_IROUTER) and enabled.
 * At stop, once no vCPU runs, each is disabled at the distributor and its
 * pending and active state cleared, so a device that keeps asserting its
 * line costs nothing while the partition is down; the MMIO mappings go with
 * the partition's stage-2 table.
 *
 * Locking: spi_owner is written once at boot, before any guest runs, and
 * read-only afterwards.  The physical distributor's registers are per-bit
 * set/clear registers, so different partitions never race on one word.
 */
#include <stdio.h>

#include "console.h"
#include "gic.h"
#include "partition.h"
#include "passthrough.h"

#define SPI_LIST_MAX   96      /* "34, 35, ..." of one partition in a log line */

static struct partition *spi_owner[CFG_GUEST_SPI_COUNT];

void passthrough_init(void)
{
	for (unsigned int i = 0; i < partition_count; i++)
		for (unsigned int s = 0; s < CFG_GUEST_SPI_COUNT; s++)
			if ((partitions[i].cfg->map.pt_spis >> s) & 1)
				spi_owner[s] = &partitions[i];
}

struct partition *passthrough_spi_owner(uint32_t intid)
{
	uint32_t spi = intid - CFG_GUEST_SPI_FIRST;
	return spi < CFG_GUEST_SPI_COUNT ? spi_owner[spi] : NULL;
}

/* "34 (level), 79 (edge)": the partition's SPIs as INTIDs. */
static void spi_list(const struct cfg_guest_map *m, char *out, size_t max)
{
	size_t n = 0;
	out[0] = '\0';
	for (unsigned int s = 0; s < CFG_GUEST_SPI_COUNT && n < max; s++) {
		if (!((m->pt_spis >> s) & 1))
			continue;
		int w = snprintf(out + n, max - n, "%s%u (%s)", n ? ", " : "", CFG_GUEST_SPI_FIRST + s,
				 (m->pt_spi_edge >> s) & 1 ? "edge" : "level");
		n += w > 0 ? (size_t)w : 0;
	}
}

void passthrough_start(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	char spis[SPI_LIST_MAX];

	if (m->pt_spis == 0 && m->pt_range_count == 0)
		return;
	for (unsigned int s = 0; s < CFG_GUEST_SPI_COUNT; s++) {
		if (!((m->pt_spis >> s) & 1))
			continue;
		uint32_t intid = CFG_GUEST_SPI_FIRST + s;
		gic_spi_set_enabled(intid, false);
		gic_spi_clear(intid);
		gic_spi_configure(intid, (m->pt_spi_edge >> s) & 1);
		gic_spi_route(intid, p->vcpus[0].pcpu);
		gic_spi_set_enabled(intid, true);
	}
	unsigned int devices = 0;
	for (unsigned int d = 0; d < sys_config->pt_device_count; d++)
		devices += sys_config->pt_devices[d].partition == p->index;
	spi_list(m, spis, sizeof(spis));
	log_line("%s: devices: %u, %u MMIO range%s, SPI %s to CPU %u", p->cfg->name, devices,
		 m->pt_range_count, m->pt_range_count == 1 ? "" : "s", spis[0] ? spis : "none",
		 p->vcpus[0].pcpu);
}

void passthrough_stop(struct partition *p)
{
	const struct cfg_guest_map *m = &p->cfg->map;
	unsigned int enabled = 0, pending = 0, active = 0, n = 0;

	if (m->pt_spis == 0 && m->pt_range_count == 0)
		return;
	for (unsigned int s = 0; s < CFG_GUEST_SPI_COUNT; s++) {
		if (!((m->pt_spis >> s) & 1))
			continue;
		uint32_t intid = CFG_GUEST_SPI_FIRST + s;
		gic_spi_set_enabled(intid, false);
		gic_spi_clear(intid);
		struct gic_spi_state st = gic_spi_state(intid);
		enabled += st.enabled;
		pending += st.pending;
		active += st.active;
		n++;
	}
	log_line("%s: devices quiesced: %u SPI%s, %u enabled, %u pending, %u active; %u MMIO "
		 "range%s unmapped", p->cfg->name, n, n == 1 ? "" : "s", enabled, pending, active,
		 m->pt_range_count, m->pt_range_count == 1 ? "" : "s");
}

/* One device: its host node, its ranges, and its SPIs as the distributor has them now. */
static void print_device(unsigned int d)
{
	const struct cfg_pt_device *dev = &sys_config->pt_devices[d];
	const struct partition *p = &partitions[dev->partition];
	const struct cfg_partition *c = p->cfg;

	log_line("dev %s -> %s (%s)", dev->host_path, c->name,
		 life_state_name(partition_state(p)));
	for (unsigned int r = 0; r < c->map.pt_range_count; r++) {
		const struct cfg_pt_range *x = &c->map.pt_range[r];
		if (x->device == d)
			log_line("dev   MMIO 0x%llx-0x%llx at IPA 0x%llx", (unsigned long long)x->host,
				 (unsigned long long)(x->host + x->size - 1),
				 (unsigned long long)x->guest);
	}
	for (unsigned int s = 0; s < CFG_GUEST_SPI_COUNT; s++) {
		if (!((dev->spis >> s) & 1))
			continue;
		struct gic_spi_state st = gic_spi_state(CFG_GUEST_SPI_FIRST + s);
		log_line("dev   SPI %u: %s, %s, %s", CFG_GUEST_SPI_FIRST + s,
			 st.enabled ? "enabled" : "disabled", st.pending ? "pending" : "not pending",
			 st.active ? "active" : "not active");
	}
}

void passthrough_print(void)
{
	for (unsigned int d = 0; d < sys_config->pt_device_count; d++)
		print_device(d);
	if (sys_config->pt_device_count == 0)
		log_line("dev: no device is passed through");
}
