/*
 * The partition life cycle (include/life.h): every transition of a
 * partition and its vCPUs, and the power-off count.  Pure C: the caller
 * holds the partition's lock and does the work (build, teardown, STOP and
 * RUN requests) that a transition asks for.
 *
 * One rule keeps the count right: vcpus_on changes only in vcpu_set(), the
 * one place a vCPU's state changes.
 */
#include <stdio.h>

#include "life.h"
#include "public/psci.h"

#define POWER_OFF_FLAG  0x80000000u     /* life_power.word: powering off */

static void vcpu_set(struct life *l, unsigned int v, enum vcpu_state s)
{
	bool was_on = l->vcpu[v] != VCPU_OFF, is_on = s != VCPU_OFF;

	l->vcpu[v] = s;
	if (was_on && !is_on)
		l->vcpus_on--;
	else if (!was_on && is_on)
		l->vcpus_on++;
}

void life_init(struct life *l, unsigned int vcpu_count)
{
	*l = (struct life){ .state = PART_STOPPED, .want = PART_STOPPED, .vcpu_count = vcpu_count };
}

/*
 * RUNNING -> STOPPING.  A pending start will never be taken (vCPU: ON_PENDING
 * -> OFF); the caller's own vCPU is let go at once (ON -> OFF: it is in EL2
 * and will not return to the guest); every vCPU that was ON gets a STOP
 * request (stop_mask), the caller's too, so that its way back to the guest
 * notices.
 */
static void stop_begin(struct life *l, enum part_state then, unsigned int self)
{
	l->state = PART_STOPPING;
	l->want = then;
	l->stop_mask = 0;
	for (unsigned int v = 0; v < l->vcpu_count; v++) {
		if (l->vcpu[v] == VCPU_ON_PENDING)
			vcpu_set(l, v, VCPU_OFF);
		if (l->vcpu[v] != VCPU_ON)
			continue;
		l->stop_mask |= 1u << v;
		if (v == self)
			vcpu_set(l, v, VCPU_OFF);
	}
}

/* STOPPED -> STARTING, holding the machine on (no power-off while it starts). */
static enum life_step start_begin(struct life *l, struct life_power *pw)
{
	if (!life_power_hold(pw))
		return LIFE_REFUSED;
	l->state = PART_STARTING;
	l->want = PART_RUNNING;
	return LIFE_BUILD;
}

enum life_step life_request(struct life *l, struct life_power *pw, enum life_req r,
			    unsigned int self)
{
	enum part_state target = r == LIFE_STOP ? PART_STOPPED : PART_RUNNING;

	switch (l->state) {
	case PART_STOPPED:
		return r == LIFE_STOP ? LIFE_NOTHING : start_begin(l, pw);
	case PART_RUNNING:
		if (r == LIFE_START)
			return LIFE_NOTHING;
		stop_begin(l, target, self);
		return LIFE_TEARDOWN;
	case PART_STARTING:
	case PART_STOPPING:
	default:
		/* The driver heads for the latest request's state. */
		l->want = target;
		return LIFE_WAIT;
	}
}

enum life_step life_guest_request(struct life *l, enum life_req r, unsigned int self)
{
	if (l->state != PART_RUNNING) {
		/* A stop or restart is already under way: it wins; this vCPU just goes. */
		if (self < l->vcpu_count && l->vcpu[self] == VCPU_ON)
			vcpu_set(l, self, VCPU_OFF);
		return LIFE_NOTHING;
	}
	stop_begin(l, r == LIFE_STOP ? PART_STOPPED : PART_RUNNING, self);
	return LIFE_TEARDOWN;
}

/* Back to STOPPED: the machine may power off now. */
static enum part_state to_stopped(struct life *l, struct life_power *pw, bool *power_off)
{
	l->state = PART_STOPPED;
	l->want = PART_STOPPED;
	*power_off = life_power_release(pw);
	return PART_STOPPED;
}

enum part_state life_build_done(struct life *l, struct life_power *pw, bool ok, bool *power_off)
{
	*power_off = false;
	if (!ok)
		return to_stopped(l, pw, power_off);     /* the build undid itself */
	if (l->want == PART_STOPPED) {
		/* Stopped while starting: undo it like any stop (no vCPU is on). */
		l->state = PART_STOPPING;
		l->stop_mask = 0;
		return PART_STOPPING;
	}
	l->state = PART_RUNNING;
	vcpu_set(l, 0, VCPU_ON_PENDING);         /* vCPU 0 starts; PSCI CPU_ON the others */
	return PART_RUNNING;
}

enum part_state life_teardown_done(struct life *l, struct life_power *pw, bool *power_off)
{
	*power_off = false;
	if (l->want == PART_RUNNING) {
		l->state = PART_STARTING;        /* a restart: still holding the machine on */
		return PART_STARTING;
	}
	return to_stopped(l, pw, power_off);
}

int life_cpu_on(struct life *l, unsigned int v)
{
	if (l->state != PART_RUNNING)
		return PSCI_RET_INTERNAL_FAILURE;    /* stopping: the caller is let go too */
	switch (l->vcpu[v]) {
	case VCPU_ON: return PSCI_RET_ALREADY_ON;
	case VCPU_ON_PENDING: return PSCI_RET_ON_PENDING;
	case VCPU_OFF:
	default:
		vcpu_set(l, v, VCPU_ON_PENDING);
		return PSCI_RET_SUCCESS;
	}
}

bool life_cpu_off(struct life *l, unsigned int v)
{
	if (l->vcpu[v] == VCPU_ON)
		vcpu_set(l, v, VCPU_OFF);
	if (l->state != PART_RUNNING || l->vcpus_on != 0)
		return false;
	/* The last vCPU went off: the partition stops (DESIGN §5, PSCI CPU_OFF). */
	l->state = PART_STOPPING;
	l->want = PART_STOPPED;
	l->stop_mask = 0;
	return true;
}

bool life_claim(struct life *l, unsigned int v)
{
	if (l->state != PART_RUNNING || l->vcpu[v] != VCPU_ON_PENDING)
		return false;
	vcpu_set(l, v, VCPU_ON);
	return true;
}

bool life_leave(struct life *l, unsigned int v)
{
	if (l->vcpu[v] == VCPU_ON && l->state == PART_RUNNING)
		return false;
	if (l->vcpu[v] == VCPU_ON)
		vcpu_set(l, v, VCPU_OFF);        /* its partition stops: let it go */
	return true;
}

bool life_stable(const struct life *l)
{
	return l->state == PART_STOPPED || l->state == PART_RUNNING;
}

const char *life_state_name(enum part_state s)
{
	switch (s) {
	case PART_STOPPED: return "stopped";
	case PART_STARTING: return "starting";
	case PART_RUNNING: return "running";
	case PART_STOPPING: return "stopping";
	default: return "?";
	}
}

static int fail(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	return -1;
}

int life_check(const struct life *l, char *why, size_t len)
{
	unsigned int on = 0, pending = 0;

	if (l->vcpu_count == 0 || l->vcpu_count > CFG_MAX_VCPUS)
		return fail(why, len, "vcpu_count out of range");
	if (l->state > PART_STOPPING)
		return fail(why, len, "unknown state");
	if (l->want != PART_RUNNING && l->want != PART_STOPPED)
		return fail(why, len, "want is not RUNNING or STOPPED");
	for (unsigned int v = 0; v < l->vcpu_count; v++) {
		if (l->vcpu[v] > VCPU_ON)
			return fail(why, len, "unknown vCPU state");
		on += l->vcpu[v] != VCPU_OFF;
		pending += l->vcpu[v] == VCPU_ON_PENDING;
	}
	for (unsigned int v = l->vcpu_count; v < CFG_MAX_VCPUS; v++)
		if (l->vcpu[v] != VCPU_OFF)
			return fail(why, len, "a vCPU beyond vcpu_count is not OFF");
	if (l->vcpus_on != on)
		return fail(why, len, "vcpus_on differs from the vCPUs not OFF");
	if ((l->state == PART_STOPPED || l->state == PART_STARTING) && on != 0)
		return fail(why, len, "a stopped or starting partition has a vCPU on");
	if (l->state == PART_STOPPING && pending != 0)
		return fail(why, len, "a stopping partition has a pending vCPU");
	if (l->state == PART_STOPPED && l->want != PART_STOPPED)
		return fail(why, len, "a stopped partition wants to run");
	return 0;
}

bool life_power_hold(struct life_power *pw)
{
	uint32_t w = __atomic_load_n(&pw->word, __ATOMIC_RELAXED);

	do {
		if (w & POWER_OFF_FLAG)
			return false;
	} while (!__atomic_compare_exchange_n(&pw->word, &w, w + 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

bool life_power_release(struct life_power *pw)
{
	uint32_t zero = 0;

	if (__atomic_sub_fetch(&pw->word, 1, __ATOMIC_ACQ_REL) != 0)
		return false;
	/* A start that took a hold meanwhile wins: then nobody powers off. */
	return __atomic_compare_exchange_n(&pw->word, &zero, POWER_OFF_FLAG, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

bool life_power_is_off(const struct life_power *pw)
{
	return (__atomic_load_n(&pw->word, __ATOMIC_ACQUIRE) & POWER_OFF_FLAG) != 0;
}
