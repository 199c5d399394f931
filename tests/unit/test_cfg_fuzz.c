/*
 * Runs the configuration fuzzer (tests/fuzz/fuzz_cfg.c) as a unit test:
 * a fixed seed and iteration count, so every run is the same; override
 * with CFG_FUZZ_ITERS / CFG_FUZZ_SEED to explore further.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "../fuzz/fuzz_cfg.h"

#define DEFAULT_ITERS 20000ul
#define DEFAULT_SEED  0x7e55e7a5eedull

static unsigned long long env_number(const char *name, unsigned long long dflt)
{
	const char *v = getenv(name);

	return v ? strtoull(v, NULL, 0) : dflt;
}

static void test_cfg_fuzz(void **state)
{
	(void)state;
	unsigned long iters = (unsigned long)env_number("CFG_FUZZ_ITERS", DEFAULT_ITERS);

	assert_int_equal(fuzz_cfg_run(iters, env_number("CFG_FUZZ_SEED", DEFAULT_SEED)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_cfg_fuzz) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
