#pragma once
/* Tessera's error codes: functions return 0 or one of these, negated. */
enum ts_err {
	TS_OK = 0,
	TS_EINVAL = 1,   /* bad argument or configuration */
	TS_ENOMEM = 2,   /* allocator exhausted */
	TS_EBUSY = 3,    /* resource in use (a range already mapped, a CPU taken) */
	TS_ENOENT = 4,   /* no such partition, region or mapping */
	TS_EPERM = 5,    /* not allowed in this state (borrower while owner stopped) */
	TS_ERANGE = 6,   /* address or size out of range */
};
