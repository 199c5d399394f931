#pragma once
/*
 * The partition life cycle as a small state machine (docs/architecture.md
 * section 9).  Pure: no hardware and no locks, so tests/unit/test_life.c
 * runs it on the host.  core/partition.c calls every function below with
 * the partition's lock held; the only exceptions are the life_power_*
 * functions, which are atomic on their own.
 *
 *   STOPPED --start--> STARTING --built--> RUNNING --stop--> STOPPING --all off--> STOPPED
 *                         |  ^                                  |
 *                         |  +----------- restart --------------+
 *                         +-- failed (undone) --> STOPPED
 *                         +-- a stop asked meanwhile --> STOPPING
 *
 * STARTING and STOPPING belong to the one CPU that entered them (the
 * driver): it does the work with the lock dropped and takes the next
 * transition.  Requests that arrive meanwhile only change `want`, the
 * state the driver heads for next; their callers wait for a stable state.
 * A guest's own request (SYSTEM_OFF, SYSTEM_RESET) counts only while its
 * partition runs: once a stop or start is under way, the caller's vCPU is
 * simply let go.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

enum part_state { PART_STOPPED, PART_STARTING, PART_RUNNING, PART_STOPPING };
enum vcpu_state { VCPU_OFF, VCPU_ON_PENDING, VCPU_ON };

#define LIFE_NO_VCPU  (~0u)             /* "the caller runs no vCPU of this partition" */

struct life {
	enum part_state state;
	enum part_state want;           /* PART_RUNNING or PART_STOPPED */
	unsigned int vcpu_count;
	unsigned int vcpus_on;          /* vCPUs not OFF (ON_PENDING counts: PSCI does) */
	enum vcpu_state vcpu[CFG_MAX_VCPUS];
	/* STOP requests the caller must post (bit n = vCPU n), set by a stop's start. */
	uint32_t stop_mask;
};

enum life_req { LIFE_START, LIFE_STOP, LIFE_RESTART };

/* What the caller of a request does next. */
enum life_step {
	LIFE_NOTHING,       /* already as asked (or a guest request that came too late) */
	LIFE_WAIT,          /* another CPU drives: wait for a stable state */
	LIFE_BUILD,         /* the caller drives: build it (now STARTING) */
	LIFE_TEARDOWN,      /* the caller drives: vCPUs off, then tear down (now STOPPING) */
	LIFE_REFUSED,       /* a start while the machine powers off */
};

/*
 * Partitions not STOPPED, plus the boot's hold, and a flag once the machine
 * is powering off: the CPU whose release takes the count to zero powers
 * off, and no start begins after that.
 */
struct life_power {
	uint32_t word;
};
#define LIFE_POWER_BOOT   { 1 }         /* the boot CPU holds it until every partition started */

void life_init(struct life *l, unsigned int vcpu_count);

/* From outside the partition (the shell, a control partition). */
enum life_step life_request(struct life *l, struct life_power *pw, enum life_req r,
			    unsigned int self);
/* A guest's SYSTEM_OFF (LIFE_STOP) or SYSTEM_RESET (LIFE_RESTART) from vCPU @self. */
enum life_step life_guest_request(struct life *l, enum life_req r, unsigned int self);

/* STARTING, the build done (@ok) or failed: the new state (RUNNING, STOPPED, STOPPING). */
enum part_state life_build_done(struct life *l, struct life_power *pw, bool ok, bool *power_off);
/* STOPPING with every vCPU off, torn down: STOPPED or (restart) STARTING. */
enum part_state life_teardown_done(struct life *l, struct life_power *pw, bool *power_off);

/* PSCI CPU_ON of vCPU @v (PSCI_RET_* of include/public/psci.h). */
int life_cpu_on(struct life *l, unsigned int v);
/* PSCI CPU_OFF of the running vCPU @v; true when it was the last: the caller drives the stop. */
bool life_cpu_off(struct life *l, unsigned int v);
/* @v's CPU takes a pending start: true if it should run it (now ON). */
bool life_claim(struct life *l, unsigned int v);
/* @v's CPU, back from the guest or waiting: true if @v must not run on (let go: now OFF). */
bool life_leave(struct life *l, unsigned int v);

bool life_stable(const struct life *l);
/* The shell's words for a state: "stopped", "starting", "running", "stopping". */
const char *life_state_name(enum part_state s);

/* Invariants; 0, or -1 with a reason in @why.  Run after every transition. */
int life_check(const struct life *l, char *why, size_t len);

/* Atomic without any lock (several partitions release concurrently). */
bool life_power_hold(struct life_power *pw);
/* True: the count reached zero and this caller must power the machine off. */
bool life_power_release(struct life_power *pw);
bool life_power_is_off(const struct life_power *pw);
