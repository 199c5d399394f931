#!/usr/bin/env python3
"""Writes the disk image of the passthrough demo (scenarios/passthrough.scn):
SIZE bytes whose 64-bit little-endian word i is SEED ^ ((i + 1) * golden
ratio), the pattern guests/linux/tblk.c checks byte by byte.

    mkdisk.py OUT [--size BYTES]
"""
import argparse
import struct

SEED = 0x5445535345524131          # "TESSERA1", as tblk.c
GOLDEN = 0x9E3779B97F4A7C15
M64 = (1 << 64) - 1
SIZE = 8 << 20                     # 8 MiB
WORD = 8


def pattern(size):
    words = size // WORD
    return struct.pack(f"<{words}Q", *(SEED ^ (((i + 1) * GOLDEN) & M64)
                                       for i in range(words)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--size", type=int, default=SIZE)
    args = p.parse_args()
    with open(args.out, "wb") as f:
        f.write(pattern(args.size))


if __name__ == "__main__":
    main()
