#pragma once
/*
 * /chosen/bootargs as space-separated "key=value" words.  The line is copied
 * at start-up, so it stays valid after a guest overwrites the DTB.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTARGS_MAX	512

/* Copies the line (truncated to BOOTARGS_MAX - 1); NULL means none. */
void bootargs_init(const char *line);
const char *bootargs_line(void);
/* Copies the value of key into buf; false when key is absent or too long. */
bool bootargs_get(const char *key, char *buf, size_t len);
/* Decimal or 0x-hex value; false when absent or malformed. */
bool bootargs_get_u64(const char *key, uint64_t *val);
/* A size: bytes, or a number with a K, M or G suffix (binary units). */
bool bootargs_get_size(const char *key, uint64_t *val);
/* Parses a whole string as bootargs_get_u64 / _size would. */
bool bootargs_parse_u64(const char *s, uint64_t *val);
bool bootargs_parse_size(const char *s, uint64_t *val);
