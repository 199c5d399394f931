# Linux guests (docs/linux-guests.md), included by the top Makefile.
#   make linux          build/linux/Image + build/linux/initramfs.cpio.gz
#                       + build/linux/pt-disk.img (the passthrough demo's disk)
#   make linux-check    both booted on plain QEMU (writer, then reader)
# The kernel and busybox come from Debian packages that tools/linux-deps.sh
# downloads and unpacks under build/linux/ (never installed); the initramfs
# is built here from guests/linux/initramfs.list.
LINUX_B      := $(B)/linux
LINUX_IMAGE  := $(LINUX_B)/Image
LINUX_INITRD := $(LINUX_B)/initramfs.cpio.gz
LINUX_STAMP  := $(LINUX_B)/.deps-ok
LINUX_TSHM   := $(LINUX_B)/tshm
LINUX_TBLK   := $(LINUX_B)/tblk
LINUX_DISK   := $(LINUX_B)/pt-disk.img
# Kernel modules the initramfs carries, by name: found in the unpacked
# kernel package, whatever its ABI number (tools/linux-deps.sh).
LINUX_MODS   := $(LINUX_B)/modules/virtio_mmio.ko $(LINUX_B)/modules/virtio_blk.ko
LINUX_TDOORBELL := $(LINUX_B)/tdoorbell
LINUX_TCTL   := $(LINUX_B)/tessera-ctl
LINUX_TLIB   := guests/linux/tlib.c guests/linux/tlib.h

# A Linux user program: glibc (libc6-dev-arm64-cross), static, so the
# initramfs needs no loader or libraries.
LINUX_CC     := $(CROSS)gcc
LINUX_CFLAGS := -std=c11 -O2 -static -s $(WARNINGS)

.PHONY: linux linux-check
linux: $(LINUX_IMAGE) $(LINUX_INITRD) $(LINUX_DISK)

# The script keeps its own stamp and returns at once when all is there.
$(LINUX_STAMP): tools/linux-deps.sh
	$(Q)bash tools/linux-deps.sh
	$(Q)touch $(LINUX_STAMP)

$(LINUX_IMAGE): $(LINUX_STAMP)

$(LINUX_TSHM) $(LINUX_TBLK): $(LINUX_B)/%: guests/linux/%.c
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -o $@ $<

$(LINUX_B)/modules/%.ko: $(LINUX_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(Q)src=$$(find $(LINUX_B)/root/kernel/lib/modules -name $*.ko | head -n 1); \
	  [ -n "$$src" ] || { echo "linux: no $*.ko in the kernel package" >&2; exit 1; }; \
	  cp "$$src" $@

# Programs built on guests/linux/tlib.c (device tree, /dev/mem, clocks);
# tessera-ctl also reads Tessera's guest ABI (include/public/).
$(LINUX_TDOORBELL): guests/linux/tdoorbell.c $(LINUX_TLIB)
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -o $@ $< guests/linux/tlib.c

$(LINUX_TCTL): guests/linux/tctl.c $(LINUX_TLIB) include/public/tessera_ctl.h \
               include/public/tessera_hvc.h include/public/guest_platform.h
	$(Q)mkdir -p $(dir $@)
	$(if $(V),,@echo "  CC      $<")
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -Iinclude -o $@ $< guests/linux/tlib.c

$(LINUX_DISK): guests/linux/mkdisk.py
	$(Q)mkdir -p $(dir $@)
	$(Q)/usr/bin/python3 guests/linux/mkdisk.py $@

$(LINUX_INITRD): guests/linux/initramfs.list guests/linux/init \
                 guests/linux/mkinitramfs.py $(LINUX_TSHM) $(LINUX_TBLK) $(LINUX_MODS) \
                 $(LINUX_TDOORBELL) $(LINUX_TCTL) $(LINUX_STAMP)
	$(if $(V),,@echo "  CPIO    $@")
	$(Q)/usr/bin/python3 guests/linux/mkinitramfs.py guests/linux/initramfs.list $@

linux-check: linux
	$(Q)/usr/bin/python3 guests/linux/qemu_check.py
