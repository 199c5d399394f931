/*
 * Formatting the console's lines.  picolibc's vfprintf goes through a
 * FILE and a per-character put function: about 15 instructions for every
 * character of a line, which made the boot log a sixth of the boot time
 * (DESIGN §11, docs/benchmarks.md).  This formats straight into the buffer
 * what the hypervisor's lines use: %d %i %u %x %X %c %s %% with the flags
 * '-' and '0', a width, a precision on %s (digits or '*'), and the length
 * modifiers hh h l ll z j t.  Anything else (%p, %o, %f, '#', '+', ' ',
 * a precision on a number, ...) is handed to picolibc's vsnprintf for the
 * whole line, so every format prints as C says it does.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"

#define DIGITS_MAX 24                  /* 2^64 - 1 is 20 decimal digits */

/* The output so far: what fits is stored, everything is counted (C's snprintf). */
struct out {
	char *buf;
	size_t size;                   /* bytes the buffer holds, NUL included */
	size_t len;                    /* the length of the whole result */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Room for @n more characters and the NUL: then nothing needs a bound. */
static bool out_fits(const struct out *o, size_t n)
{
	return o->size > o->len && o->size - o->len > n;
}

static void out_fill(struct out *o, char c, size_t n)
{
	if (out_fits(o, n)) {
		char *d = o->buf + o->len;
		for (size_t i = 0; i < n; i++)
			d[i] = c;
		o->len += n;
		return;
	}
	for (; n; n--)
		out_char(o, c);
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
	size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
	size_t copy = n < room ? n : room;
	char *d = o->buf + o->len;
	for (size_t i = 0; i < copy; i++)
		d[i] = s[i];
	o->len += n;
}

/* One conversion's flags, width and precision. */
struct spec {
	bool left, zero;
	int width;
	int prec;                      /* -1: none */
};

static void out_padded(struct out *o, const struct spec *sp, const char *sign, const char *s,
		       size_t n)
{
	size_t field = n + (sign ? 1 : 0);
	size_t pad = sp->width > 0 && (size_t)sp->width > field ? (size_t)sp->width - field : 0;
	if (!sp->left && !sp->zero)
		out_fill(o, ' ', pad);
	if (sign)
		out_char(o, *sign);
	if (!sp->left && sp->zero)
		out_fill(o, '0', pad);
	out_bytes(o, s, n);
	if (sp->left)
		out_fill(o, ' ', pad);
}

/*
 * @v in base 10 or 16 into the end of @tmp; returns the first digit.  Two
 * loops with constant divisors: the compiler turns / 10 into a multiply and
 * / 16 into a shift.
 */
static char *utoa(uint64_t v, unsigned int base, bool upper, char tmp[DIGITS_MAX])
{
	char *p = tmp + DIGITS_MAX;
	if (base == 10) {
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		return p;
	}
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		*--p = digits[v & 0xf];
		v >>= 4;
	} while (v);
	return p;
}

/* A conversion without flags, width or precision: just the digits. */
static void out_number(struct out *o, uint64_t v, unsigned int base)
{
	char tmp[DIGITS_MAX];
	const char *d = utoa(v, base, false, tmp);
	out_bytes(o, d, (size_t)(tmp + DIGITS_MAX - d));
}

static void out_plain_string(struct out *o, const char *s)
{
	if (!s)
		s = "(null)";
	size_t n = 0;
	while (s[n])
		n++;
	out_bytes(o, s, n);
}

/*
 * The conversions most lines use, with nothing between '%' and the letter
 * but a length: %s %u %x %d %llx %llu; returns the character after it,
 * or NULL for anything else (the general path then parses it).
 */
static const char *convert_plain(struct out *o, const char *f, va_list *ap)
{
	bool ll = f[0] == 'l' && f[1] == 'l';
	switch (ll ? f[2] : f[0]) {
	case 's':
		if (ll)
			return NULL;
		out_plain_string(o, va_arg(*ap, const char *));
		return f + 1;
	case 'u':
		out_number(o, ll ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned int), 10);
		break;
	case 'x':
		out_number(o, ll ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned int), 16);
		break;
	case 'd': {
		int64_t v = ll ? va_arg(*ap, long long) : va_arg(*ap, int);
		if (v < 0)
			out_char(o, '-');
		out_number(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10);
		break;
	}
	default:
		return NULL;
	}
	return f + (ll ? 3 : 1);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static const char *parse_length(const char *f, enum length *len)
{
	*len = LEN_INT;
	switch (*f) {
	case 'h':
		if (f[1] == 'h') {
			*len = LEN_CHAR;
			return f + 2;
		}
		*len = LEN_SHORT;
		return f + 1;
	case 'l':
		if (f[1] == 'l') {
			*len = LEN_LLONG;
			return f + 2;
		}
		*len = LEN_LONG;
		return f + 1;
	case 'z': *len = LEN_SIZE; return f + 1;
	case 'j': *len = LEN_MAX; return f + 1;
	case 't': *len = LEN_PTRDIFF; return f + 1;
	default: return f;
	}
}

/* The argument of an unsigned conversion, cut to its type (C 7.21.6.1: hh and h convert back). */
static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF: return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/* Flags, width and precision of the conversion at @f (past the '%'); NULL when not ours. */
static const char *parse_spec(const char *f, va_list *ap, struct spec *sp)
{
	sp->left = sp->zero = false;
	sp->width = 0;
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width = sp->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				sp->prec = sp->prec * 10 + (*f - '0');
		}
	}
	if (sp->left)
		sp->zero = false;
	return f;
}

static void out_string(struct out *o, struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	size_t n = 0;
	if (sp->prec >= 0)
		while (n < (size_t)sp->prec && s[n])
			n++;
	else
		while (s[n])
			n++;
	sp->zero = false;
	out_padded(o, sp, NULL, s, n);
}

/* One conversion at @f (past flags, width, precision); false when it is not ours. */
static bool convert(struct out *o, struct spec *sp, enum length len, char conv, va_list *ap)
{
	char tmp[DIGITS_MAX];
	const char *digits;
	if (conv == 's' && len == LEN_INT) {
		out_string(o, sp, va_arg(*ap, const char *));
		return true;
	}
	if (sp->prec >= 0)
		return false;                  /* a precision on a number or a character */
	switch (conv) {
	case 'c':
		if (len != LEN_INT)
			return false;
		tmp[0] = (char)va_arg(*ap, int);
		sp->zero = false;
		out_padded(o, sp, NULL, tmp, 1);
		return true;
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, len);
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		digits = utoa(mag, 10, false, tmp);
		out_padded(o, sp, v < 0 ? "-" : NULL, digits, (size_t)(tmp + DIGITS_MAX - digits));
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
		digits = utoa(arg_unsigned(ap, len), conv == 'u' ? 10 : 16, conv == 'X', tmp);
		out_padded(o, sp, NULL, digits, (size_t)(tmp + DIGITS_MAX - digits));
		return true;
	default:
		return false;
	}
}

int console_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f;) {
		if (*f != '%') {
			/* A literal run, copied while it is scanned; counted past the end. */
			size_t room = o.len + 1 < o.size ? o.size - 1 - o.len : 0;
			char *d = o.buf + o.len;
			size_t k = 0;
			for (char c = *f; c != '%' && c != '\0'; c = *++f, k++)
				if (k < room)
					d[k] = c;
			o.len += k;
			continue;
		}
		if (f[1] == '%') {
			out_char(&o, '%');
			f += 2;
			continue;
		}
		const char *next = convert_plain(&o, f + 1, &args);
		if (next) {
			f = next;
			continue;
		}
		struct spec sp;
		enum length len;
		f = parse_length(parse_spec(f + 1, &args, &sp), &len);
		if (!*f || !convert(&o, &sp, len, *f, &args)) {
			va_end(args);
			return vsnprintf(buf, size, fmt, ap);   /* not ours: C's answer */
		}
		f++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? -1 : (int)o.len;
}

int console_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = console_vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
