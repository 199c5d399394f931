#pragma once
/*
 * Tessera's own hypercalls (SMCCC, DEN0028: fast call, SMC64 convention,
 * owner 6 "vendor specific hypervisor service"), issued with HVC #0.
 * Arguments in x1.., result in x0.  Guest ABI: plain constants only.
 */

/*
 * Ring the doorbell of a shared region: x1 = the region's guest physical
 * address (its reg in /reserved-memory).  Every other partition that has the
 * region mapped now gets the doorbell interrupt on its vCPU 0 (the
 * /hypervisor node's `interrupts`: PPI 15, INTID 31, edge; Xen's
 * GUEST_EVTCHN_PPI).  x0 = how many were rung (0 or
 * more), or -2 (INVALID_PARAMETERS) when x1 is not the base of one of the
 * caller's regions, or -3 (DENIED) when the caller's mapping was revoked.
 */
#define TESSERA_HVC_SHM_DOORBELL  0xC6000001u

#define TESSERA_HVC_OWNER         0x06000000u   /* SMCCC owner field, bits [29:24] */
/* Tessera's function IDs: TESSERA_HVC_FIRST .. TESSERA_HVC_FIRST + TESSERA_HVC_COUNT - 1. */
#define TESSERA_HVC_FIRST         0xC6000001u
#define TESSERA_HVC_COUNT         0x15u

/* Return codes of every Tessera hypercall (x0) and control-device operation. */
#define TESSERA_RET_OK            0    /* done by this call */
#define TESSERA_RET_ALREADY       1    /* it already was as asked: nothing done */
#define TESSERA_RET_JOINED        2    /* another request was under way: waited for it */
#define TESSERA_RET_NOT_SUPPORTED (-1) /* unknown function or register (SMCCC) */
#define TESSERA_RET_INVALID       (-2) /* a bad argument: no such region, partition ... */
#define TESSERA_RET_DENIED        (-3) /* not allowed to the caller (doorbell: revoked) */
#define TESSERA_RET_FAILED        (-4) /* a start failed (the console says why): stopped */
#define TESSERA_RET_REFUSED       (-5) /* not started: the machine is powering off */
