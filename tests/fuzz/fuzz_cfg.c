/*
 * libFuzzer harness for the configuration parser (dt/cfg*.c): each input
 * is a host DTB, taken through what boot does with it (the walk of
 * boot/host_dt.c, then cfg_parse() with /chosen's offset, on one of the
 * platforms of fuzz_common.c), and every
 * configuration cfg_parse() accepts must hold the invariants of
 * fuzz_common.c.  Seeds: tests/fuzz/corpus/cfg/ (docs/fuzzing.md).
 */
#include "fuzz_common.h"

const unsigned int fuzz_libfuzzer_percent = 20;
const unsigned int fuzz_corrupt_percent = 10;

static struct config cfg;
static struct cfg_errors errs;
static struct cfg_platform plat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const void *fdt = fuzz_blob(data, size);
	struct host_dt h;

	if (fdt != NULL)
		fuzz_boot_parse(fdt, &h, &plat, &cfg, &errs);
	return 0;
}
