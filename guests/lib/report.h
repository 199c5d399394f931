#pragma once
/*
 * Verdict lines.  Guests print exactly "PASS <what>" or
 * "FAIL <what> got=<x> want=<y>" and finish with "DONE <n> passed <m> failed"
 * (guests/README.md); system tests match these lines.
 */
#include <stdbool.h>
#include <stdint.h>

/* Prints "PASS " + the formatted text. */
void report_pass(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "FAIL " + the formatted text, which must end in "got=<x> want=<y>". */
void report_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* PASS <what> when got == want, else FAIL <what> got=0x.. want=0x..; returns got == want. */
bool report_check_hex(const char *what, uint64_t got, uint64_t want);
/* The same with decimal values. */
bool report_check_dec(const char *what, uint64_t got, uint64_t want);
unsigned report_passed(void);
unsigned report_failed(void);
/* Prints DONE <n> passed <m> failed and powers off; never returns. */
void report_done(void) __attribute__((noreturn));
