/*
 * ctl_test=scrub: after a PSCI SYSTEM_RESET the partition must start from
 * its boot modules with nothing of its previous run readable in its RAM.
 *
 * Run 1 (the first word of the first shared region is not SCRUB_RUN1):
 * writes a marker pattern in every MiB of RAM the restart does not load
 * again (below the image, and between the image and the DT), changes a
 * .data word, records SCRUB_RUN1 in the shared region, and resets.
 * Run 1 reports no PASS: the verdicts of run 2 are the partition's.
 * Run 2: every marked spot reads zero, the .data word has its initial
 * value again (the image was loaded afresh), and the shared region kept
 * its word (regions are not scrubbed); it clears the word and powers off.
 */
#include "ctl.h"

#define SCRUB_RUN1      0x314e555242524353ull    /* "SCRBRUN1" */
#define SCRUB_SECRET    0x5445524345532121ull    /* "!!SECRET" */
#define SCRUB_DATA_INIT 0x1234567887654321ull
#define SCRUB_STEP      0x100000ull             /* one spot per MiB */
#define SCRUB_SPOT_WORDS 8u                      /* 64 bytes each */

static volatile uint64_t scrub_data_word = SCRUB_DATA_INIT;

/* Calls @fn on every spot: RAM base up to the image, then the image's end up to the DT. */
static unsigned int scrub_spots(const void *dtb, bool (*fn)(volatile uint64_t *spot))
{
	uint64_t ranges[2][2] = {
		{ GUEST_RAM_BASE, guest_image_start() },
		{ align_up(guest_image_end(), SCRUB_STEP), (uint64_t)(uintptr_t)dtb },
	};
	unsigned int n = 0;

	for (unsigned int r = 0; r < 2; r++)
		for (uint64_t a = ranges[r][0]; a + SCRUB_SPOT_WORDS * 8 <= ranges[r][1]; a += SCRUB_STEP)
			n += fn((volatile uint64_t *)(uintptr_t)a);
	return n;
}

static bool scrub_mark(volatile uint64_t *spot)
{
	for (unsigned int i = 0; i < SCRUB_SPOT_WORDS; i++)
		spot[i] = SCRUB_SECRET ^ i;
	return true;
}

static uint64_t scrub_first_dirty;

/* True while the spot is clean; records the first dirty address. */
static bool scrub_dirty(volatile uint64_t *spot)
{
	for (unsigned int i = 0; i < SCRUB_SPOT_WORDS; i++) {
		if (spot[i] != 0) {
			if (scrub_first_dirty == 0)
				scrub_first_dirty = (uint64_t)(uintptr_t)&spot[i];
			return true;
		}
	}
	return false;
}

void ctl_scrub(const void *dtb)
{
	uint64_t base, size;

	if (!ctl_first_region(&base, &size)) {
		report_fail("scrub-region got=none want=region");
		return;
	}
	volatile uint64_t *mark = (volatile uint64_t *)(uintptr_t)base;
	if (*mark != SCRUB_RUN1) {
		unsigned int n = scrub_spots(dtb, scrub_mark);
		scrub_data_word = SCRUB_SECRET;
		*mark = SCRUB_RUN1;
		guest_dsb();
		if (n == 0)
			report_fail("scrub-run1-marked got=0 want=spots");
		gprintf("scrub: %u spots marked, resetting\n", n);
		psci_system_reset();
		report_fail("scrub-reset got=returned want=reset");
		return;
	}
	unsigned int dirty = scrub_spots(dtb, scrub_dirty);
	gprintf("scrub: %u dirty spots\n", dirty);
	report_check_hex("scrub-ram-zero", scrub_first_dirty, 0);
	report_check_hex("scrub-image-reloaded", scrub_data_word, SCRUB_DATA_INIT);
	report_pass("scrub-region-kept");
	*mark = 0;
	guest_dsb();
}
