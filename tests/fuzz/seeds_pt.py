#!/usr/bin/env python3
"""Seeds for fuzz_cfg and fuzz_guest_fdt with device passthrough.

Each seed is a host DTB whose partitions have a multiboot,device-tree
module, followed (from the next 8-byte boundary) by the partial device
trees those modules hold: the input's tail, which the harnesses hand to
cfg_parse() through cfg_platform.read_module (tests/fuzz/fuzz_common.h).
Written once into tests/fuzz/corpus/{cfg,guest_fdt}/seed-pt-*.dtb; the
mutator and `make fuzz-merge` take it from there (docs/fuzzing.md).

    /usr/bin/python3 tests/fuzz/seeds_pt.py
"""
import os
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = [os.path.join(TOP, "tests/fuzz/corpus", h) for h in ("cfg", "guest_fdt")]

# QEMU virt's devices as in tests/unit/test_cfg_pt.c; the platform the
# harness checks against comes from the header's boot_cpuid_phys (dtc -b).
HOST = """/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <2>; interrupt-parent = <&gic>;
  gic: intc@8000000 { compatible = "%(gic)s"; interrupt-controller; #interrupt-cells = <3>;
    reg = <0 0x8000000 0 0x10000 0 0x80a0000 0 0xf60000>; };
  pl011@9000000 { compatible = "arm,pl011"; reg = <0 0x9000000 0 0x1000>; interrupts = <0 1 4>; };
  pl031@9010000 { compatible = "arm,pl031"; reg = <0 0x9010000 0 0x1000>; interrupts = <0 2 4>;
    xen,passthrough; };
  pl061@9030000 { compatible = "arm,pl061"; reg = <0 0x9030000 0 0x1000>; interrupts = <0 7 4>;
    xen,passthrough; };
  virtio_mmio@a003e00 { compatible = "virtio,mmio"; reg = <0 0xa003e00 0 0x200>;
    interrupts = <0 0x2f 1>; xen,passthrough; };
  chosen { #address-cells = <1>; #size-cells = <1>;
%(domains)s  };
};
"""
DOMAIN = """    %(name)s { compatible = "xen,domain"; #address-cells = <1>; #size-cells = <1>;
      memory = <0 131072>; cpus = <1>; vpl011; %(extra)s
      module@%(k)x { compatible = "multiboot,kernel", "multiboot,module"; reg = <0x%(k)x 0x800000>; };
      module@%(d)x { compatible = "multiboot,device-tree", "multiboot,module"; reg = <0x%(d)x 0x1000>; };
    };
"""
PARTIAL = """/dts-v1/;
/ {
  #address-cells = <2>; #size-cells = <2>;
  gic: gic { #interrupt-cells = <3>; interrupt-controller; };
%(extra)s  passthrough { compatible = "simple-bus"; ranges; #address-cells = <2>; #size-cells = <2>;
%(devices)s  };
};
"""
RTC = """    rtc@9010000 { compatible = "arm,pl031", "arm,primecell"; reg = <0 0x9010000 0 0x1000>;
      interrupt-parent = <&gic>; interrupts = <0 2 4>; %(clk)s
      xen,reg = <0 0x9010000 0 0x1000 0 0x9010000>; xen,path = "/pl031@9010000";
      xen,force-assign-without-iommu; };
"""
GPIO = """    gpio@9030000 { compatible = "arm,pl061"; reg = <0 0x9030000 0 0x1000>;
      interrupt-parent = <&gic>; interrupts = <0 7 4>;
      xen,reg = <0 0x9030000 0 0x1000 0 0x30000000>; xen,path = "/pl061@9030000";
      xen,force-assign-without-iommu; };
"""
VIRTIO = """    virtio_mmio@a003e00 { compatible = "virtio,mmio"; reg = <0 0xa003e00 0 0x200>;
      interrupt-parent = <&gic>; interrupts = <0 0x2f 1>; dma-coherent;
      xen,reg = <0 0xa003000 0 0x1000 0 0xa003000>; xen,path = "/virtio_mmio@a003e00";
      xen,force-assign-without-iommu; };
"""
CLOCK = """    clk: apb-pclk { compatible = "fixed-clock"; #clock-cells = <0>;
      clock-frequency = <24000000>; phandle = <0x20>; };
"""
ALIASES = """  aliases { rtc0 = "/passthrough/rtc@9010000"; };
"""


def dtc(src, boot_cpu=0):
    out = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-b", str(boot_cpu)],
                         input=src.encode(), capture_output=True, check=True)
    return out.stdout


def domain(name, kernel, dtb, extra=""):
    return DOMAIN % {"name": name, "k": kernel, "d": dtb, "extra": extra}


def partial(devices, extra=""):
    return dtc(PARTIAL % {"devices": devices, "extra": extra})


def seed(name, domains, partials, boot_cpu=0, gic="arm,gic-v3"):
    blob = dtc(HOST % {"domains": domains, "gic": gic}, boot_cpu)
    for p in partials:
        blob += bytes(-len(blob) % 8) + p
    for d in OUT:
        with open(os.path.join(d, "seed-pt-%s.dtb" % name), "wb") as f:
            f.write(blob)


def main():
    rtc = RTC % {"clk": ""}
    seed("rtc", domain("domU1", 0x42000000, 0x44000000), [partial(rtc)])
    # platform 1 (GICv2, 36-bit IPA): the host GIC is a GIC-400
    seed("rtc-v2", domain("domU1", 0x42000000, 0x44000000), [partial(rtc)], boot_cpu=1,
         gic="arm,cortex-a15-gic")
    seed("two", domain("domU1", 0x42000000, 0x44000000) + domain("domU2", 0x43000000, 0x44100000),
         [partial(rtc), partial(VIRTIO + GPIO)])
    seed("direct", domain("domU1", 0x42000000, 0x44000000,
                          "direct-map; xen,static-mem = <0x50000000 0x8000000>;"),
         [partial(VIRTIO)])
    seed("aliases", domain("domU1", 0x42000000, 0x44000000),
         [partial(CLOCK + RTC % {"clk": "clocks = <0x20>; clock-names = \"apb_pclk\";"},
                  ALIASES)])


if __name__ == "__main__":
    main()
