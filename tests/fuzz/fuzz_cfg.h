#pragma once
/*
 * Deterministic mutation fuzzer for cfg_parse() (tests/fuzz/fuzz_cfg.c):
 * runs @iters mutated DTBs from built-in seeds, PRNG seeded with @seed.
 * Returns the number of invariant violations found (0 when all held).
 */
unsigned long fuzz_cfg_run(unsigned long iters, unsigned long long seed);
