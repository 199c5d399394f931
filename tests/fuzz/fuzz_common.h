#pragma once
/*
 * What the libFuzzer harnesses (tests/fuzz/fuzz_*.c, docs/fuzzing.md)
 * share: the input as boot sees it, boot's parse pipeline, the invariants
 * an accepted configuration must hold, and the structure-aware mutator.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "host_dt.h"

/* Inputs larger than this are not DTBs boot could be given here (-max_len). */
#define FUZZ_BLOB_MAX  0x10000u

/* libFuzzer's entry points (the harness defines the first). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
				 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed);

/*
 * Each harness tunes the structure-aware mutator (dtb_mutate.c) for what it
 * tests: how often, in percent, libFuzzer's own byte-level mutations run
 * instead, and how often an edit ends by corrupting the tree's bytes.
 */
extern const unsigned int fuzz_libfuzzer_percent;
extern const unsigned int fuzz_corrupt_percent;

/*
 * What became of the inputs: counted, and printed on one line when the run
 * ends ("fuzz: N inputs: ..."), so that a campaign shows how many reached
 * the code past each gate.
 */
enum fuzz_outcome {
	FUZZ_NOT_DTB,           /* fuzz_blob() refused it */
	FUZZ_MALFORMED,         /* the walk refused it */
	FUZZ_REJECTED,          /* cfg_parse() reported errors */
	FUZZ_ACCEPTED,          /* a configuration (fuzz_host_dt: a sound tree) */
	FUZZ_PASSTHROUGH,       /* of those, configurations that pass devices through */
	FUZZ_TREES,             /* guest DTs built and checked */
	FUZZ_OUTCOMES
};
void fuzz_count(enum fuzz_outcome o);

/* An invariant broke: say which and abort, which libFuzzer reports as a crash. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define FUZZ_ASSERT(cond, ...) do { if (!(cond)) fuzz_fail(__VA_ARGS__); } while (0)

/* A DTB's start is 8-byte aligned (the arm64 boot protocol; libfdt checks it). */
#define FDT_ALIGNMENT  8u

/*
 * The end of @size fresh bytes (page-rounded) that an unmapped page
 * follows.  fuzz_guarded_place() then puts @size bytes, 8-aligned, as
 * close to @end as that allows, and has ASan poison the rest of
 * @capacity: a read past them faults, or in the uninstrumented libfdt
 * goes unnoticed only within the up to 7 bytes of alignment padding.
 */
uint8_t *fuzz_guarded_alloc(size_t size);
void *fuzz_guarded_place(uint8_t *end, size_t capacity, size_t size);

/*
 * @data as boot is given a DTB, in a guarded buffer (above).  NULL when
 * @data cannot be one: shorter than a header, longer than FUZZ_BLOB_MAX,
 * or fdt_totalsize() bytes are not there (boot reads what the header says).
 */
const void *fuzz_blob(const uint8_t *data, size_t size);

/*
 * The boot modules a configuration names, as far as cfg_parse() reads them
 * (cfg_platform.read_module: the partial device trees of device
 * passthrough).  An input is the host DTB (fdt_totalsize() bytes), then,
 * from the next 8-byte boundary, the tail: what the modules hold.  The
 * tail may be several DTBs one after another, each at an 8-byte boundary:
 * the first module read gets the first, the next the next, and when they
 * run out the reads start again from the first.  Each read gets a guarded
 * buffer of exactly the module's size (the tree, zero-padded when the
 * module is larger), which stays valid until the next input.
 */
#define FUZZ_MODULE_READS CFG_MAX_PARTITIONS
const void *fuzz_read_module(uint64_t base, uint64_t size);
/* Where @data's tail starts (@size when it has none): the mutator's business too. */
size_t fuzz_tail_offset(const uint8_t *data, size_t size);

/*
 * The machines configurations are checked against (fuzz_common.c).  The
 * DTB header's boot_cpuid_phys picks one: Tessera reads that field
 * nowhere, so it is free to carry the choice, and the mutator varies it.
 */
#define FUZZ_PLATFORMS 4u
extern const struct cfg_platform fuzz_platforms[FUZZ_PLATFORMS];

/*
 * What boot does with the host DT up to the configuration: the walk, then
 * cfg_parse() against the platform the header picks, with /chosen's
 * offset as a hint, then every invariant of fuzz_check_config().  Returns
 * cfg_parse()'s result, or -1 when the walk found the tree malformed (boot
 * powers off there).  @plat: the platform used.
 */
int fuzz_boot_parse(const void *fdt, struct host_dt *h, struct cfg_platform *plat,
		    struct config *cfg, struct cfg_errors *errs);

/* What the rest of the hypervisor relies on in a configuration cfg_parse() accepted. */
void fuzz_check_config(const void *fdt, const struct cfg_platform *plat, const struct config *cfg);
/* Every error line is "config: /<path>: ..." and NUL-terminated; @ret is the count. */
void fuzz_check_errors(int ret, const struct cfg_errors *errs);
