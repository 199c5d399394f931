# The console's formatter (vdev/console_fmt.c) against the host C library's
# vsnprintf: every conversion it takes, truncation, and what it hands over.
UNIT_TESTS += console_fmt
UNIT_SRCS_console_fmt := vdev/console_fmt.c
UNIT_CFLAGS_console_fmt := -Ivdev
