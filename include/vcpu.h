#pragma once
/*
 * Running vCPUs on their pinned physical CPUs (core/vcpu.c): entering a
 * vCPU, the idle loop, and the request/kick protocol between CPUs
 * (docs/architecture.md section 5).
 */
#include <stdint.h>

#include "pcpu.h"

struct vcpu;

/* Leave this CPU's vCPU (marking it off) and wait for a RUN request: never returns. */
void pcpu_idle(void) __attribute__((noreturn));
/*
 * Ask @v's CPU to take @v's pending start (life state ON_PENDING, entry and
 * context set under the partition lock by whoever made it pending).
 */
void vcpu_request_run(struct vcpu *v);
/* Post a request to @cpu and wake it (SEV, or an SGI if it runs a guest). */
void pcpu_send_request(unsigned int cpu, enum pcpu_request req);
/* Make @cpu leave its guest (if any) and look at its vCPU's interrupts. */
void pcpu_kick(unsigned int cpu);
struct vcpu *current_vcpu(void);
/* On the way back to a guest: act on requests other CPUs posted (may not return). */
void vcpu_check_requests(void);
/*
 * For a CPU waiting at EL2 (for a partition to stop, say): if its own vCPU
 * was asked to stop (its partition is stopping), let it go now (it is never resumed), so that whoever
 * stops that partition never waits for a CPU that waits for it.
 */
void vcpu_answer_stop(void);
