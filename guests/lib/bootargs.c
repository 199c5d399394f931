/* "key=value" words of /chosen/bootargs (bootargs.h). */
#include "guest.h"

#define KIB_SHIFT	10
#define MIB_SHIFT	20
#define GIB_SHIFT	30
#define DEC_BASE	10u
#define HEX_BASE	16u

static char line[BOOTARGS_MAX];

void bootargs_init(const char *src)
{
	size_t i = 0;

	if (src != NULL)
		for (; src[i] != '\0' && i < BOOTARGS_MAX - 1; i++)
			line[i] = src[i];
	line[i] = '\0';
}

const char *bootargs_line(void)
{
	return line;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Finds "key=" (or a bare "key") at a word start; returns the value or NULL. */
static const char *bootargs_find(const char *key, size_t *vlen)
{
	size_t klen = 0;

	while (key[klen] != '\0')
		klen++;
	for (const char *w = line; *w != '\0';) {
		while (is_space(*w))
			w++;
		const char *end = w;
		while (*end != '\0' && !is_space(*end))
			end++;
		size_t wlen = (size_t)(end - w);
		bool match = wlen >= klen;
		for (size_t i = 0; match && i < klen; i++)
			match = w[i] == key[i];
		if (match && (wlen == klen || w[klen] == '=')) {
			const char *v = wlen == klen ? end : w + klen + 1;
			*vlen = (size_t)(end - v);
			return v;
		}
		w = end;
	}
	return NULL;
}

bool bootargs_get(const char *key, char *buf, size_t len)
{
	size_t vlen;
	const char *v = bootargs_find(key, &vlen);

	if (v == NULL || vlen >= len)
		return false;
	for (size_t i = 0; i < vlen; i++)
		buf[i] = v[i];
	buf[vlen] = '\0';
	return true;
}

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

/* Parses digits at *s, advancing it; false on no digit or overflow. */
static bool parse_number(const char **s, uint64_t *val)
{
	unsigned base = DEC_BASE;
	const char *p = *s;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = HEX_BASE;
		p += 2;
	}
	const char *first = p;
	for (int d; (d = digit_value(*p)) >= 0 && (unsigned)d < base; p++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	if (p == first)
		return false;
	*s = p;
	*val = v;
	return true;
}

bool bootargs_parse_u64(const char *s, uint64_t *val)
{
	return parse_number(&s, val) && *s == '\0';
}

bool bootargs_parse_size(const char *s, uint64_t *val)
{
	uint64_t v;
	unsigned shift = 0;

	if (!parse_number(&s, &v))
		return false;
	switch (*s) {
	case 'K': case 'k': shift = KIB_SHIFT; s++; break;
	case 'M': case 'm': shift = MIB_SHIFT; s++; break;
	case 'G': case 'g': shift = GIB_SHIFT; s++; break;
	default: break;
	}
	if (*s != '\0' || (shift != 0 && v > (UINT64_MAX >> shift)))
		return false;
	*val = v << shift;
	return true;
}

bool bootargs_get_u64(const char *key, uint64_t *val)
{
	char buf[32];

	return bootargs_get(key, buf, sizeof(buf)) && bootargs_parse_u64(buf, val);
}

bool bootargs_get_size(const char *key, uint64_t *val)
{
	char buf[32];

	return bootargs_get(key, buf, sizeof(buf)) && bootargs_parse_size(buf, val);
}
