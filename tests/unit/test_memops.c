/*
 * mm/memops.c against a byte-at-a-time reference, for every alignment and
 * length up to a few words, and the zero-block path of memset.  (Built with
 * the functions renamed ts_*, so the host libc keeps its own.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

void *ts_memset(void *dst, int c, size_t n);
void *ts_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *ts_memmove(void *dst, const void *src, size_t n);
void *ts_memchr(const void *s, int c, size_t n);
int ts_memcmp(const void *a, const void *b, size_t n);
size_t ts_strlen(const char *s);

#define BUF 512
#define MAXLEN 80

static uint8_t a[BUF] __attribute__((aligned(64))), b[BUF] __attribute__((aligned(64)));

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static void test_memset_all_alignments(void **state)
{
	(void)state;
	for (int c = 0; c < 2; c++)
		for (size_t off = 0; off < 16; off++)
			for (size_t n = 0; n < 300; n += (n < 40 ? 1 : 37)) {
				fill(a, BUF, 1);
				assert_ptr_equal(ts_memset(a + off, c ? 0xA5 : 0, n), a + off);
				for (size_t i = 0; i < BUF; i++) {
					uint8_t want = (i >= off && i < off + n) ? (c ? 0xA5 : 0)
						       : (uint8_t)(31 + i * 7 + 1);
					assert_int_equal(a[i], want);
				}
			}
}

static void test_memcpy_memmove(void **state)
{
	(void)state;
	for (size_t so = 0; so < 9; so++)
		for (size_t d = 0; d < 9; d++)
			for (size_t n = 0; n < MAXLEN; n++) {
				fill(a, BUF, 2);
				memset(b, 0, BUF);
				ts_memcpy(b + d, a + so, n);
				assert_memory_equal(b + d, a + so, n);
				assert_int_equal(b[d + n], 0);
			}
	fill(a, BUF, 3);
	memcpy(b, a, BUF);
	ts_memmove(a + 5, a, 100);                /* overlapping, forwards */
	assert_memory_equal(a + 5, b, 100);
	memcpy(a, b, BUF);
	ts_memmove(a, a + 5, 100);                /* overlapping, backwards */
	assert_memory_equal(a, b + 5, 100);
	for (size_t shift = 1; shift < 20; shift++)   /* word path: same alignment */
		for (size_t n = 0; n < 70; n++) {
			fill(a, BUF, (unsigned int)(shift + n));
			memcpy(b, a, BUF);
			ts_memmove(a + 8 + shift, a + 8, n);
			assert_memory_equal(a + 8 + shift, b + 8, n);
			assert_memory_equal(a, b, 8 + shift);
		}
}

static void test_memchr_memcmp_strlen(void **state)
{
	(void)state;
	for (size_t off = 0; off < 9; off++)
		for (size_t n = 0; n < MAXLEN; n++) {
			fill(a, BUF, 4);
			for (size_t i = 0; i < BUF; i++)
				if (a[i] == 0x99)
					a[i] = 0x98;
			a[off + n] = 0x99;
			assert_ptr_equal(ts_memchr(a + off, 0x99, n + 1), a + off + n);
			assert_null(ts_memchr(a + off, 0x99, n));
			a[off + n] = 0;
			for (size_t i = off; i < off + n; i++)
				if (a[i] == 0)
					a[i] = 1;
			assert_int_equal(ts_strlen((const char *)a + off), n);
			memcpy(b + off, a + off, n + 1);
			assert_int_equal(ts_memcmp(a + off, b + off, n + 1), 0);
			if (n) {
				b[off + n - 1] ^= 0x80;
				int r = ts_memcmp(a + off, b + off, n + 1);
				assert_true((r < 0) == (a[off + n - 1] < b[off + n - 1]) && r != 0);
				assert_int_equal(ts_memcmp(a + off, b + off, n - 1), 0);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memset_all_alignments),
		cmocka_unit_test(test_memcpy_memmove),
		cmocka_unit_test(test_memchr_memcmp_strlen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
