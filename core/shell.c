/*
 * The shell: help, list, shm, p2m <name>, walk <name> <IPA> (core/shell_walk.c),
 * dev, stop/start/restart <name>, stats, crash now.
 * Runs on the boot CPU, from its idle loop or when a UART interrupt exits
 * its guest.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "mm.h"
#include "partition.h"
#include "passthrough.h"
#include "shell.h"
#include "shm_glue.h"

#define SHELL_LINE_MAX  80
#define CTRL_A          0x01
#define FOCUS_SWITCH_PRESSES 3

static char line[SHELL_LINE_MAX];
static unsigned int line_len;
static unsigned int ctrl_a_run;
static int focus = -1;                 /* -1: shell, else a partition index */

static void cmd_help(const char *arg)
{
	(void)arg;
	log_line("commands: help, list, shm, p2m <name>, walk <name> <IPA>, dev, stop <name>, "
		 "start <name>, restart <name>, stats, crash now");
	log_line("CTRL-A three times moves console input between the shell and each partition");
}

static void cmd_list(const char *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];
		enum part_state state;
		unsigned int on;
		partition_status(p, &state, &on);
		log_line("%-12s id %-3u %-8s vcpus %u (on %u) mem %llu MiB at 0x%llx starts %u",
			 p->cfg->name, p->cfg->id, life_state_name(state), p->cfg->vcpu_count, on,
			 (unsigned long long)(p->cfg->mem_bytes >> 20),
			 (unsigned long long)p->cfg->ram_base, p->starts);
	}
	log_line("stage-2 table pages in use: %u", mm_pages_in_use());
}

static void cmd_shm(const char *arg)
{
	(void)arg;
	shm_glue_print_table();
}

static struct partition *shell_partition(const char *arg)
{
	struct partition *p = arg ? partition_find(arg) : NULL;
	if (!p)
		log_line("no partition named '%s' (try: list)", arg ? arg : "");
	return p;
}

static void cmd_p2m(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p && !partition_print_p2m(p))
		log_line("%s is %s: it has no stage-2 table", p->cfg->name,
			 life_state_name(partition_state(p)));
}

/*
 * Say how a life-cycle request ended when the partition's own lines (started,
 * stopped, start failed) do not already tell: it was already so, or another
 * CPU was in the middle of a start or stop and this one waited for it.
 */
static void shell_report(struct partition *p, enum part_result r, enum part_state wanted)
{
	const char *name = p->cfg->name;
	enum part_state now = partition_state(p);
	switch (r) {
	case PART_ALREADY:
		log_line("%s is already %s", name, life_state_name(wanted));
		break;
	case PART_JOINED:
		log_line("%s was starting or stopping: waited, now %s", name, life_state_name(now));
		break;
	case PART_REFUSED:
		log_line("%s: not started: the machine is powering off", name);
		break;
	case PART_DONE:
		if (now != wanted)
			log_line("%s: a later request left it %s", name, life_state_name(now));
		break;
	case PART_FAILED:
	default:
		break;                  /* "<name>: start failed" is already logged */
	}
}

static void cmd_dev(const char *arg)
{
	(void)arg;
	passthrough_print();
}

static void cmd_stop(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p)
		shell_report(p, partition_request(p, LIFE_STOP, "shell"), PART_STOPPED);
}

static void cmd_start(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p)
		shell_report(p, partition_request(p, LIFE_START, "shell"), PART_RUNNING);
}

static void cmd_restart(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p)
		shell_report(p, partition_request(p, LIFE_RESTART, "shell restart"), PART_RUNNING);
}

#define STATS_LINE_MAX 160

/*
 * One line per partition: its exits by reason, aborts and interrupts
 * injected since its last start, and its stage-2 table pages; then the page
 * pool and the ownership table's reference counts, which a stop/start
 * cycle must give back (docs/architecture.md section 10).
 */
static void cmd_stats(const char *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < partition_count; i++) {
		struct partition *p = &partitions[i];
		uint64_t by[EXIT_REASONS] = { 0 }, total = 0, injected = 0;
		for (unsigned int v = 0; v < p->cfg->vcpu_count; v++) {
			trap_exits_by_reason(pcpus[p->vcpus[v].pcpu].exits, by);
			injected += p->vcpus[v].vgic.injected;
		}
		char reasons[STATS_LINE_MAX];
		size_t n = 0;
		for (unsigned int r = 0; r < EXIT_REASONS; r++) {
			total += by[r];
			n += (size_t)snprintf(reasons + n, sizeof(reasons) - n, "%s%s %llu", r ? " " : "",
					      exit_reason_names[r], (unsigned long long)by[r]);
		}
		spin_lock(&p->p2m_lock);        /* the stage-2 tables' readers hold it */
		unsigned int table_pages = p->p2m.table_pages;
		spin_unlock(&p->p2m_lock);
		log_line("stats: %s %s: exits %llu (%s), aborts injected %llu, interrupts injected %llu, "
			 "stage-2 table pages %u", p->cfg->name, life_state_name(partition_state(p)),
			 (unsigned long long)total, reasons, (unsigned long long)p->aborts,
			 (unsigned long long)injected, table_pages);
	}
	log_line("stats: stage-2 page pool: %u free, %u in use", mm_pages_unused(), mm_pages_in_use());
	shm_glue_print_refs();
}

/*
 * Shows what the crash report looks like: a load from an address the EL2
 * map does not cover (above its 39-bit range) takes a data abort at EL2.
 * It ends the machine, as any hypervisor fault does.
 */
#define CRASH_ADDR 0x0000ff8000000000ull

static void cmd_crash(const char *arg)
{
	if (!arg || strcmp(arg, "now") != 0) {
		log_line("crash now: fault at EL2 on purpose, print the crash report, power off");
		return;
	}
	log_line("crashing on purpose (shell)");
	(void)*(volatile uint64_t *)(uintptr_t)CRASH_ADDR;
}

static const struct {
	const char *name;
	void (*fn)(const char *arg);
} commands[] = {
	{ "help", cmd_help }, { "list", cmd_list }, { "shm", cmd_shm }, { "p2m", cmd_p2m },
	{ "walk", shell_walk }, { "dev", cmd_dev },
	{ "stop", cmd_stop }, { "start", cmd_start }, { "restart", cmd_restart },
	{ "stats", cmd_stats }, { "crash", cmd_crash },
};

void shell_run(char *cmd)
{
	char *arg = strchr(cmd, ' ');
	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
		if (*arg == '\0')
			arg = NULL;
	}
	if (cmd[0] == '\0')
		return;
	for (unsigned int i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			commands[i].fn(arg);
			return;
		}
	}
	log_line("unknown command '%s' (try: help)", cmd);
}

static void shell_focus_next(void)
{
	focus = focus + 1 < (int)partition_count ? focus + 1 : -1;
	log_line("console input now goes to %s", focus < 0 ? "the tessera shell" :
		 partitions[focus].cfg->name);
}

static void shell_input(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_run == FOCUS_SWITCH_PRESSES) {
			ctrl_a_run = 0;
			shell_focus_next();
		}
		return;
	}
	ctrl_a_run = 0;
	if (focus >= 0) {
		vpl011_receive(&partitions[focus], c);
		return;
	}
	if (c == '\r' || c == '\n') {
		line[line_len] = '\0';
		line_len = 0;
		shell_run(line);
	} else if (line_len + 1 < SHELL_LINE_MAX && c >= ' ') {
		line[line_len++] = c;
	}
}

void shell_poll(void)
{
	int c;
	while ((c = console_getc()) >= 0)
		shell_input((char)c);
}
