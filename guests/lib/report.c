/* Verdict lines and the closing DONE line (report.h). */
#include <stdarg.h>
#include <stdio.h>

#include "guest.h"

#define REPORT_BUF	224

static unsigned n_passed;
static unsigned n_failed;

static void report_line(const char *verdict, const char *fmt, va_list ap)
{
	char buf[REPORT_BUF];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	gprintf("%s %s\n", verdict, buf);
}

void report_pass(const char *fmt, ...)
{
	va_list ap;

	n_passed++;
	va_start(ap, fmt);
	report_line("PASS", fmt, ap);
	va_end(ap);
}

void report_fail(const char *fmt, ...)
{
	va_list ap;

	n_failed++;
	va_start(ap, fmt);
	report_line("FAIL", fmt, ap);
	va_end(ap);
}

bool report_check_hex(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		report_pass("%s", what);
		return true;
	}
	report_fail("%s got=0x%lx want=0x%lx", what, got, want);
	return false;
}

bool report_check_dec(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		report_pass("%s", what);
		return true;
	}
	report_fail("%s got=%lu want=%lu", what, got, want);
	return false;
}

unsigned report_passed(void)
{
	return n_passed;
}

unsigned report_failed(void)
{
	return n_failed;
}

void report_done(void)
{
	gprintf("DONE %u passed %u failed\n", n_passed, n_failed);
	psci_system_off();
	gprintf("FAIL system_off returned\n");
	for (;;)
		__asm__ volatile("wfi");
}
