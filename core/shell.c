/*
 * The shell: help, list, shm, p2m <name>, walk <name> <IPA> (core/shell_walk.c),
 * dev, stop/start/restart <name>, crash now.
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
		 "start <name>, restart <name>, crash now");
	log_line("CTRL-A three times moves console input between the shell and each partition");
}

static void cmd_list(const char *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < partition_count; i++) {
		const struct partition *p = &partitions[i];
		log_line("%-12s id %-3u %-8s vcpus %u (on %u) mem %llu MiB at 0x%llx starts %u",
			 p->cfg->name, p->cfg->id, p->state == PART_RUNNING ? "running" : p->state == PART_STOPPING ? "stopping" : "stopped",
			 p->cfg->vcpu_count, p->vcpus_on, (unsigned long long)(p->cfg->mem_bytes >> 20),
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
	if (!p)
		return;
	if (p->state != PART_RUNNING) {
		log_line("%s is stopped: it has no stage-2 table", p->cfg->name);
		return;
	}
	partition_print_p2m(p);
}

static void cmd_dev(const char *arg)
{
	(void)arg;
	passthrough_print();
}

static void cmd_stop(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p && p->state != PART_RUNNING)
		log_line("%s is already stopped", p->cfg->name);
	else if (p)
		partition_stop(p, "shell");
}

static void cmd_start(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p && p->state == PART_RUNNING)
		log_line("%s is already running", p->cfg->name);
	else if (p && partition_start(p) != 0)
		log_line("%s: start failed", p->cfg->name);
}

static void cmd_restart(const char *arg)
{
	struct partition *p = shell_partition(arg);
	if (p && partition_restart(p, "shell restart") != 0) {
		log_line("%s: restart failed", p->cfg->name);
		system_check_all_stopped();
	}
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
	{ "crash", cmd_crash },
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
