/*
 * tdoorbell: shared-region doorbells from stock Linux userspace, through
 * the GPIO character device of Tessera's doorbell GPIO (an emulated PL061,
 * docs/shared-memory.md section 11).  Region <id> has two lines named in
 * the device tree: "ring-<id>" (requested as an output: a rising edge rings
 * the region's other partitions) and "bell-<id>" (an input with rising-edge
 * events: another partition's ring is one event, read() sleeps until then).
 *
 *   tdoorbell lines                     the ring/bell lines found
 *   tdoorbell ring <id>                 ring once
 *   tdoorbell wait <id> <timeout-s>     mark "waiting" in the region, sleep in read()
 *                                       until rung; report wall and CPU time
 *   tdoorbell kick <id> <delay-ms> <timeout-s>
 *                                       wait for that mark, sleep, ring
 *   tdoorbell ping <id> <count> [poll]  send <count> messages through the region,
 *   tdoorbell pong <id> <count> [poll]  each answered: ring + sleep in read(), or
 *                                       (poll) spin on the sequence numbers with WFE;
 *                                       the first exchange is not timed (the
 *                                       two sides meet there)
 * Prints PASS/FAIL lines like the other guests; exit status 0 when all passed.
 *
 * Region layout (the first 192 bytes; tshm's data must not run at the same
 * time): word 0 the "waiting" mark, then one 64-byte slot per direction
 * holding { seq, payload }.  A side publishes payload, then seq, then rings;
 * the receiver accepts exactly seq == expected, so a lost or repeated
 * message is seen.  Sequence numbers go on from where the last exchange
 * left both slots, so exchanges can follow one another without a reset.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "tlib.h"

#define TDB_MAX_CHIPS       16u
#define TDB_CONSUMER        "tdoorbell"
#define TDB_NAME_PREFIX_LEN 5u              /* "ring-", "bell-" */
#define TDB_WAITING         0x574149544e4721ull   /* "!GNTIAW": the waiter is about to sleep */
#define TDB_SLOT_WORDS      8u              /* 64 bytes: one slot per cache line */
#define TDB_PING_SLOT       1u
#define TDB_PONG_SLOT       2u
#define TDB_REGION_MIN      ((TDB_PONG_SLOT + 1) * TDB_SLOT_WORDS * sizeof(uint64_t))
#define TDB_GOLDEN          0x9E3779B97F4A7C15ull
#define TDB_PONG_SALT       0xA5A5A5A5A5A5A5A5ull
#define TDB_MIN_MESSAGES    2               /* the first is the rendezvous, not timed */
#define TDB_LOST_MS         20000           /* no ring for this long: a lost doorbell */
#define TDB_MARK_POLL_NS    10000000L       /* kick: 10 ms between looks at the mark */
#define US_PER_MS           1000u
#define NS_PER_MS           1000000L
#define MS_PER_S            1000u
#define DECIMAL             10

struct tdb {
	struct tlib_region region;
	struct tlib_map map;
	volatile uint64_t *words;
	int ring_fd, bell_fd;
	unsigned long wakeups;          /* bell events read */
};

/* ---- lines -------------------------------------------------------------------- */

/* Chip file descriptor and line offset of the line named @name, or -1. */
static int tdb_find_line(const char *name, unsigned int *offset)
{
	for (unsigned int n = 0; n < TDB_MAX_CHIPS; n++) {
		char dev[TLIB_PATH_MAX];
		snprintf(dev, sizeof(dev), "/dev/gpiochip%u", n);
		int fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct gpiochip_info chip;
		memset(&chip, 0, sizeof(chip));
		if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &chip) == 0) {
			for (unsigned int i = 0; i < chip.lines; i++) {
				struct gpio_v2_line_info info;
				memset(&info, 0, sizeof(info));
				info.offset = i;
				if (ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, &info) == 0 &&
				    strcmp(info.name, name) == 0) {
					*offset = i;
					return fd;
				}
			}
		}
		close(fd);
	}
	return -1;
}

/* A request for line "<prefix><id>" with @flags; its file descriptor or -1. */
static int tdb_request(const char *prefix, const char *id, uint64_t flags)
{
	char name[GPIO_MAX_NAME_SIZE];
	unsigned int offset;
	snprintf(name, sizeof(name), "%s%s", prefix, id);
	int chip = tdb_find_line(name, &offset);
	if (chip < 0) {
		printf("FAIL linux-doorbell-line %s got=missing want=line\n", name);
		return -1;
	}
	struct gpio_v2_line_request req;
	memset(&req, 0, sizeof(req));
	req.offsets[0] = offset;
	req.num_lines = 1;
	req.config.flags = flags;
	snprintf(req.consumer, sizeof(req.consumer), "%s", TDB_CONSUMER);
	int rc = ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req);
	int err = errno;
	close(chip);
	if (rc != 0) {
		printf("FAIL linux-doorbell-line %s got=%s want=request\n", name, strerror(err));
		return -1;
	}
	return req.fd;
}

static bool tdb_open(struct tdb *d, const char *id)
{
	memset(d, 0, sizeof(*d));
	d->ring_fd = d->bell_fd = -1;
	if (!tlib_region_find(id, &d->region)) {
		printf("FAIL linux-doorbell-region %s got=missing want=region\n", id);
		return false;
	}
	if (d->region.size < TDB_REGION_MIN || !tlib_map(d->region.base, d->region.size, &d->map)) {
		printf("FAIL linux-doorbell-map %s got=%s want=mapped\n", id, strerror(errno));
		return false;
	}
	d->words = (volatile uint64_t *)d->map.at;
	d->ring_fd = tdb_request("ring-", id, GPIO_V2_LINE_FLAG_OUTPUT);
	d->bell_fd = tdb_request("bell-", id, GPIO_V2_LINE_FLAG_INPUT |
				 GPIO_V2_LINE_FLAG_EDGE_RISING);
	return d->ring_fd >= 0 && d->bell_fd >= 0;
}

static void tdb_close(struct tdb *d)
{
	if (d->ring_fd >= 0)
		close(d->ring_fd);
	if (d->bell_fd >= 0)
		close(d->bell_fd);
	if (d->words != NULL)
		tlib_unmap(&d->map);
}

static bool tdb_set(int fd, uint64_t value)
{
	struct gpio_v2_line_values v = { .bits = value, .mask = 1 };
	return ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) == 0;
}

/* A rising edge on the ring line (then low again, ready for the next). */
static bool tdb_ring(struct tdb *d)
{
	if (tdb_set(d->ring_fd, 1) && tdb_set(d->ring_fd, 0))
		return true;
	printf("FAIL linux-doorbell-ring %s got=%s want=ok\n", d->region.id, strerror(errno));
	return false;
}

/* Sleep until the bell line has an event (or @timeout_ms passes): true if rung. */
static bool tdb_sleep(struct tdb *d, int timeout_ms)
{
	struct pollfd p = { .fd = d->bell_fd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	struct gpio_v2_line_event ev;
	if (read(d->bell_fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev))
		return false;
	d->wakeups++;
	return true;
}

/* ---- commands ---------------------------------------------------------------- */

static int tdb_lines(void)
{
	int found = 0;
	for (unsigned int n = 0; n < TDB_MAX_CHIPS; n++) {
		char dev[TLIB_PATH_MAX];
		snprintf(dev, sizeof(dev), "/dev/gpiochip%u", n);
		int fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct gpiochip_info chip;
		memset(&chip, 0, sizeof(chip));
		for (unsigned int i = 0; ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &chip) == 0 &&
					 i < chip.lines; i++) {
			struct gpio_v2_line_info info;
			memset(&info, 0, sizeof(info));
			info.offset = i;
			if (ioctl(fd, GPIO_V2_GET_LINEINFO_IOCTL, &info) != 0 ||
			    (strncmp(info.name, "ring-", TDB_NAME_PREFIX_LEN) != 0 &&
			     strncmp(info.name, "bell-", TDB_NAME_PREFIX_LEN) != 0))
				continue;
			printf("linux: doorbell line %s %s %u %s\n", chip.label, dev, i, info.name);
			found++;
		}
		close(fd);
	}
	if (found == 0)
		printf("FAIL linux-doorbell-lines got=0 want=lines\n");
	return found ? 0 : 1;
}

static int tdb_ring_once(const char *id)
{
	struct tdb d;
	bool ok = tdb_open(&d, id) && tdb_ring(&d);
	tdb_close(&d);
	if (ok)
		printf("PASS linux-doorbell-ring %s\n", id);
	return ok ? 0 : 1;
}

/*
 * The "no polling" check: mark the region, sleep in poll()/read() until
 * the kicker rings, and report how long that was and how much CPU time the
 * process used meanwhile (getrusage: user + system).
 */
static int tdb_wait(const char *id, unsigned long timeout_s)
{
	struct tdb d;
	if (!tdb_open(&d, id)) {
		tdb_close(&d);
		return 1;
	}
	uint64_t t0 = tlib_now_us(), c0 = tlib_cpu_us();
	d.words[0] = TDB_WAITING;
	tlib_barrier();
	bool rung = tdb_sleep(&d, (int)(timeout_s * MS_PER_S));
	uint64_t waited = tlib_now_us() - t0, cpu = tlib_cpu_us() - c0;
	tdb_close(&d);
	if (!rung) {
		printf("FAIL linux-doorbell-wait %s got=timeout want=rung\n", id);
		return 1;
	}
	printf("linux: doorbell %s waited %" PRIu64 " ms, cpu %" PRIu64 " ms\n", id,
	       waited / US_PER_MS, cpu / US_PER_MS);
	printf("PASS linux-doorbell-wait %s\n", id);
	return 0;
}

static int tdb_kick(const char *id, unsigned long delay_ms, unsigned long timeout_s)
{
	struct tdb d;
	if (!tdb_open(&d, id)) {
		tdb_close(&d);
		return 1;
	}
	uint64_t deadline = tlib_now_us() + (uint64_t)timeout_s * MS_PER_S * US_PER_MS;
	while (d.words[0] != TDB_WAITING && tlib_now_us() < deadline) {
		struct timespec t = { 0, TDB_MARK_POLL_NS };
		nanosleep(&t, NULL);
	}
	bool marked = d.words[0] == TDB_WAITING;
	d.words[0] = 0;
	struct timespec t = { (time_t)(delay_ms / MS_PER_S),
			      (long)(delay_ms % MS_PER_S) * NS_PER_MS };
	nanosleep(&t, NULL);
	bool ok = marked && tdb_ring(&d);
	tdb_close(&d);
	if (!marked)
		printf("FAIL linux-doorbell-kick %s got=no-waiter want=waiter\n", id);
	else if (ok)
		printf("PASS linux-doorbell-kick %s\n", id);
	return ok ? 0 : 1;
}

static uint64_t tdb_payload(uint64_t seq, unsigned int slot)
{
	return seq * TDB_GOLDEN ^ (slot == TDB_PONG_SLOT ? TDB_PONG_SALT : 0);
}

static volatile uint64_t *tdb_slot(struct tdb *d, unsigned int slot)
{
	return d->words + slot * TDB_SLOT_WORDS;
}

static void tdb_send(struct tdb *d, unsigned int slot, uint64_t seq)
{
	volatile uint64_t *s = tdb_slot(d, slot);
	s[1] = tdb_payload(seq, slot);
	tlib_barrier();
	s[0] = seq;
	tlib_barrier();
}

/*
 * One turn of a polling loop, the way Arm spin loops wait (Linux's own
 * included): WFE, which the generic timer's event stream ends at the
 * latest.  A bare spin would be no faster on hardware, and under QEMU's
 * -icount round robin (make bench) it would keep the peer's CPU from
 * running for a whole time slice.
 */
static void tdb_spin_pause(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

/*
 * Wait until @slot carries message @seq (its predecessor is all it may
 * show meanwhile), sleeping on the bell or spinning (@poll).  Writes the
 * FAIL reason to @why on a wrong sequence number, a bad payload or a ring
 * that never comes.
 */
static bool tdb_receive(struct tdb *d, unsigned int slot, uint64_t seq, bool poll,
			char *why, size_t cap)
{
	volatile uint64_t *s = tdb_slot(d, slot);
	for (;;) {
		uint64_t got = s[0];
		tlib_barrier();
		if (got == seq) {
			uint64_t payload = s[1];
			if (payload == tdb_payload(seq, slot))
				return true;
			snprintf(why, cap, "payload %" PRIu64 " got=0x%" PRIx64 " want=0x%" PRIx64,
				 seq, payload, tdb_payload(seq, slot));
			return false;
		}
		if (got != seq - 1) {
			snprintf(why, cap, "seq got=%" PRIu64 " want=%" PRIu64, got, seq);
			return false;
		}
		if (poll)
			tdb_spin_pause();
		else if (!tdb_sleep(d, TDB_LOST_MS)) {
			snprintf(why, cap, "lost-doorbell %" PRIu64 " got=timeout want=ring", seq);
			return false;
		}
	}
}

/* Both sides of the exchange: ping sends 1..count and waits for each answer; pong answers. */
static int tdb_exchange(const char *id, bool ping, unsigned long count, bool poll)
{
	const char *what = ping ? "ping" : "pong";
	struct tdb d;
	if (!tdb_open(&d, id)) {
		tdb_close(&d);
		return 1;
	}
	unsigned int mine = ping ? TDB_PING_SLOT : TDB_PONG_SLOT;
	unsigned int theirs = ping ? TDB_PONG_SLOT : TDB_PING_SLOT;
	char why[TLIB_PATH_MAX] = "";
	bool ok = true;
	uint64_t base = tdb_slot(&d, mine)[0];
	uint64_t t0 = 0, c0 = 0;
	for (uint64_t seq = base + 1; ok && seq <= base + count; seq++) {
		if (!ping)
			ok = tdb_receive(&d, theirs, seq, poll, why, sizeof(why));
		if (ok) {
			tdb_send(&d, mine, seq);
			ok = poll || tdb_ring(&d);
		}
		if (ok && ping)
			ok = tdb_receive(&d, theirs, seq, poll, why, sizeof(why));
		if (seq == base + 1) {        /* the first exchange is the rendezvous: not timed */
			t0 = tlib_now_ns();
			c0 = tlib_cpu_us();
		}
	}
	uint64_t elapsed = tlib_now_ns() - t0, cpu = tlib_cpu_us() - c0, timed = count - 1;
	tdb_close(&d);
	if (!ok) {
		printf("FAIL linux-doorbell-%s %s %s\n", what, id, why);
		return 1;
	}
	printf("linux: doorbell %s %s %lu messages%s in %" PRIu64 " ms (%" PRIu64 " ns per round "
	       "trip), cpu %" PRIu64 " ms, wakeups %lu\n", id, what, count, poll ? " polled" : "",
	       elapsed / NS_PER_MS, elapsed / timed, cpu / US_PER_MS, d.wakeups);
	printf("PASS linux-doorbell-%s %s %lu\n", what, id, count);
	return 0;
}

static int tdb_usage(void)
{
	fprintf(stderr, "usage: tdoorbell lines | ring <id> | wait <id> <timeout-s> |\n"
			"       kick <id> <delay-ms> <timeout-s> | ping|pong <id> <count> [poll]\n");
	return 2;
}

static unsigned long tdb_arg(int argc, char **argv, int i)
{
	return i < argc ? strtoul(argv[i], NULL, DECIMAL) : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *cmd = argc > 1 ? argv[1] : "";
	if (strcmp(cmd, "lines") == 0)
		return tdb_lines();
	if (argc < 3)
		return tdb_usage();
	const char *id = argv[2];
	if (strcmp(cmd, "ring") == 0)
		return tdb_ring_once(id);
	if (strcmp(cmd, "wait") == 0 && argc == 4)
		return tdb_wait(id, tdb_arg(argc, argv, 3));
	if (strcmp(cmd, "kick") == 0 && argc == 5)
		return tdb_kick(id, tdb_arg(argc, argv, 3), tdb_arg(argc, argv, 4));
	bool poll = argc == 5 && strcmp(argv[4], "poll") == 0;
	if ((strcmp(cmd, "ping") == 0 || strcmp(cmd, "pong") == 0) && (argc == 4 || poll) &&
	    tdb_arg(argc, argv, 3) >= TDB_MIN_MESSAGES)
		return tdb_exchange(id, cmd[1] == 'i', tdb_arg(argc, argv, 3), poll);
	return tdb_usage();
}
