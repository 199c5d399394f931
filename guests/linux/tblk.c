/*
 * tblk: the Linux guests' block-device check (docs/passthrough.md).  Reads
 * a whole block device (a passed-through virtio-blk disk) and checks every
 * byte against the pattern guests/linux/mkdisk.py wrote:
 *   64-bit little-endian word i = TBLK_SEED ^ ((i + 1) * golden ratio).
 *
 *   tblk verify <device> <bytes>   PASS linux-blk-verify <bytes>, or FAIL
 *                                   at the first differing byte
 * Exit status 0 when the check passed, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TBLK_SEED        0x5445535345524131ull   /* "TESSERA1" */
#define TBLK_GOLDEN      0x9E3779B97F4A7C15ull
#define TBLK_CHUNK       (1u << 20)              /* read 1 MiB at a time */
#define WORD             sizeof(uint64_t)
#define BITS_PER_BYTE    8u
#define BYTE_MASK        0xffu

static uint64_t tblk_word(uint64_t i)
{
	return TBLK_SEED ^ ((i + 1) * TBLK_GOLDEN);
}

/* The first byte of @buf (at disk offset @off) that differs; -1 when none. */
static long tblk_check(const unsigned char *buf, size_t len, uint64_t off, unsigned *got,
		       unsigned *want)
{
	for (size_t b = 0; b < len; b++) {
		uint64_t at = off + b;
		unsigned w = (unsigned)(tblk_word(at / WORD) >> (BITS_PER_BYTE * (at % WORD))) & BYTE_MASK;
		if (buf[b] != w) {
			*got = buf[b];
			*want = w;
			return (long)b;
		}
	}
	return -1;
}

static int tblk_verify(const char *dev, uint64_t want_bytes)
{
	static unsigned char buf[TBLK_CHUNK];
	int fd = open(dev, O_RDONLY);
	uint64_t off = 0;

	if (fd < 0) {
		printf("FAIL linux-blk-open %s got=%s want=open\n", dev, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			printf("FAIL linux-blk-read 0x%" PRIx64 " got=%s want=data\n", off, strerror(errno));
			close(fd);
			return 1;
		}
		if (n == 0)
			break;
		unsigned got, want;
		long bad = tblk_check(buf, (size_t)n, off, &got, &want);
		if (bad >= 0) {
			printf("FAIL linux-blk-verify 0x%" PRIx64 " got=0x%02x want=0x%02x\n",
			       off + (uint64_t)bad, got, want);
			close(fd);
			return 1;
		}
		off += (uint64_t)n;
	}
	close(fd);
	if (off != want_bytes) {
		printf("FAIL linux-blk-size got=%" PRIu64 " want=%" PRIu64 "\n", off, want_bytes);
		return 1;
	}
	printf("PASS linux-blk-verify %" PRIu64 "\n", off);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "usage: tblk verify <device> <bytes>\n");
		return 2;
	}
	return tblk_verify(argv[2], strtoull(argv[3], NULL, 0));
}
