/*
 * Run-time control from a partition (docs/hypercalls.md): who may, what
 * they see, and how an operation reaches the partition it is about.
 *
 * Only control partitions (struct cfg_partition.control: dom0, or
 * `capabilities = <1>`) may list, look at the ownership table or stop,
 * start and restart; anyone else gets TESSERA_RET_DENIED and a console line
 * (the first CTL_DENIED_LOGGED of each run, then they are only refused).
 *
 * An operation is carried out on the target partition's own CPU, its
 * vCPU 0's: the caller queues a request in that CPU's mailbox, kicks it,
 * and waits (WFE) until the request is done.  The target CPU serves its
 * mailbox on its way back to its guest or from its idle loop, so a running
 * vCPU is only ever stopped by its own CPU, and the work of a start
 * (stage 2, scrub, images) is paid by the partition that starts.  A CPU
 * waiting for its own request serves its own mailbox and lets its own vCPU
 * go if its partition is being stopped, so requests that cross (two
 * control partitions stopping each other) both complete.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "control.h"
#include "partition.h"
#include "public/tessera_ctl.h"
#include "shm.h"
#include "shm_glue.h"
#include "spinlock.h"
#include "sysreg.h"
#include "vcpu.h"

#define CTL_DENIED_LOGGED  16u        /* per partition and run, then only refused */
#define CTL_WHY_MAX        (CFG_NAME_MAX + 16u)
#define CTL_INFO_WORDS     8u

_Static_assert(CFG_MAX_PARTITIONS <= TESSERA_CTL_MAX_IDS, "the device has a register per ID");
_Static_assert(CFG_MAX_REGIONS <= TESSERA_CTL_MAX_REGIONS, "the device has a block per region");
_Static_assert(CFG_NAME_MAX == TESSERA_NAME_BYTES, "names fit the name words whole");
_Static_assert(CFG_SHM_ID_MAX == TESSERA_SHM_ID_BYTES, "region ids fit their words whole");
_Static_assert(TESSERA_HVC_CTL_START - TESSERA_HVC_CTL_STOP == CTL_OP_START &&
	       TESSERA_HVC_CTL_RESTART - TESSERA_HVC_CTL_STOP == CTL_OP_RESTART &&
	       CTL_OP_STOP == 0, "the operations' function IDs follow enum ctl_op");

/* A request on the requester's stack: it waits until the target's CPU has carried it out. */
struct ctl_request {
	enum ctl_op op;
	struct partition *target;
	char why[CTL_WHY_MAX];          /* for the "stopped (...)" line */
	struct ctl_request *next;       /* mailbox.lock */
	uint64_t result;                /* written by the server before done */
	int done;                       /* release store by the server, acquire load by the waiter */
};

/* One per physical CPU: requests for the partition whose vCPU 0 runs there. */
struct ctl_mailbox {
	struct spinlock lock;           /* guards head */
	struct ctl_request *head;
};
static struct ctl_mailbox mailboxes[TS_MAX_CPUS];

/* Denied attempts logged in the current run of each partition (its start count). */
struct ctl_denied_log {
	unsigned int starts;
	uint32_t logged;
};
static struct ctl_denied_log denied_logs[CFG_MAX_PARTITIONS];

static const char *const op_names[] = {
	[CTL_OP_STOP] = "stop", [CTL_OP_START] = "start", [CTL_OP_RESTART] = "restart",
};

/* ---- who may ------------------------------------------------------------------------ */

static bool ctl_allowed(const struct partition *caller, const char *what, uint32_t arg)
{
	if (caller->cfg->control)
		return true;
	struct ctl_denied_log *d = &denied_logs[caller->index];
	if (__atomic_load_n(&d->starts, __ATOMIC_RELAXED) != caller->starts) {
		__atomic_store_n(&d->logged, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&d->starts, caller->starts, __ATOMIC_RELAXED);
	}
	uint32_t n = __atomic_add_fetch(&d->logged, 1, __ATOMIC_RELAXED);
	if (n <= CTL_DENIED_LOGGED)
		log_line("%s: control denied: %s %u (not a control partition)", caller->cfg->name,
			 what, arg);
	else if (n == CTL_DENIED_LOGGED + 1)
		log_line("%s: further control attempts are refused, not logged", caller->cfg->name);
	return false;
}

static struct partition *ctl_partition_by_id(uint32_t id)
{
	for (unsigned int i = 0; i < partition_count; i++)
		if (partitions[i].cfg->id == id)
			return &partitions[i];
	return NULL;
}

/* ---- what they see ---------------------------------------------------------------------- */

uint64_t ctl_self_word(const struct partition *caller)
{
	return (caller->cfg->id & TESSERA_SELF_ID_MASK) |
	       (caller->cfg->control ? TESSERA_SELF_CONTROL : 0);
}

uint64_t ctl_counts_word(void)
{
	return ((uint64_t)partition_count & TESSERA_COUNT_MASK) |
	       (((uint64_t)sys_config->region_count & TESSERA_COUNT_MASK)
		<< TESSERA_COUNTS_REGIONS_SHIFT);
}

static uint64_t ctl_state_code(enum part_state s)
{
	switch (s) {
	case PART_STARTING: return TESSERA_STATE_STARTING;
	case PART_RUNNING:  return TESSERA_STATE_RUNNING;
	case PART_STOPPING: return TESSERA_STATE_STOPPING;
	case PART_STOPPED:
	default:            return TESSERA_STATE_STOPPED;
	}
}

static uint64_t ctl_state_of(const struct partition *p)
{
	return ctl_state_code(partition_state(p));
}

/* A snapshot (the state and vCPUs on are read together under the partition lock). */
static uint64_t ctl_state_word(const struct partition *caller, struct partition *p)
{
	enum part_state state;
	unsigned int vcpus_on;
	partition_status(p, &state, &vcpus_on);
	return ctl_state_code(state) |
	       ((uint64_t)(p->cfg->vcpu_count & TESSERA_STATE_COUNT_MASK) << TESSERA_STATE_VCPUS_SHIFT) |
	       ((uint64_t)(vcpus_on & TESSERA_STATE_COUNT_MASK) << TESSERA_STATE_VCPUS_ON_SHIFT) |
	       (p->cfg->control ? TESSERA_STATE_CONTROL : 0) |
	       (p == caller ? TESSERA_STATE_SELF : 0) |
	       ((uint64_t)p->starts << TESSERA_STATE_STARTS_SHIFT);
}

int64_t ctl_part_state(struct partition *caller, uint32_t id, uint64_t *state)
{
	if (!ctl_allowed(caller, "list", id))
		return TESSERA_RET_DENIED;
	struct partition *p = ctl_partition_by_id(id);
	if (!p)
		return TESSERA_RET_INVALID;
	*state = ctl_state_word(caller, p);
	return TESSERA_RET_OK;
}

/* Word @word of a NUL-padded string of @max bytes, little-endian like a guest's memory. */
static uint64_t ctl_string_word(const char *s, size_t max, unsigned int word)
{
	uint64_t v = 0;
	size_t len = strlen(s);
	for (unsigned int b = 0; b < sizeof(v); b++) {
		size_t i = word * sizeof(v) + b;
		if (i < len && i < max)
			v |= (uint64_t)(uint8_t)s[i] << (8 * b);
	}
	return v;
}

int64_t ctl_part_name(struct partition *caller, uint32_t id, unsigned int word, uint64_t *val)
{
	if (!ctl_allowed(caller, "list", id))
		return TESSERA_RET_DENIED;
	struct partition *p = ctl_partition_by_id(id);
	if (!p || word >= TESSERA_CTL_NAME_WORDS)
		return TESSERA_RET_INVALID;
	*val = ctl_string_word(p->cfg->name, TESSERA_NAME_BYTES, word);
	return TESSERA_RET_OK;
}

/* A mask over partition indexes, as a mask over partition IDs. */
static uint64_t ctl_id_mask(shm_partmask_t parts)
{
	uint64_t ids = 0;
	for (; parts; parts &= parts - 1)
		ids |= 1ull << partitions[__builtin_ctz(parts)].cfg->id;
	return ids;
}

void ctl_shm_info(struct partition *caller, uint32_t region, uint64_t out[CTL_INFO_WORDS])
{
	struct shm_region r;
	memset(out, 0, CTL_INFO_WORDS * sizeof(out[0]));
	if (!ctl_allowed(caller, "shm", region)) {
		out[0] = (uint64_t)(int64_t)TESSERA_RET_DENIED;
		return;
	}
	if (region >= sys_config->region_count || shm_glue_region(region, &r) != 0) {
		out[0] = (uint64_t)(int64_t)TESSERA_RET_INVALID;
		return;
	}
	const struct cfg_shm_region *c = &sys_config->regions[region];
	uint64_t owner = c->owner == CFG_OWNER_DOM_SHARED ? TESSERA_DOM_SHARED_ID :
			 partitions[c->owner].cfg->id;
	out[0] = TESSERA_RET_OK;
	out[1] = owner | ((uint64_t)r.refcount << TESSERA_SHM_REFS_SHIFT);
	out[2] = ctl_id_mask(r.named);
	out[3] = ctl_id_mask(r.installed);
	out[4] = ctl_id_mask(r.revoked);
	out[5] = ctl_string_word(c->id, TESSERA_SHM_ID_BYTES, 0);
	out[6] = ctl_string_word(c->id, TESSERA_SHM_ID_BYTES, 1);
	out[7] = c->size;
}

/* ---- how an operation reaches its partition --------------------------------------------- */

/*
 * On the target's CPU: the life-cycle request (core/partition.c), which
 * returns once the partition is stopped or running, and what it came to.
 */
static uint64_t ctl_carry_out(struct ctl_request *req)
{
	static const enum life_req reqs[] = {
		[CTL_OP_STOP] = LIFE_STOP, [CTL_OP_START] = LIFE_START, [CTL_OP_RESTART] = LIFE_RESTART,
	};
	int code;
	switch (partition_request(req->target, reqs[req->op], req->why)) {
	case PART_DONE:    code = TESSERA_RET_OK; break;
	case PART_ALREADY: code = TESSERA_RET_ALREADY; break;
	case PART_JOINED:  code = TESSERA_RET_JOINED; break;
	case PART_REFUSED: code = TESSERA_RET_REFUSED; break;
	case PART_FAILED:
	default:           code = TESSERA_RET_FAILED; break;
	}
	return ((uint64_t)(uint32_t)code & TESSERA_RESULT_CODE_MASK) |
	       (ctl_state_of(req->target) << TESSERA_RESULT_STATE_SHIFT);
}

void ctl_serve(void)
{
	struct ctl_mailbox *mb = &mailboxes[this_pcpu()->index];
	while (__atomic_load_n(&mb->head, __ATOMIC_ACQUIRE) != NULL) {
		spin_lock(&mb->lock);
		struct ctl_request *req = mb->head;
		if (req)
			mb->head = req->next;
		spin_unlock(&mb->lock);
		if (!req)
			return;
		req->result = ctl_carry_out(req);
		__atomic_store_n(&req->done, 1, __ATOMIC_RELEASE);
		dsb_ish();
		sev();
	}
}

uint64_t ctl_operate(struct partition *caller, enum ctl_op op, uint32_t id)
{
	if (!ctl_allowed(caller, op_names[op], id))
		return (uint64_t)(uint32_t)TESSERA_RET_DENIED;
	struct partition *p = ctl_partition_by_id(id);
	if (!p)
		return (uint64_t)(uint32_t)TESSERA_RET_INVALID;
	struct ctl_request req = { .op = op, .target = p };
	snprintf(req.why, sizeof(req.why), "%s by %s", op_names[op], caller->cfg->name);
	unsigned int cpu = p->vcpus[0].pcpu;
	struct ctl_mailbox *mb = &mailboxes[cpu];
	spin_lock(&mb->lock);
	struct ctl_request **tail = &mb->head;
	while (*tail)
		tail = &(*tail)->next;
	*tail = &req;                       /* in order of arrival */
	spin_unlock(&mb->lock);
	if (cpu != this_pcpu()->index)
		pcpu_send_request(cpu, PCPU_REQ_CTL);
	while (!__atomic_load_n(&req.done, __ATOMIC_ACQUIRE)) {
		ctl_serve();                /* ours too, when the target runs here */
		if (__atomic_load_n(&req.done, __ATOMIC_ACQUIRE))
			break;
		vcpu_answer_stop();        /* our own partition may be stopping meanwhile */
		wfe();
	}
	return req.result;
}

/* ---- the hypercalls -------------------------------------------------------------------- */

void ctl_hvc(struct partition *caller, struct gp_regs *f)
{
	uint32_t fn = (uint32_t)f->x[0];
	uint32_t arg = (uint32_t)f->x[1];
	uint64_t info[CTL_INFO_WORDS] = { 0 };
	switch (fn) {
	case TESSERA_HVC_CTL_SELF:
		info[1] = ctl_self_word(caller);
		info[2] = ctl_counts_word();
		break;
	case TESSERA_HVC_CTL_PART_INFO:
		info[0] = (uint64_t)ctl_part_state(caller, arg, &info[1]);
		for (unsigned int w = 0; info[0] == 0 && w < TESSERA_CTL_NAME_WORDS; w++)
			(void)ctl_part_name(caller, arg, w, &info[2 + w]);
		break;
	case TESSERA_HVC_CTL_STOP:
	case TESSERA_HVC_CTL_START:
	case TESSERA_HVC_CTL_RESTART: {
		uint64_t r = ctl_operate(caller, (enum ctl_op)(fn - TESSERA_HVC_CTL_STOP), arg);
		info[0] = (uint64_t)(int64_t)(int32_t)(r & TESSERA_RESULT_CODE_MASK);
		info[1] = r;
		break;
	}
	case TESSERA_HVC_CTL_SHM_INFO:
		ctl_shm_info(caller, arg, info);
		break;
	default:
		info[0] = (uint64_t)(int64_t)TESSERA_RET_NOT_SUPPORTED;
		break;
	}
	for (unsigned int i = 0; i < CTL_INFO_WORDS; i++)
		f->x[i] = info[i];
}
