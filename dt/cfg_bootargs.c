/*
 * The few Xen command-line options Tessera honours in /chosen
 * xen,xen-bootargs: dom0_mem=<size> and dom0_max_vcpus=<n>.  Sizes follow
 * Xen's <size> syntax (docs/misc/xen-command-line.pandoc): a C number
 * (decimal, 0x hex or 0 octal) with an optional B/K/M/G/T suffix in either
 * case, KiB when there is none.
 */
#include <string.h>

#include "cfg_internal.h"

#define DECIMAL 10u
#define HEX     16u
#define OCTAL   8u
#define UNIT_SHIFT 10   /* each suffix step is 1024 */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a C-style unsigned number at the start of s[0..len); returns digits used, 0 on error. */
static size_t parse_number(const char *s, size_t len, uint64_t *val)
{
	unsigned int base = DECIMAL;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX;
		i = 2;
	} else if (len > 1 && s[0] == '0') {
		base = OCTAL;
	}
	size_t start = i;
	uint64_t v = 0;
	for (; i < len; i++) {
		int d = digit_value(s[i]);
		if (d < 0 || (unsigned int)d >= base)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return 0;   /* overflow */
		v = v * base + (uint64_t)d;
	}
	if (i == start)
		return 0;
	*val = v;
	return i;
}

bool cfg_parse_uint(const char *s, size_t len, uint64_t *val)
{
	return len != 0 && parse_number(s, len, val) == len;
}

static int unit_shift(char c)
{
	switch (c) {
	case 'T': case 't': return 4 * UNIT_SHIFT;
	case 'G': case 'g': return 3 * UNIT_SHIFT;
	case 'M': case 'm': return 2 * UNIT_SHIFT;
	case 'K': case 'k': return UNIT_SHIFT;
	case 'B': case 'b': return 0;
	default: return -1;
	}
}

bool cfg_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	uint64_t v;
	size_t used = parse_number(s, len, &v);
	int shift = UNIT_SHIFT;     /* no suffix: KiB, as Xen */

	if (used == 0)
		return false;
	if (used < len) {
		if (used + 1 != len || (shift = unit_shift(s[used])) < 0)
			return false;
	}
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return false;
	*bytes = v << shift;
	return true;
}

/*
 * Find "key=value" as a whole word of @args; the value runs to the next
 * space.  The last occurrence wins, as on Xen's command line.
 */
bool cfg_bootargs_find(const char *args, const char *key, const char **val, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = args;
	bool found = false;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			*val = p + klen + 1;
			*len = (size_t)(end - *val);
			found = true;
		}
		p = end;
	}
	return found;
}
