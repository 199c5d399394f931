#pragma once
/*
 * How a host DT names the GICs Tessera knows (Linux bindings
 * interrupt-controller/arm,gic-v3.yaml and arm,gic.yaml), named once for
 * the DT scan (boot/host_dt.c) and the driver that picks a version
 * (gic/gic.c).  Each macro is a list of string literals for an array
 * initializer.
 */

#define GIC_DT_V3        "arm,gic-v3"
/* GICv2 family members with the virtualization extensions (GICH, GICV). */
#define GIC_DT_V2_VIRT   "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a7-gic"
/* Older or smaller GICs without them: no list registers, refused. */
#define GIC_DT_V2_PLAIN  "arm,cortex-a9-gic", "arm,arm11mp-gic", "arm,pl390", \
			 "arm,eb11mp-gic", "arm,tc11mp-gic"
