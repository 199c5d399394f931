#!/usr/bin/env python3
"""Builds a gzip-compressed cpio "newc" initramfs from a list in the format
of Linux's usr/gen_init_cpio (see guests/linux/initramfs.list).

    mkinitramfs.py LIST OUT [--root DIR]

Sources are relative to --root (default: the current directory).  Every
entry is owned by the uid/gid the list gives and has mtime 0, so the output
depends only on the inputs, and no root privileges are needed for device
nodes.  Errors (unknown entry type, wrong field count, missing source) are
one line on stderr naming the list line, exit status 2.
"""
import argparse
import gzip
import sys
from pathlib import Path

NEWC_MAGIC = "070701"
TRAILER = "TRAILER!!!"
ALIGN = 4
S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000
S_IFCHR, S_IFBLK = 0o020000, 0o060000
FIELDS = {"dir": 4, "file": 5, "slink": 5, "nod": 7}


class ListError(Exception):
    pass


def _pad(n):
    return b"\0" * (-n % ALIGN)


def newc_entry(ino, name, mode, uid, gid, data=b"", nlink=1, rdev=(0, 0)):
    """One cpio newc record: header, NUL-terminated name, data, each
    padded to 4 bytes (the header is 110 bytes, so the name's padding
    counts from the record's start)."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, uid, gid, nlink, 0, len(data), 0, 0,
              rdev[0], rdev[1], len(name_b), 0]
    head = (NEWC_MAGIC + "".join(f"{f:08x}" for f in fields)).encode()
    return head + name_b + _pad(len(head) + len(name_b)) + data + _pad(len(data))


def parse_line(words, root):
    """(name, mode, uid, gid, data, rdev) of one list line."""
    kind = words[0]
    if kind not in FIELDS:
        raise ListError(f"unknown entry type {kind!r}")
    if len(words) != FIELDS[kind] + 1:
        raise ListError(f"{kind} takes {FIELDS[kind]} fields, got {len(words) - 1}")
    name = words[1].lstrip("/")
    rdev = (0, 0)
    if kind == "dir":
        mode, uid, gid = words[2:5]
        ftype, data = S_IFDIR, b""
    elif kind == "file":
        src = root / words[2]
        if not src.is_file():
            raise ListError(f"{src}: no such file")
        mode, uid, gid = words[3:6]
        ftype, data = S_IFREG, src.read_bytes()
    elif kind == "slink":
        mode, uid, gid = words[3:6]
        ftype, data = S_IFLNK, words[2].encode()
    else:
        mode, uid, gid, dev = words[2:6]
        if dev not in ("c", "b"):
            raise ListError(f"device type {dev!r}: want c or b")
        ftype, data = (S_IFCHR if dev == "c" else S_IFBLK), b""
        rdev = (int(words[6]), int(words[7]))
    return name, ftype | int(mode, 8), int(uid), int(gid), data, rdev


def build_cpio(list_path, root):
    out = bytearray()
    ino = 1
    for lineno, line in enumerate(Path(list_path).read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        try:
            name, mode, uid, gid, data, rdev = parse_line(words, root)
        except (ListError, ValueError) as e:
            raise ListError(f"{list_path}:{lineno}: {e}") from None
        nlink = 2 if mode & S_IFDIR == S_IFDIR else 1
        out += newc_entry(ino, name, mode, uid, gid, data, nlink, rdev)
        ino += 1
    out += newc_entry(0, TRAILER, 0, 0, 0)
    return bytes(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("list")
    ap.add_argument("out")
    ap.add_argument("--root", default=".")
    args = ap.parse_args(argv)
    try:
        cpio = build_cpio(args.list, Path(args.root))
    except (ListError, OSError) as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 2
    tmp = Path(args.out + ".tmp")
    with open(tmp, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(cpio)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
