/* SPDX-License-Identifier: MIT */
/*
 * What the kvmsea command-line tools do the same way: a failed write to
 * standard output ends the tool with exit status 1 and a message, and text
 * from the user or the input goes back to the terminal only escaped.
 */
#ifndef KVMSEA_TOOLS_CLI_H
#define KVMSEA_TOOLS_CLI_H

#include <stddef.h>

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

#endif /* KVMSEA_TOOLS_CLI_H */
