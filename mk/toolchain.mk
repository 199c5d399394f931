# Shared toolchain settings: the freestanding aarch64 target (hypervisor and
# bare-metal guests) and the host build (unit tests, fuzzers).  DESIGN.md §1.
CROSS        ?= aarch64-linux-gnu-
TARGET_CC    := $(CROSS)gcc
TARGET_LD    := $(CROSS)ld
TARGET_OBJCOPY := $(CROSS)objcopy
TARGET_NM    := $(CROSS)nm
PICOLIBC     := /usr/lib/picolibc/aarch64-linux-gnu
DEPS_ARM64   := $(CURDIR)/build/deps/arm64/usr
LIBFDT_ARM64 := $(DEPS_ARM64)/lib/aarch64-linux-gnu/libfdt.a
LIBGCC_ARM64 = $(shell $(TARGET_CC) -print-libgcc-file-name)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wundef -Wvla -fno-common

# picolibc's headers first, then the compiler's, then libfdt's: never glibc's.
TARGET_INCLUDES = -nostdinc -isystem $(PICOLIBC)/include \
                  -isystem $(shell $(TARGET_CC) -print-file-name=include) \
                  -idirafter $(DEPS_ARM64)/include

TARGET_CFLAGS = -std=c11 -O2 -g $(WARNINGS) -ffreestanding -fno-pic -fno-pie \
                -mcpu=cortex-a57 -mstrict-align -fno-stack-protector \
                -ffile-prefix-map=$(CURDIR)=. $(TARGET_INCLUDES) -MMD -MP
TARGET_LDFLAGS := -nostdlib -static -no-pie --build-id=none --fatal-warnings \
                  --no-warn-rwx-segments \
                  --gc-sections
TARGET_LIBS = $(LIBFDT_ARM64) $(PICOLIBC)/lib/libc.a $(LIBGCC_ARM64)

HOST_CC     ?= gcc
HOST_CFLAGS := -std=c11 -O1 -g $(WARNINGS) -fsanitize=address,undefined \
               -fno-omit-frame-pointer -fno-sanitize-recover=all \
               -DTS_HOST_BUILD
HOST_LDFLAGS := -fsanitize=address,undefined
