/* SPDX-License-Identifier: MIT */
/*
 * What the kvmsea command-line tools do the same way: a failed write to
 * standard output ends the tool with exit status 1 and a message, text
 * from the user or the input goes back to the terminal only escaped, and
 * --version and an unknown option read the same.
 */
#ifndef KVMSEA_TOOLS_CLI_H
#define KVMSEA_TOOLS_CLI_H

#include <stddef.h>
#include <stdio.h>

/* The exit status of a usage error (1 is an error of the input or output). */
#define EXIT_USAGE 2

/* The tool's name, the first word of its messages: each tool defines it. */
extern const char progname[];

/* Report a failed write to standard output; returns 1, the exit status.
 * Call it straight after the failed call, while errno is that call's. */
int write_failed(void);

/* Flush and close standard output: 0, or 1 after a message (also when a
 * write failed before). */
int close_stdout(void);

/*
 * Print @s (@len bytes) to stderr so that it cannot act on the terminal:
 * printable ASCII as it is, \\ and \' escaped, any other byte as \xNN; at
 * most @max bytes of it, then "...".
 */
void echo_escaped(const char *s, size_t len, size_t max);

/* --version: "NAME VERSION" on stdout; returns the exit status. */
int print_version(void);

/* An option the tool does not know, @arg: the message (@arg escaped, at
 * most @max bytes) and @usage on stderr; returns EXIT_USAGE. */
int unknown_option(const char *arg, size_t max, int (*usage)(FILE *f));

#endif /* KVMSEA_TOOLS_CLI_H */
