/*
 * Unit tests for vdev/console_fmt.c: console_format() must print exactly
 * what the C library's snprintf prints, for the conversions it formats
 * itself (with random values, every flag and width it takes, every buffer
 * size down to 0) and for those it hands to vsnprintf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "console.h"
#include "console_internal.h"

/* The UART the formatter writes to: a buffer here. */
static char uart_out[4096];
static size_t uart_len;

void console_uart_put(volatile uint8_t *uart, char c)
{
	(void)uart;
	if (uart_len < sizeof(uart_out))
		uart_out[uart_len++] = c;
}

static size_t uart_vformat(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	uart_len = 0;
	size_t n = console_vformat_uart((volatile uint8_t *)uart_out, fmt, ap);
	va_end(ap);
	return n;
}

#define BUF 300

/* Truncation is what these cases test. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#define RANDOM_ROUNDS 20000

/* The UART destination: all of snprintf's output, each newline as CR LF. */
static void same_uart(const char *want, int w, size_t got_n, const char *what)
{
	char expect[2 * BUF];
	size_t e = 0;
	for (int i = 0; i < w && want[i]; i++) {
		if (want[i] == '\n')
			expect[e++] = '\r';
		expect[e++] = want[i];
	}
	if ((size_t)w != got_n || e != uart_len || memcmp(expect, uart_out, e) != 0)
		fail_msg("%s to the UART: want %d \"%.*s\", got %zu \"%.*s\"", what, w, (int)e,
			 expect, got_n, (int)uart_len, uart_out);
}

/*
 * Both formatters into buffers of @size; the results and return values must
 * match; and the UART destination prints the whole line.
 */
#define SAME(size, ...) do { \
	char want[BUF], got[BUF]; \
	memset(want, 'W', sizeof(want)); \
	memset(got, 'W', sizeof(got)); \
	int w = snprintf(want, (size), __VA_ARGS__); \
	int g = console_format(got, (size), __VA_ARGS__); \
	if (w != g || memcmp(want, got, sizeof(want)) != 0) \
		fail_msg("%s: want %d \"%.*s\", got %d \"%.*s\"", #__VA_ARGS__, w, \
			 (int)(size), want, g, (int)(size), got); \
	if ((size) == BUF) \
		same_uart(want, w, uart_vformat(__VA_ARGS__), #__VA_ARGS__); \
} while (0)

#define SAME_ALL_SIZES(...) do { \
	for (size_t sz = 0; sz < 40; sz++) \
		SAME(sz, __VA_ARGS__); \
	SAME(BUF, __VA_ARGS__); \
} while (0)

static uint64_t rnd64(void)
{
	uint64_t v = 0;
	for (int i = 0; i < 4; i++)
		v = (v << 16) ^ (uint64_t)(rand() & 0xffff);
	/* Small numbers as often as big ones: shift by a random amount. */
	return v >> (rand() % 64);
}

/* Lines as the hypervisor prints them. */
static void test_log_lines(void **state)
{
	(void)state;
	SAME_ALL_SIZES("mem: free 0x%llx-0x%llx (%llu KiB)", 0x40285000ull, 0x47ffffffull, 128492ull);
	SAME_ALL_SIZES("%s: started (id %u, %u vCPU%s on CPU %s, %llu MiB at 0x%llx)", "domU1", 1u, 1u,
		       "", "0", 128ull, 0x50200000ull);
	SAME_ALL_SIZES("%s:   IPA 0x%010llx-0x%010llx -> PA 0x%010llx %10llu KiB  %s", "dom0",
		       0x40000000ull, 0x47ffffffull, 0x50600000ull, 131072ull, "RAM, RWX");
	SAME_ALL_SIZES("x%-2u 0x%016llx  x%-2u 0x%016llx", 4u, 0xdeadbeefull, 5u, ~0ull);
	SAME_ALL_SIZES("%.*s|%-8s|%-12s|%7llu|%-3u|%zu|%lld|%d", 3, "abcdef", "ab", "name", 77ull,
		       5u, (size_t)123456, -9223372036854775807ll - 1, INT_MIN);
	SAME_ALL_SIZES("100%% %c%c [%5c] [%-3c]", 'o', 'k', 'x', 'y');
	SAME_ALL_SIZES("%s", "");
	SAME_ALL_SIZES("no conversion at all");
	SAME_ALL_SIZES("%hhu %hhd %hu %hd %lu %ld %ju %jd %td %zx", 300u, 200, 70000u, 40000, ~0ul,
		       -5l, (uintmax_t)1 << 63, (intmax_t)-1, (ptrdiff_t)-77, (size_t)0xabc);
	SAME_ALL_SIZES("%*d|%-*d|%*s|%0*x|%.*s", 6, -42, 6, 42, -7, "neg", 8, 0xbeefu, 0, "gone");
	SAME_ALL_SIZES("%05d|%-5d|%5s|%X|%08X", -42, 42, "ab", 0xabcdefu, 0x1234u);
	SAME_ALL_SIZES("%s|%.2s|%.9s", "plain", "abc", "short");
	SAME_ALL_SIZES("%.*s|%-*.*s|", -1, "negative precision is none", -6, 2, "abcd");
	SAME_ALL_SIZES("two\nlines %u\n", 2u);
}

/* What it does not format itself is vsnprintf's: the output is the same. */
static void test_handed_over(void **state)
{
	(void)state;
	int x = 0;
	SAME_ALL_SIZES("%p %d", (void *)&x, 3);
	SAME_ALL_SIZES("%#x %+d % d %o", 0xffu, 5, 7, 8u);
	SAME_ALL_SIZES("%.3d %.0u %5.2x", 7, 0u, 0x1u);
	SAME_ALL_SIZES("%lc", (wint_t)0x77);
	SAME_ALL_SIZES("%f %e", 1.5, 2.25);
	SAME_ALL_SIZES("%s then %#llx", "text", 0x10ull);
	SAME_ALL_SIZES("%ls", L"wide");
	SAME_ALL_SIZES("after %s and %u: %p then %s\n%d", "text", 7u, (void *)&x, "more", -3);
}

/* Random values through every conversion, flag and width it formats. */
static void test_random(void **state)
{
	(void)state;
	static const char *const fmts[] = {
		"%llx", "%llu", "%lld", "%016llx", "%010llx", "%-20llx|", "%25llu", "%-25lld|",
		"%021lld", "%u", "%d", "%x", "%X", "%08x", "%-9d|", "%09d", "%zu", "%zx", "%lu",
		"%lx", "%ld", "%016lx", "%12lu",
	};
	srand(7);
	for (int i = 0; i < RANDOM_ROUNDS; i++) {
		const char *f = fmts[(size_t)rand() % (sizeof(fmts) / sizeof(fmts[0]))];
		uint64_t v = rnd64();
		size_t sz = (size_t)rand() % 32;
		if (strstr(f, "ll") || strchr(f, 'z') || strchr(f, 'l')) {
			SAME(sz, f, (unsigned long long)v);
			SAME(BUF, f, (unsigned long long)v);
		} else {
			SAME(sz, f, (unsigned int)v);
			SAME(BUF, f, (unsigned int)v);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_handed_over),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
