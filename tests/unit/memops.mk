UNIT_TESTS += memops
UNIT_SRCS_memops := mm/memops.c
# The hypervisor's versions under other names, next to the host libc's.
UNIT_CFLAGS_memops := -fno-builtin -Dmemset=ts_memset -Dmemcpy=ts_memcpy -Dmemmove=ts_memmove \
	-Dmemchr=ts_memchr -Dmemcmp=ts_memcmp -Dstrlen=ts_strlen -fno-sanitize=address
