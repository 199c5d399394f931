/*
 * ctl_test=hvc: the control hypercalls (include/public/tessera_ctl.h) from a
 * bare-metal guest.  ctl_peer=<ID> names a running partition to stop,
 * start and restart; ctl_role=control checks everything a control
 * partition gets and ends by stopping itself (the call must not return);
 * ctl_role=denied checks that a non-control partition gets
 * TESSERA_RET_DENIED from everything but SELF.
 */
#include <string.h>

#include "ctl.h"
#include "public/tessera_ctl.h"

#define HVC_WORDS       8u
#define HVC_UNKNOWN     0xC6000005u     /* inside Tessera's range, no such call */
#define NO_SUCH_ID      31u
#define NO_SUCH_REGION  900u
#define STATE_OF(res)   (((res) >> TESSERA_RESULT_STATE_SHIFT) & TESSERA_STATE_MASK)

/* HVC #0 with x0 = @fn, x1 = @arg; x0..x7 back in @out. */
static void hvc(uint32_t fn, uint64_t arg, uint64_t out[HVC_WORDS])
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = arg;
	register uint64_t x2 __asm__("x2") = 0;
	register uint64_t x3 __asm__("x3") = 0;
	register uint64_t x4 __asm__("x4") = 0;
	register uint64_t x5 __asm__("x5") = 0;
	register uint64_t x6 __asm__("x6") = 0;
	register uint64_t x7 __asm__("x7") = 0;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
			 "+r"(x6), "+r"(x7) : : "memory");
	uint64_t v[HVC_WORDS] = { x0, x1, x2, x3, x4, x5, x6, x7 };
	memcpy(out, v, sizeof(v));
}

static int64_t ret(const uint64_t out[HVC_WORDS])
{
	return (int64_t)out[0];
}

/* The op's return code and the state it left (x1: the result word). */
static void check_op(const char *what, uint32_t fn, uint64_t id, int64_t want, uint64_t state)
{
	uint64_t o[HVC_WORDS];
	hvc(fn, id, o);
	report_check_hex(what, (uint64_t)ret(o) << 8 | STATE_OF(o[1]),
			 (uint64_t)want << 8 | state);
}

static void hvc_control(uint64_t peer)
{
	uint64_t o[HVC_WORDS];
	hvc(TESSERA_HVC_CTL_SELF, 0, o);
	report_check_hex("ctl-self", o[1], TESSERA_SELF_CONTROL | 0);
	report_check_hex("ctl-counts", o[2], 3u | (1u << TESSERA_COUNTS_REGIONS_SHIFT));
	hvc(TESSERA_HVC_CTL_PART_INFO, 0, o);
	char name[TESSERA_NAME_BYTES + 1] = "";
	memcpy(name, &o[2], TESSERA_NAME_BYTES);
	report_check_hex("ctl-info-self", (uint64_t)ret(o) << 32 | (o[1] & (TESSERA_STATE_MASK |
			 TESSERA_STATE_CONTROL | TESSERA_STATE_SELF)),
			 TESSERA_STATE_RUNNING | TESSERA_STATE_CONTROL | TESSERA_STATE_SELF);
	gprintf("ctl: partition 0 is %s\n", name);
	hvc(TESSERA_HVC_CTL_PART_INFO, peer, o);
	memcpy(name, &o[2], TESSERA_NAME_BYTES);
	gprintf("ctl: partition %lu is %s, state word 0x%lx\n", peer, name, o[1]);
	report_check_dec("ctl-info-peer", (uint64_t)ret(o) == 0 ? 0 : 1, 0);
	hvc(TESSERA_HVC_CTL_PART_INFO, NO_SUCH_ID, o);
	report_check_dec("ctl-info-no-such-id", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_INVALID);
	hvc(TESSERA_HVC_CTL_SHM_INFO, 0, o);
	char id[TESSERA_SHM_ID_BYTES + 1] = "";
	memcpy(id, &o[5], TESSERA_SHM_ID_BYTES);
	gprintf("ctl: region %s owner 0x%lx refs %lu named 0x%lx mapped 0x%lx revoked 0x%lx "
		"size 0x%lx\n", id, (uint64_t)(o[1] & TESSERA_SHM_OWNER_MASK),
		(uint64_t)(o[1] >> TESSERA_SHM_REFS_SHIFT), o[2], o[3], o[4], o[7]);
	hvc(TESSERA_HVC_CTL_SHM_INFO, NO_SUCH_REGION, o);
	report_check_dec("ctl-shm-no-such-region", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_INVALID);
	hvc(HVC_UNKNOWN, 0, o);
	report_check_dec("ctl-unknown-call", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_NOT_SUPPORTED);
	check_op("ctl-stop", TESSERA_HVC_CTL_STOP, peer, TESSERA_RET_OK, TESSERA_STATE_STOPPED);
	check_op("ctl-stop-again", TESSERA_HVC_CTL_STOP, peer, TESSERA_RET_ALREADY,
		 TESSERA_STATE_STOPPED);
	hvc(TESSERA_HVC_CTL_SHM_INFO, 0, o);
	gprintf("ctl: region 0x0 after the stop: refs %lu mapped 0x%lx\n",
		(uint64_t)(o[1] >> TESSERA_SHM_REFS_SHIFT), o[3]);
	check_op("ctl-start", TESSERA_HVC_CTL_START, peer, TESSERA_RET_OK, TESSERA_STATE_RUNNING);
	check_op("ctl-start-again", TESSERA_HVC_CTL_START, peer, TESSERA_RET_ALREADY,
		 TESSERA_STATE_RUNNING);
	check_op("ctl-restart", TESSERA_HVC_CTL_RESTART, peer, TESSERA_RET_OK, TESSERA_STATE_RUNNING);
	check_op("ctl-stop-no-such-id", TESSERA_HVC_CTL_STOP, NO_SUCH_ID, TESSERA_RET_INVALID, 0);
	check_op("ctl-stop-peer", TESSERA_HVC_CTL_STOP, peer, TESSERA_RET_OK, TESSERA_STATE_STOPPED);
	gprintf("DONE %u passed %u failed\n", report_passed(), report_failed());
	gprintf("ctl: stopping myself\n");
	hvc(TESSERA_HVC_CTL_STOP, 0, o);
	report_fail("ctl-stop-self got=returned want=no-return");
}

static void hvc_denied(uint64_t peer)
{
	uint64_t o[HVC_WORDS];
	hvc(TESSERA_HVC_CTL_SELF, 0, o);
	report_check_hex("ctl-self-not-control", o[1] & TESSERA_SELF_CONTROL, 0);
	hvc(TESSERA_HVC_CTL_PART_INFO, peer, o);
	report_check_dec("ctl-info-denied", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_DENIED);
	hvc(TESSERA_HVC_CTL_SHM_INFO, 0, o);
	report_check_dec("ctl-shm-denied", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_DENIED);
	for (uint32_t fn = TESSERA_HVC_CTL_STOP; fn <= TESSERA_HVC_CTL_RESTART; fn++) {
		hvc(fn, peer, o);
		report_check_dec("ctl-op-denied", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_DENIED);
		hvc(fn, 0, o);
		report_check_dec("ctl-op-dom0-denied", (uint64_t)-ret(o), (uint64_t)-TESSERA_RET_DENIED);
	}
}

void ctl_hvc_test(void)
{
	char role[CTL_ARG_MAX] = "";
	uint64_t peer = 0;
	bootargs_get("ctl_role", role, sizeof(role));
	bootargs_get_u64("ctl_peer", &peer);
	if (strcmp(role, "control") == 0)
		hvc_control(peer);
	else if (strcmp(role, "denied") == 0)
		hvc_denied(peer);
	else
		report_fail("ctl-role got=%s want=control|denied", role[0] ? role : "none");
}
