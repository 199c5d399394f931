/*
 * Formatting the console's lines.  picolibc's vfprintf goes through a
 * FILE and a per-character put function: about 15 instructions for every
 * character of a line, which made the boot log a sixth of the boot time
 * (DESIGN §11, docs/benchmarks.md).  This formats what the hypervisor's
 * lines use: %d %i %u %x %X %c %s %% with the flags '-' and '0', a width
 * (digits or '*'), a precision on %s (digits or '*'), and the length
 * modifiers hh h l ll z j t.  At anything else (%p, %o, %f, '#', '+', ' ',
 * a precision on a number, ...) picolibc's vsnprintf formats the rest of
 * the line, so every format prints as C says it does.
 *
 * Two destinations: a buffer, with snprintf's truncation and return value
 * (console_vformat), or the console UART itself, a character at a time with
 * no buffer in between (console_vformat_uart, for log lines).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"
#include "console_internal.h"

#define DIGITS_MAX 24                  /* 2^64 - 1 is 20 decimal digits */

#ifdef TS_HOST_BUILD
/* Host builds without a UART (the shm table's tests): nothing to write to. */
void __attribute__((weak)) console_uart_put(volatile uint8_t *uart, char c)
{
	(void)uart;
	(void)c;
}
#endif
#define REST_MAX   256                 /* the rest of a UART line vsnprintf formats */

/*
 * The output so far.  To a buffer: what fits is stored, everything is
 * counted (C's snprintf).  To the UART (uart != NULL): everything is
 * written, a newline as CR LF, and counted.
 */
struct out {
	char *buf;
	size_t size;                   /* bytes the buffer holds, NUL included */
	size_t len;                    /* the length of the whole result */
	volatile uint8_t *uart;
};

static inline __attribute__((always_inline)) void out_char(struct out *o, char c)
{
	if (o->uart) {
		if (c == '\n')
			console_uart_put(o->uart, '\r');
		console_uart_put(o->uart, c);
	} else if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

/* Room for @n more characters and the NUL: then nothing needs a bound. */
static bool out_fits(const struct out *o, size_t n)
{
	return o->size > o->len && o->size - o->len > n;
}

static void out_fill(struct out *o, char c, size_t n)
{
	if (o->uart) {
		for (size_t i = 0; i < n; i++)
			console_uart_put(o->uart, c);
		o->len += n;
		return;
	}
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

/* @n characters to the UART, each newline as CR LF. */
static void uart_bytes(volatile uint8_t *u, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_uart_put(u, '\r');
		console_uart_put(u, s[i]);
	}
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->uart) {
		uart_bytes(o->uart, s, n);
		o->len += n;
		return;
	}
	size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
	size_t copy = n < room ? n : room;
	char *d = o->buf + o->len;
	for (size_t i = 0; i < copy; i++)
		d[i] = s[i];
	o->len += n;
}

/* A literal run from @f up to the next '%' or the end; returns where it stopped. */
static const char *out_literal(struct out *o, const char *f)
{
	size_t k = 0;
	if (o->uart) {
		volatile uint8_t *u = o->uart;
		for (char c = *f; c != '%' && c != '\0'; c = f[++k]) {
			if (c == '\n')
				console_uart_put(u, '\r');
			console_uart_put(u, c);
		}
	} else {
		/* Copied while it is scanned; counted past the end. */
		size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
		char *d = o->buf + o->len;
		for (char c = *f; c != '%' && c != '\0'; c = f[++k])
			if (k < room)
				d[k] = c;
	}
	o->len += k;
	return f + k;
}

/* One conversion's flags, width and precision. */
struct spec {
	bool left, zero;
	bool width_arg, prec_arg;      /* '*': taken from the arguments */
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

/* The unsigned long (@l 1) or unsigned long long (@l 2) argument: PRIx64 is "lx" on LP64. */
static uint64_t long_arg(va_list *ap, unsigned int l)
{
	return l == 2 ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned long);
}

/* An unsigned conversion with at most a width and '0': padding, then the digits. */
static void out_number_padded(struct out *o, uint64_t v, unsigned int base, unsigned int width,
			      char pad)
{
	char tmp[DIGITS_MAX];
	const char *d = utoa(v, base, false, tmp);
	size_t n = (size_t)(tmp + DIGITS_MAX - d);
	if (width > n)
		out_fill(o, pad, width - n);
	out_bytes(o, d, n);
}

/* A conversion without flags, width or precision: just the digits. */
static void out_number(struct out *o, uint64_t v, unsigned int base)
{
	out_number_padded(o, v, base, 0, ' ');
}

static void out_plain_string(struct out *o, const char *s)
{
	if (!s)
		s = "(null)";
	size_t n = 0;
	if (o->uart) {
		for (char c = *s; c; c = s[++n]) {
			if (c == '\n')
				console_uart_put(o->uart, '\r');
			console_uart_put(o->uart, c);
		}
		o->len += n;
		return;
	}
	while (s[n])
		n++;
	out_bytes(o, s, n);
}

/*
 * %u %x %llu %llx with a width and '0' (the stage-2 lines' %010llx, %7llu):
 * returns the character after the conversion, or NULL when it is not one.
 */
static const char *convert_padded(struct out *o, const char *f, va_list *ap)
{
	char pad = ' ';
	unsigned int width = 0;
	if (*f == '0') {
		pad = '0';
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		width = width * 10 + (unsigned int)(*f - '0');
	unsigned int l = f[0] != 'l' ? 0 : f[1] != 'l' ? 1 : 2;
	const char *c = f + l;
	if ((*c != 'u' && *c != 'x') || width > DIGITS_MAX)
		return NULL;
	uint64_t v = l ? long_arg(ap, l) : va_arg(*ap, unsigned int);
	out_number_padded(o, v, *c == 'u' ? 10 : 16, width, pad);
	return c + 1;
}

/*
 * The conversions most lines use, with nothing between '%' and the letter
 * but a length: %s %u %x %d %llx %llu, or a width and '0' on the unsigned
 * ones; returns the character after it, or NULL for anything else (the
 * general path then parses it).
 */
static const char *convert_plain(struct out *o, const char *f, va_list *ap)
{
	if (*f >= '0' && *f <= '9')
		return convert_padded(o, f, ap);
	unsigned int l = f[0] != 'l' ? 0 : f[1] != 'l' ? 1 : 2;   /* "", "l" or "ll" */
	switch (f[l]) {
	case 's':
		if (l)
			return NULL;
		out_plain_string(o, va_arg(*ap, const char *));
		return f + 1;
	case 'u':
		out_number(o, l ? long_arg(ap, l) : va_arg(*ap, unsigned int), 10);
		break;
	case 'x':
		out_number(o, l ? long_arg(ap, l) : va_arg(*ap, unsigned int), 16);
		break;
	case 'd': {
		int64_t v = l == 2 ? va_arg(*ap, long long) : l ? va_arg(*ap, long) : va_arg(*ap, int);
		if (v < 0)
			out_char(o, '-');
		out_number(o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10);
		break;
	}
	default:
		return NULL;
	}
	return f + l + 1;
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

/* Flags, width and precision of the conversion at @f (past the '%'); takes no argument yet. */
static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width_arg = true;
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width = sp->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec_arg = true;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				sp->prec = sp->prec * 10 + (*f - '0');
		}
	}
	return f;
}

/* A conversion this file formats (else vsnprintf does, from its '%' on). */
static bool supported(const struct spec *sp, enum length len, char conv)
{
	switch (conv) {
	case 's':
	case 'c':
		return len == LEN_INT && (conv == 's' || sp->prec < 0);
	case 'd':
	case 'i':
	case 'u':
	case 'x':
	case 'X':
		return sp->prec < 0;           /* a precision on a number: vsnprintf */
	default:
		return false;
	}
}

/* The '*' width and precision, in the order C takes them. */
static void take_star_args(struct spec *sp, va_list *ap)
{
	if (sp->width_arg) {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
	}
	if (sp->prec_arg) {
		sp->prec = va_arg(*ap, int);
		if (sp->prec < 0)
			sp->prec = -1;                /* C: a negative precision is none */
	}
	if (sp->left)
		sp->zero = false;
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

/* One supported conversion (supported() said so). */
static void convert(struct out *o, struct spec *sp, enum length len, char conv, va_list *ap)
{
	char tmp[DIGITS_MAX];
	const char *digits;
	take_star_args(sp, ap);
	switch (conv) {
	case 's':
		out_string(o, sp, va_arg(*ap, const char *));
		return;
	case 'c':
		tmp[0] = (char)va_arg(*ap, int);
		sp->zero = false;
		out_padded(o, sp, NULL, tmp, 1);
		return;
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, len);
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		digits = utoa(mag, 10, false, tmp);
		out_padded(o, sp, v < 0 ? "-" : NULL, digits, (size_t)(tmp + DIGITS_MAX - digits));
		return;
	}
	default:                               /* u x X */
		digits = utoa(arg_unsigned(ap, len), conv == 'u' ? 10 : 16, conv == 'X', tmp);
		out_padded(o, sp, NULL, digits, (size_t)(tmp + DIGITS_MAX - digits));
		return;
	}
}

/* From @f (a conversion this file does not format) to the end, by vsnprintf. */
static void out_rest(struct out *o, const char *f, va_list *ap)
{
	int n;
	if (o->uart) {
		char rest[REST_MAX];
		n = vsnprintf(rest, sizeof(rest), f, *ap);
		size_t shown = n < 0 ? 0 : (size_t)n < sizeof(rest) ? (size_t)n : sizeof(rest) - 1;
		size_t before = o->len;
		out_bytes(o, rest, shown);
		o->len = before;                      /* counted as vsnprintf counts, below */
	} else {
		size_t room = o->size > o->len ? o->size - o->len : 0;
		n = vsnprintf(room ? o->buf + o->len : NULL, room, f, *ap);
	}
	if (n > 0)
		o->len += (size_t)n;
}

/* The formatter itself, into @o. */
static void format(struct out *o, const char *fmt, va_list ap)
{
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f;) {
		if (*f != '%') {
			f = out_literal(o, f);
			continue;
		}
		if (f[1] == '%') {
			out_char(o, '%');
			f += 2;
			continue;
		}
		const char *next = convert_plain(o, f + 1, &args);
		if (next) {
			f = next;
			continue;
		}
		struct spec sp;
		enum length len;
		const char *conv = parse_length(parse_spec(f + 1, &sp), &len);
		if (!supported(&sp, len, *conv)) {
			out_rest(o, f, &args);
			break;
		}
		convert(o, &sp, len, *conv, &args);
		f = conv + 1;
	}
	va_end(args);
}

int console_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0, NULL };
	format(&o, fmt, ap);
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

size_t console_vformat_uart(volatile uint8_t *uart, const char *fmt, va_list ap)
{
	struct out o = { NULL, 0, 0, uart };
	format(&o, fmt, ap);
	return o.len;
}
