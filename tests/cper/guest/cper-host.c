/* SPDX-License-Identifier: MIT */
/*
 * The host side's hands for the CPER guest test: libkvmsea's builders,
 * checker, formatter and read-ack state machine behind a line protocol on
 * stdin/stdout, so run.py (which speaks QMP to QEMU and reads the guest's
 * console) uses the library exactly as a VMM would. Blocks travel as hex.
 *
 *   layout STATUS ACK BLOCK LENGTH NOTIFY ID  -> "OK index" (a source)
 *   hest OEMID OEMTABLE CREATOR               -> "HEST hex" of the sources
 *   source INDEX                              -> "OK": the state machine,
 *        over a shadow of the source's guest memory; run.py copies the
 *        guest's real Read Ack register into it ("ack") and the blocks it
 *        writes into the guest (QEMU's inject-ghes-v2-error)
 *   ack VALUE                                 -> "OK"
 *   report GPA SIZE FLAGS ESR VA TIME         -> "POSTED hex" | "QUEUED"
 *   poll                                      -> "POSTED hex" | "BUSY" | "IDLE"
 *   build GPA SIZE FLAGS ESR VA TIME FIRST COUNT -> "BLOCK hex"
 *   check HEX MAXLEN                          -> "CHECK errno"
 *   format HEX                                -> "TEXT line"..., "END"
 *   stats                                     -> "STATS reported posted
 *                                                acked dropped waiting"
 * A failure answers "ERROR text".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkvmsea/libkvmsea.h>

#define MAX_SOURCES 8

static struct kvmsea_ghes_layout layouts[MAX_SOURCES];
static size_t nlayouts;
static struct kvmsea_ghes *ghes;
static uint64_t *shadow;     /* the source's memory, 8-aligned */
static uint64_t shadow_gpa;
static const struct kvmsea_ghes_layout *active;

static void put_hex(const char *tag, const uint8_t *p, size_t n)
{
	printf("%s ", tag);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex up to the first other character. */
static size_t get_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (n < max && nibble(s[2 * n]) >= 0 && nibble(s[2 * n + 1]) >= 0) {
		out[n] = (uint8_t)(nibble(s[2 * n]) << 4 | nibble(s[2 * n + 1]));
		n++;
	}
	return n;
}

static int parse_error(const char *args, struct kvmsea_mem_error *e)
{
	unsigned long long gpa, size, flags, esr, va, t;

	if (sscanf(args, "%lli %lli %lli %lli %lli %lli", &gpa, &size, &flags, &esr,
		   &va, &t) != 6)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->gpa = gpa;
	e->page_size = size;
	e->flags = (uint32_t)flags;
	e->esr = esr;
	e->va = va;
	e->time = t;
	e->midr = 0x000f0510; /* what QEMU's -cpu max reports */
	return 0;
}

/* The block the state machine just wrote into the shadow. */
static void put_posted(void)
{
	const uint8_t *b = (const uint8_t *)shadow + (active->block_address - shadow_gpa);
	size_t len = 20 + ((size_t)b[12] | (size_t)b[13] << 8 | (size_t)b[14] << 16);

	put_hex("POSTED", b, len);
}

static void answer(int ret)
{
	if (ret == KVMSEA_GHES_POSTED)
		put_posted();
	else if (ret == KVMSEA_GHES_QUEUED)
		printf("QUEUED\n");
	else if (ret == KVMSEA_GHES_BUSY)
		printf("BUSY\n");
	else if (ret == KVMSEA_GHES_IDLE)
		printf("IDLE\n");
	else
		printf("ERROR %s\n", strerror(-ret));
}

static void cmd_source(size_t i)
{
	const struct kvmsea_ghes_layout *l = &layouts[i];
	uint64_t lo = l->status_address, hi = l->block_address + l->block_length;

	if (l->read_ack_address < lo)
		lo = l->read_ack_address;
	if (l->block_address < lo)
		lo = l->block_address;
	if (l->read_ack_address + 8 > hi)
		hi = l->read_ack_address + 8;
	if (l->status_address + 8 > hi)
		hi = l->status_address + 8;
	shadow = calloc((size_t)(hi - lo) / 8 + 1, 8);
	shadow_gpa = lo;
	active = l;
	answer(kvmsea_ghes_new(l, shadow, lo, (size_t)(hi - lo), 8, &ghes) ? -EINVAL
									   : KVMSEA_GHES_IDLE);
}

int main(void)
{
	static char line[1 << 17];
	static uint8_t buf[1 << 16];
	static char text[1 << 16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char cmd[16] = "", *args;
		struct kvmsea_mem_error e;

		line[strcspn(line, "\r\n")] = '\0';
		args = strchr(line, ' ');
		args = args ? args + 1 : line + strlen(line);
		sscanf(line, "%15s", cmd);
		if (!strcmp(cmd, "layout") && nlayouts < MAX_SOURCES) {
			unsigned long long st, ack, blk;
			unsigned int len, notify, id;
			struct kvmsea_ghes_layout *l = &layouts[nlayouts];

			if (sscanf(args, "%lli %lli %lli %u %u %u", &st, &ack, &blk, &len,
				   &notify, &id) != 6) {
				printf("ERROR layout arguments\n");
				continue;
			}
			memset(l, 0, sizeof(*l));
			l->source_id = (uint16_t)id;
			l->notify = (uint8_t)notify;
			l->block_length = len;
			l->status_address = st;
			l->read_ack_address = ack;
			l->block_address = blk;
			printf("OK %zu\n", nlayouts++);
		} else if (!strcmp(cmd, "hest")) {
			struct kvmsea_acpi_ids ids;
			char oem[16] = "", table[16] = "", creator[16] = "";
			int n;

			sscanf(args, "%15s %15s %15s", oem, table, creator);
			memset(&ids, ' ', sizeof(ids));
			memcpy(ids.oem_id, oem, strlen(oem) < 6 ? strlen(oem) : 6);
			memcpy(ids.oem_table_id, table, strlen(table) < 8 ? strlen(table) : 8);
			memcpy(ids.creator_id, creator, strlen(creator) < 4 ? strlen(creator) : 4);
			ids.oem_revision = ids.creator_revision = 1;
			n = kvmsea_ghes_build_hest(layouts, nlayouts, &ids, buf, sizeof(buf));
			if (n < 0)
				printf("ERROR %s\n", strerror(-n));
			else
				put_hex("HEST", buf, (size_t)n);
		} else if (!strcmp(cmd, "source") && !ghes) {
			size_t i = strtoul(args, NULL, 0);

			if (i < nlayouts)
				cmd_source(i);
			else
				printf("ERROR no such layout\n");
		} else if (!strcmp(cmd, "ack") && ghes) {
			uint64_t v = strtoull(args, NULL, 0);
			uint8_t *p = (uint8_t *)shadow + (active->read_ack_address - shadow_gpa);

			for (int i = 0; i < 8; i++)
				p[i] = (uint8_t)(v >> (8 * i));
			printf("OK\n");
		} else if (!strcmp(cmd, "report") && ghes) {
			answer(parse_error(args, &e) ? -EINVAL : kvmsea_ghes_report(ghes, &e));
		} else if (!strcmp(cmd, "poll") && ghes) {
			answer(kvmsea_ghes_poll(ghes));
		} else if (!strcmp(cmd, "build")) {
			unsigned int first = 0, count = 0;
			const char *rest = args;
			int n = -EINVAL;

			for (int skip = 0; skip < 6 && rest; skip++)
				rest = strchr(rest + 1, ' ');
			if (!parse_error(args, &e) && rest &&
			    sscanf(rest, "%u %u", &first, &count) == 2)
				n = kvmsea_cper_build(&e, first, count, buf, sizeof(buf));
			if (n < 0)
				printf("ERROR %s\n", strerror(-n));
			else
				put_hex("BLOCK", buf, (size_t)n);
		} else if (!strcmp(cmd, "check")) {
			size_t n = get_hex(args, buf, sizeof(buf));
			const char *max = strchr(args, ' ');

			printf("CHECK %d\n", kvmsea_cper_check(buf, n, max ? strtoul(max, NULL, 0) : n));
		} else if (!strcmp(cmd, "format")) {
			size_t n = get_hex(args, buf, sizeof(buf));
			char *s = text;

			kvmsea_cper_format(buf, n, text, sizeof(text));
			for (char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
				*nl = '\0';
				printf("TEXT %s\n", s);
			}
			printf("END\n");
		} else if (!strcmp(cmd, "stats") && ghes) {
			struct kvmsea_ghes_stats st;

			kvmsea_ghes_get_stats(ghes, &st);
			printf("STATS %llu %llu %llu %llu %u\n", (unsigned long long)st.reported,
			       (unsigned long long)st.posted, (unsigned long long)st.acked,
			       (unsigned long long)st.dropped, st.waiting);
		} else {
			printf("ERROR unknown or out-of-order command '%s'\n", cmd);
		}
	}
	kvmsea_ghes_free(ghes);
	free(shadow);
	return 0;
}
