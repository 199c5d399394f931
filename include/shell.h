#pragma once
/*
 * The hypervisor shell on the physical console (DESIGN §7).  Input goes to
 * the shell or to one partition; CTRL-A three times moves the focus.
 */
/* Feed every character the UART has received (boot CPU only). */
void shell_poll(void);
/* Run one command line; exposed for tests and scripted use. */
void shell_run(char *line);
/* `walk <name> <IPA>`: the stage-2 walk of one guest address (core/shell_walk.c). */
void shell_walk(const char *arg);
