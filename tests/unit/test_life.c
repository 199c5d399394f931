/*
 * Unit tests for the partition life cycle (core/life.c): every transition,
 * the races the review found (a CPU_ON during a stop, two starts, a stop
 * during a start or restart), the power-off count, and a random walk over
 * every operation with life_check() after each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "life.h"
#include "public/psci.h"

static struct life l;
static struct life_power pw;

static void check(void)
{
	char why[80] = "";
	int r = life_check(&l, why, sizeof(why));
	if (r != 0)
		fail_msg("life_check: %s", why);
}

static void setup_running(unsigned int vcpus)
{
	life_init(&l, vcpus);
	pw = (struct life_power)LIFE_POWER_BOOT;
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_BUILD);
	bool off = true;
	assert_int_equal(life_build_done(&l, &pw, true, &off), PART_RUNNING);
	assert_false(off);
	assert_true(life_claim(&l, 0));
	check();
}

/* The vCPUs of a stop's stop_mask leave, as their CPUs do on the STOP request. */
static void leave_all(void)
{
	for (unsigned int v = 0; v < l.vcpu_count; v++)
		if (l.stop_mask & (1u << v))
			assert_true(life_leave(&l, v));
	l.stop_mask = 0;
	check();
}

static void test_start_stop(void **state)
{
	(void)state;
	life_init(&l, 2);
	pw = (struct life_power)LIFE_POWER_BOOT;
	check();
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_NOTHING);
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_BUILD);
	assert_int_equal(l.state, PART_STARTING);
	check();
	/* A second start while the first builds: it waits, it never builds too. */
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_WAIT);
	assert_int_equal(life_request(&l, &pw, LIFE_RESTART, LIFE_NO_VCPU), LIFE_WAIT);
	bool off;
	assert_int_equal(life_build_done(&l, &pw, true, &off), PART_RUNNING);
	assert_int_equal(l.vcpu[0], VCPU_ON_PENDING);
	assert_int_equal(l.vcpus_on, 1);
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_NOTHING);
	assert_true(life_claim(&l, 0));
	assert_int_equal(life_cpu_on(&l, 1), PSCI_RET_SUCCESS);
	assert_int_equal(life_cpu_on(&l, 1), PSCI_RET_ON_PENDING);
	assert_true(life_claim(&l, 1));
	assert_int_equal(life_cpu_on(&l, 1), PSCI_RET_ALREADY_ON);
	assert_false(life_leave(&l, 1));        /* running on: stays */
	check();
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_TEARDOWN);
	assert_int_equal(l.stop_mask, 0x3);
	assert_int_equal(l.vcpus_on, 2);        /* still on until their CPUs leave */
	leave_all();
	assert_int_equal(l.vcpus_on, 0);
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STOPPED);
	assert_false(off);                      /* the boot still holds the machine on */
	check();
	assert_true(life_power_release(&pw));   /* the boot's hold: now it powers off */
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_REFUSED);
	assert_int_equal(l.state, PART_STOPPED);
	check();
}

/*
 * The review's wedge: vCPU1 calls CPU_ON for vCPU2 while vCPU0 resets.  Once
 * the stop has begun, CPU_ON must not make vCPU2 pending (nobody would ever
 * take it), and pending vCPUs the stop found are uncounted.
 */
static void test_cpu_on_during_stop(void **state)
{
	(void)state;
	setup_running(3);
	assert_int_equal(life_cpu_on(&l, 1), PSCI_RET_SUCCESS);
	assert_true(life_claim(&l, 1));
	assert_int_equal(life_cpu_on(&l, 2), PSCI_RET_SUCCESS);   /* pending, not yet taken */
	assert_int_equal(l.vcpus_on, 3);
	assert_int_equal(life_guest_request(&l, LIFE_RESTART, 0), LIFE_TEARDOWN);
	assert_int_equal(l.vcpu[0], VCPU_OFF);      /* the caller, let go at once */
	assert_int_equal(l.vcpu[2], VCPU_OFF);      /* never taken: uncounted */
	assert_int_equal(l.vcpus_on, 1);
	assert_int_equal(l.stop_mask, 0x3);
	check();
	/* vCPU1, still in EL2, calls CPU_ON for vCPU2 again: refused. */
	assert_int_equal(life_cpu_on(&l, 2), PSCI_RET_INTERNAL_FAILURE);
	assert_false(life_claim(&l, 2));
	assert_int_equal(l.vcpus_on, 1);
	check();
	/* Another vCPU's SYSTEM_OFF now comes too late: it only lets vCPU1 go. */
	assert_int_equal(life_guest_request(&l, LIFE_STOP, 1), LIFE_NOTHING);
	assert_int_equal(l.vcpus_on, 0);
	assert_int_equal(l.want, PART_RUNNING);
	bool off;
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STARTING);
	check();
	assert_int_equal(life_build_done(&l, &pw, true, &off), PART_RUNNING);
	check();
}

static void test_last_cpu_off_stops(void **state)
{
	(void)state;
	setup_running(2);
	assert_int_equal(life_cpu_on(&l, 1), PSCI_RET_SUCCESS);
	assert_false(life_cpu_off(&l, 0));         /* vCPU1 is pending: it counts */
	check();
	assert_true(life_claim(&l, 1));
	assert_true(life_cpu_off(&l, 1));          /* the last one: the caller stops it */
	assert_int_equal(l.state, PART_STOPPING);
	assert_int_equal(l.want, PART_STOPPED);
	check();
	bool off;
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STOPPED);
	check();
}

/* A stop that comes while a start builds wins: the start is undone. */
static void test_stop_during_start(void **state)
{
	(void)state;
	life_init(&l, 1);
	pw = (struct life_power)LIFE_POWER_BOOT;
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_BUILD);
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_WAIT);
	bool off;
	assert_int_equal(life_build_done(&l, &pw, true, &off), PART_STOPPING);
	assert_int_equal(l.vcpus_on, 0);
	check();
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STOPPED);
	check();
	/* And a stop during a restart's stop: no start follows. */
	setup_running(1);
	assert_int_equal(life_request(&l, &pw, LIFE_RESTART, 0), LIFE_TEARDOWN);
	assert_int_equal(l.vcpu[0], VCPU_OFF);     /* the caller's own vCPU */
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_WAIT);
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STOPPED);
	check();
	/* A start during a plain stop: it starts again, holding the machine on. */
	setup_running(1);
	assert_true(life_power_release(&pw) == false);   /* boot hold gone; 1 partition left */
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_TEARDOWN);
	leave_all();
	assert_int_equal(life_request(&l, &pw, LIFE_START, LIFE_NO_VCPU), LIFE_WAIT);
	assert_int_equal(life_teardown_done(&l, &pw, &off), PART_STARTING);
	assert_false(off);
	assert_int_equal(life_build_done(&l, &pw, false, &off), PART_STOPPED);
	assert_true(off);                          /* the failed start was the last one */
	check();
}

static void test_check_catches(void **state)
{
	char why[80];

	(void)state;
	setup_running(2);
	l.vcpus_on = 2;                            /* counted on, but only one is */
	assert_int_equal(life_check(&l, why, sizeof(why)), -1);
	assert_string_equal(why, "vcpus_on differs from the vCPUs not OFF");
	setup_running(2);
	l.state = PART_STOPPED;
	assert_int_equal(life_check(&l, why, sizeof(why)), -1);
	setup_running(2);
	assert_int_equal(life_request(&l, &pw, LIFE_STOP, LIFE_NO_VCPU), LIFE_TEARDOWN);
	l.vcpu[1] = VCPU_ON_PENDING;
	l.vcpus_on++;
	assert_int_equal(life_check(&l, why, sizeof(why)), -1);
	assert_string_equal(why, "a stopping partition has a pending vCPU");
}

static void test_power_count(void **state)
{
	(void)state;
	struct life_power p = LIFE_POWER_BOOT;
	assert_true(life_power_hold(&p));
	assert_true(life_power_hold(&p));
	assert_false(life_power_release(&p));
	assert_false(life_power_release(&p));
	assert_false(life_power_is_off(&p));
	assert_true(life_power_release(&p));       /* the boot's hold was the last */
	assert_true(life_power_is_off(&p));
	assert_false(life_power_hold(&p));
}

/*
 * Every operation in random order on 4 vCPUs, the CPUs' side played as the
 * hypervisor does (a driver finishes what it began; vCPUs leave when asked),
 * life_check() after each step.
 */
static void test_random_walk(void **state)
{
	(void)state;
	srand(7);
	life_init(&l, 4);
	pw = (struct life_power){ 1000000 };
	bool off;
	unsigned int seen[PART_STOPPING + 1] = { 0 }, max_on = 0;
	for (unsigned int step = 0; step < 200000; step++) {
		unsigned int v = (unsigned int)rand() % 4;
		switch (rand() % 10) {
		case 0: (void)life_request(&l, &pw, (enum life_req)(rand() % 3),
					   rand() % 2 ? v : LIFE_NO_VCPU); break;
		case 1: if (l.vcpu[v] == VCPU_ON) (void)life_guest_request(&l, (enum life_req)(1 + rand() % 2), v); break;
		case 2: if (l.vcpu[v] == VCPU_ON) (void)life_cpu_off(&l, v); break;
		case 3: (void)life_cpu_on(&l, v); break;
		case 4: (void)life_claim(&l, v); break;
		case 5: if (l.vcpu[v] == VCPU_ON) (void)life_leave(&l, v); break;
		case 6: if (l.state == PART_STARTING) (void)life_build_done(&l, &pw, rand() % 4 != 0, &off); break;
		case 7: if (l.state == PART_STOPPING && l.vcpus_on == 0) (void)life_teardown_done(&l, &pw, &off); break;
		default: l.stop_mask = 0; break;
		}
		check();
		seen[l.state]++;
		max_on = l.vcpus_on > max_on ? l.vcpus_on : max_on;
	}
	/* The walk went everywhere. */
	for (unsigned int s = PART_STOPPED; s <= PART_STOPPING; s++)
		assert_true(seen[s] > 1000);
	assert_int_equal(max_on, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_stop),
		cmocka_unit_test(test_cpu_on_during_stop),
		cmocka_unit_test(test_last_cpu_off_stops),
		cmocka_unit_test(test_stop_during_start),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_power_count),
		cmocka_unit_test(test_random_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
