/*
 * Sorted sets of physical ranges.  Boot uses them to compute free RAM:
 * /memory minus the hypervisor, the DTB, reserved memory and boot modules.
 */
#include <string.h>

#include "mm.h"
#include "tserr.h"

void ranges_init(struct range_set *s)
{
	s->count = 0;
}

static void ranges_insert_at(struct range_set *s, unsigned int i, uint64_t base, uint64_t size)
{
	memmove(&s->r[i + 1], &s->r[i], (s->count - i) * sizeof(s->r[0]));
	s->r[i] = (struct cfg_range){ base, size };
	s->count++;
}

static void ranges_delete_at(struct range_set *s, unsigned int i)
{
	memmove(&s->r[i], &s->r[i + 1], (s->count - i - 1) * sizeof(s->r[0]));
	s->count--;
}

int ranges_add(struct range_set *s, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	if (base + size < base)
		return -TS_ERANGE;
	uint64_t end = base + size;
	unsigned int i = 0;
	while (i < s->count && s->r[i].base + s->r[i].size < base)
		i++;
	/* Absorb every range that touches or overlaps [base, end). */
	while (i < s->count && s->r[i].base <= end) {
		uint64_t rend = s->r[i].base + s->r[i].size;
		if (s->r[i].base < base)
			base = s->r[i].base;
		if (rend > end)
			end = rend;
		ranges_delete_at(s, i);
	}
	if (s->count == RANGES_MAX)
		return -TS_ENOMEM;
	ranges_insert_at(s, i, base, end - base);
	return 0;
}

int ranges_remove(struct range_set *s, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	for (unsigned int i = 0; i < s->count; i++) {
		uint64_t rbase = s->r[i].base, rend = rbase + s->r[i].size;
		if (rend <= base || rbase >= end)
			continue;
		if (rbase < base && rend > end) {          /* hole in the middle */
			if (s->count == RANGES_MAX)
				return -TS_ENOMEM;
			s->r[i].size = base - rbase;
			ranges_insert_at(s, i + 1, end, rend - end);
			return 0;
		}
		if (rbase < base) {                         /* cut the tail */
			s->r[i].size = base - rbase;
		} else if (rend > end) {                    /* cut the head */
			s->r[i] = (struct cfg_range){ end, rend - end };
		} else {                                    /* swallowed whole */
			ranges_delete_at(s, i);
			i--;
		}
	}
	return 0;
}

uint64_t ranges_total(const struct range_set *s)
{
	uint64_t t = 0;
	for (unsigned int i = 0; i < s->count; i++)
		t += s->r[i].size;
	return t;
}
