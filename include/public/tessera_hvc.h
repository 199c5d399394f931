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
#define TESSERA_RET_INVALID       (-2)
#define TESSERA_RET_DENIED        (-3)
