/* SPDX-License-Identifier: MIT */
/*
 * A CPER Generic Error Status Block as text, one field a line, for tests
 * and tools. It reads the block with the checks kvmsea_cper_check() makes
 * (cper.c), prints what is well formed and says where it stops. The field
 * names follow the lines Linux's efi/cper.c prints, so a guest's log and
 * this text can be compared.
 */
#include <errno.h>
#include <string.h>

#include "cper-internal.h"
#include "esr-internal.h"
#include "le.h"
#include "writer.h"

static const char *const severity_names[4] = {
	"recoverable", "fatal", "corrected", "informational",
};

static const char *severity_name(uint32_t sev)
{
	return sev < 4 ? severity_names[sev] : "invalid";
}

static void line(struct kvmsea_writer *t, unsigned int indent, const char *s)
{
	while (indent--)
		w_char(t, ' ');
	w_str(t, s);
}

/* "name: 0x...\n" with 16 hex digits. */
static void hex_line(struct kvmsea_writer *t, unsigned int indent,
		     const char *name, uint64_t v)
{
	line(t, indent, name);
	w_str(t, ": ");
	w_hex(t, v, 16);
	w_char(t, '\n');
}

static void bcd2(struct kvmsea_writer *t, uint8_t v)
{
	w_char(t, (char)('0' + (v >> 4)));
	w_char(t, (char)('0' + (v & 15)));
}

/* ---- memory -------------------------------------------------------------- */

static const char *const mem_types[16] = {
	"unknown", "no error", "single-bit ECC", "multi-bit ECC",
	"single-symbol chipkill ECC", "multi-symbol chipkill ECC",
	"master abort", "target abort", "parity error", "watchdog timeout",
	"invalid address", "mirror broken", "memory sparing",
	"scrub corrected error", "scrub uncorrected error",
	"physical memory map-out event",
};

/* The Error Status type codes a memory error may carry (UEFI N.2.9). */
static const char *status_name(unsigned int code)
{
	switch (code) {
	case 1: return "error internal to the component";
	case 4: return "storage error in DRAM memory";
	case 16: return "error in the bus";
	case 18: return "improper access";
	case 19: return "access to an unmapped address";
	case M_STATUS_POISONED: return "read of poisoned data";
	default: return "other";
	}
}

static void format_memory(struct kvmsea_writer *t, const uint8_t *s)
{
	uint64_t valid = kvmsea_get_le(s + M_VALID, 8);

	hex_line(t, 2, "validation bits", valid);
	if (valid & M_VALID_STATUS) {
		uint64_t st = kvmsea_get_le(s + M_STATUS, 8);

		hex_line(t, 2, "error status", st);
		line(t, 3, status_name((unsigned int)(st >> M_STATUS_TYPE_SHIFT) & 0xff));
		w_char(t, '\n');
	}
	if (valid & M_VALID_PA)
		hex_line(t, 2, "physical address", kvmsea_get_le(s + M_PA, 8));
	if (valid & M_VALID_MASK)
		hex_line(t, 2, "physical address mask", kvmsea_get_le(s + M_MASK, 8));
	if (valid & M_VALID_TYPE) {
		line(t, 2, "memory error type: ");
		w_dec(t, s[M_TYPE]);
		w_str(t, s[M_TYPE] < 16 ? " (" : " (reserved");
		w_str(t, s[M_TYPE] < 16 ? mem_types[s[M_TYPE]] : "");
		w_str(t, ")\n");
	}
}

/* ---- ARM processor -------------------------------------------------------- */

/* One field of a bus error's error information, when its valid bit is. */
struct bus_field {
	uint64_t valid;
	unsigned int shift, bits;
	const char *name;
	const char *const *values; /* NULL: print the number */
	unsigned int nvalues;
};

static const char *const transactions[] = { "instruction", "data access", "generic" };
static const char *const operations[] = {
	"generic error", "generic read", "generic write", "data read",
	"data write", "instruction fetch", "prefetch",
};
static const char *const no_yes[] = { "no", "yes" };
static const char *const participations[] = {
	"local processor originated request", "local processor responded",
	"local processor observed", "generic",
};
static const char *const spaces[] = {
	"external memory access", "internal memory access", "unknown",
	"device memory access",
};
static const char *const modes[] = { "secure", "normal" };

#define N(a) (unsigned int)(sizeof(a) / sizeof((a)[0]))
static const struct bus_field bus_fields[] = {
	{ BUS_VALID_TRANSACTION, BUS_TRANSACTION_SHIFT, 2, "transaction type", transactions, N(transactions) },
	{ BUS_VALID_OPERATION, BUS_OPERATION_SHIFT, 4, "operation", operations, N(operations) },
	{ BUS_VALID_LEVEL, BUS_LEVEL_SHIFT, 3, "affinity level", NULL, 0 },
	{ BUS_VALID_CONTEXT_CORRUPT, BUS_CONTEXT_CORRUPT_SHIFT, 1, "processor context corrupted", no_yes, 2 },
	{ BUS_VALID_CORRECTED, BUS_CORRECTED_SHIFT, 1, "corrected", no_yes, 2 },
	{ BUS_VALID_PRECISE_PC, BUS_PRECISE_PC_SHIFT, 1, "precise PC", no_yes, 2 },
	{ BUS_VALID_RESTARTABLE_PC, BUS_RESTARTABLE_PC_SHIFT, 1, "restartable PC", no_yes, 2 },
	{ BUS_VALID_PARTICIPATION, BUS_PARTICIPATION_SHIFT, 2, "participation type", participations, N(participations) },
	{ BUS_VALID_TIME_OUT, BUS_TIME_OUT_SHIFT, 1, "timed out", no_yes, 2 },
	{ BUS_VALID_ADDRESS_SPACE, BUS_ADDRESS_SPACE_SHIFT, 2, "address space", spaces, N(spaces) },
	{ BUS_VALID_MEM_ATTRIBUTES, BUS_MEM_ATTRIBUTES_SHIFT, 9, "memory attributes", NULL, 0 },
	{ BUS_VALID_ACCESS_MODE, BUS_ACCESS_MODE_SHIFT, 1, "access mode", modes, N(modes) },
};

static void format_bus_info(struct kvmsea_writer *t, uint64_t info)
{
	for (unsigned int i = 0; i < N(bus_fields); i++) {
		const struct bus_field *f = &bus_fields[i];
		unsigned int v = (unsigned int)(info >> f->shift) & ((1u << f->bits) - 1);

		if (!(info & f->valid))
			continue;
		line(t, 4, f->name);
		w_str(t, ": ");
		if (f->values && v < f->nvalues)
			w_str(t, f->values[v]);
		else
			w_dec(t, v);
		w_char(t, '\n');
	}
}

static const char *const info_types[] = {
	NULL, "cache error", "TLB error", "bus error", "micro-architectural error",
};

static void format_err_info(struct kvmsea_writer *t, const uint8_t *p, unsigned int i)
{
	unsigned int valid = (unsigned int)kvmsea_get_le(p + I_VALID, 2);
	uint8_t type = p[I_TYPE];

	line(t, 2, "error info ");
	w_dec(t, i);
	w_str(t, ": type ");
	w_hex(t, type, 2);
	for (unsigned int b = 1; b < N(info_types); b++)
		if (type & (1u << b)) {
			w_char(t, ' ');
			w_str(t, info_types[b]);
		}
	w_char(t, '\n');
	if (valid & I_VALID_MULTIPLE) {
		line(t, 3, "errors: ");
		w_dec(t, kvmsea_get_le(p + I_MULTIPLE, 2) + 1);
		w_char(t, '\n');
	}
	if (valid & I_VALID_FLAGS) {
		line(t, 3, "flags: ");
		w_hex(t, p[I_FLAGS], 2);
		w_char(t, '\n');
	}
	if (valid & I_VALID_INFO) {
		uint64_t info = kvmsea_get_le(p + I_INFO, 8);

		hex_line(t, 3, "error information", info);
		if (type == I_TYPE_BUS)
			format_bus_info(t, info);
	}
	if (valid & I_VALID_VA)
		hex_line(t, 3, "virtual fault address", kvmsea_get_le(p + I_VA, 8));
	if (valid & I_VALID_PA)
		hex_line(t, 3, "physical fault address", kvmsea_get_le(p + I_PA, 8));
}

/* A misc system register context: each register with its name, and an
 * ESR decoded in full. */
static void format_misc_regs(struct kvmsea_writer *t, const uint8_t *p, uint32_t size)
{
	for (; size >= C_MISC_ENTRY; size -= C_MISC_ENTRY, p += C_MISC_ENTRY) {
		unsigned int enc = (unsigned int)kvmsea_get_le(p, 2);
		uint64_t v = kvmsea_get_le(p + 2, 8);
		unsigned int op0 = 2 + (enc >> 14 & 1), op1 = enc >> 11 & 7;
		unsigned int crn = enc >> 7 & 15, crm = enc >> 3 & 15, op2 = enc & 7;
		const char *name = kvmsea_sysreg_name(kvmsea_sysreg_key(op0, op1, crn, crm, op2));
		char esr[512];

		if (name) {
			line(t, 3, name);
		} else {
			line(t, 3, "S");
			w_dec(t, op0);
			w_char(t, '_');
			w_dec(t, op1);
			w_str(t, "_C");
			w_dec(t, crn);
			w_str(t, "_C");
			w_dec(t, crm);
			w_char(t, '_');
			w_dec(t, op2);
		}
		w_str(t, ": ");
		w_hex(t, v, 16);
		w_char(t, '\n');
		if (op0 == 3 && crn == 5 && crm == 2 && op2 == 0 &&
		    (op1 == 0 || op1 == 4 || op1 == 6)) { /* ESR_EL1, _EL2, _EL3 */
			/* The one-line decode is a few hundred bytes: it fits. */
			kvmsea_esr_format(v, KVMSEA_ESR_ONELINE, esr, sizeof(esr));
			line(t, 4, esr);
			w_char(t, '\n');
		}
	}
	if (size)
		line(t, 3, "(trailing bytes)\n");
}

static const char *const ctx_types[] = {
	"AArch32 general purpose registers", "AArch32 EL1 context registers",
	"AArch32 EL2 context registers", "AArch32 secure context registers",
	"AArch64 general purpose registers", "AArch64 EL1 context registers",
	"AArch64 EL2 context registers", "AArch64 EL3 context registers",
	"misc system registers",
};

/* Called only for a section kvmsea_cper_arm_check() accepted. */
static void format_arm(struct kvmsea_writer *t, const uint8_t *s)
{
	uint32_t valid = (uint32_t)kvmsea_get_le(s + A_VALID, 4);
	unsigned int err_num = (unsigned int)kvmsea_get_le(s + A_ERR_NUM, 2);
	unsigned int ctx_num = (unsigned int)kvmsea_get_le(s + A_CTX_NUM, 2);
	const uint8_t *ctx = s + A_SIZE + err_num * I_SIZE;

	hex_line(t, 2, "MIDR", kvmsea_get_le(s + A_MIDR, 8));
	if (valid & A_VALID_MPIDR)
		hex_line(t, 2, "MPIDR", kvmsea_get_le(s + A_MPIDR, 8));
	if (valid & A_VALID_AFFINITY) {
		line(t, 2, "error affinity level: ");
		w_dec(t, s[A_AFFINITY]);
		w_char(t, '\n');
	}
	if (valid & A_VALID_RUNNING) {
		uint32_t running = (uint32_t)kvmsea_get_le(s + A_RUNNING, 4);

		line(t, 2, running & 1 ? "running\n" : "not running, PSCI state ");
		if (!(running & 1)) {
			w_hex(t, kvmsea_get_le(s + A_PSCI, 4), 0);
			w_char(t, '\n');
		}
	}
	for (unsigned int i = 0; i < err_num; i++)
		format_err_info(t, s + A_SIZE + i * I_SIZE, i);
	for (unsigned int i = 0; i < ctx_num; i++) {
		unsigned int type = (unsigned int)kvmsea_get_le(ctx + C_TYPE, 2);
		uint32_t size = (uint32_t)kvmsea_get_le(ctx + C_SIZE, 4);

		line(t, 2, "context ");
		w_dec(t, i);
		w_str(t, ": ");
		w_str(t, ctx_types[type]);
		w_str(t, ", ");
		w_dec(t, size);
		w_str(t, " bytes\n");
		if (type == C_TYPE_MISC)
			format_misc_regs(t, ctx + C_HEADER, size);
		ctx += kvmsea_cper_ctx_bytes(size);
	}
}

/* ---- the block ----------------------------------------------------------- */

static void problem(struct kvmsea_writer *t, unsigned int indent, int err)
{
	line(t, indent, err == -EMSGSIZE ? "malformed: longer than the buffer\n"
					 : "malformed: stops here\n");
}

static void format_entry(struct kvmsea_writer *t, unsigned int i,
			 const struct kvmsea_cper_entry *en)
{
	bool memory = !memcmp(en->type, kvmsea_cper_guid_memory, 16);
	bool arm = !memcmp(en->type, kvmsea_cper_guid_arm, 16);
	int ret;

	line(t, 1, "entry ");
	w_dec(t, i);
	w_str(t, memory ? ": memory error" : arm ? ": ARM processor error"
						       : ": other section");
	w_str(t, ", severity ");
	w_str(t, severity_name(en->severity));
	w_str(t, ", revision ");
	w_hex(t, en->revision, 4);
	w_str(t, ", flags ");
	w_hex(t, en->entry[E_FLAGS], 2);
	if (en->entry[E_FLAGS] & E_FLAG_PRIMARY)
		w_str(t, " primary");
	if (en->entry[E_FLAGS] & E_FLAG_LATENT)
		w_str(t, " latent");
	w_str(t, ", ");
	w_dec(t, en->length);
	w_str(t, " bytes\n");
	if (en->size >= KVMSEA_CPER_ENTRY_SIZE && (en->entry[E_VALID] & E_VALID_TIMESTAMP)) {
		const uint8_t *ts = en->entry + E_TIMESTAMP;

		line(t, 2, "timestamp: ");
		bcd2(t, ts[7]);
		bcd2(t, ts[6]);
		w_char(t, '-');
		bcd2(t, ts[5]);
		w_char(t, '-');
		bcd2(t, ts[4]);
		w_char(t, ' ');
		bcd2(t, ts[2]);
		w_char(t, ':');
		bcd2(t, ts[1]);
		w_char(t, ':');
		bcd2(t, ts[0]);
		w_str(t, ts[3] & 1 ? " precise\n" : " imprecise\n");
	}
	ret = kvmsea_cper_section_check(en);
	if (ret < 0) {
		problem(t, 2, ret);
		return;
	}
	if (memory)
		format_memory(t, en->section);
	else if (arm)
		format_arm(t, en->section);
}

KVMSEA_EXPORT int kvmsea_cper_format(const void *block, size_t len, char *buf,
				     size_t size)
{
	struct kvmsea_writer t;
	struct kvmsea_cper_header h;
	struct kvmsea_cper_entry en;
	unsigned int i = 0;
	int ret;

	if ((!block && len) || (!buf && size))
		return -EINVAL;
	w_init(&t, buf, size);
	ret = kvmsea_cper_header(block, len, len, &h);
	if (ret == -EINVAL && len < KVMSEA_CPER_STATUS_SIZE) {
		w_str(&t, "CPER block: malformed: shorter than its header\n");
		return w_finish(&t);
	}
	w_str(&t, "CPER block: ");
	w_dec(&t, h.length);
	w_str(&t, " bytes, severity ");
	w_str(&t, severity_name(h.severity));
	w_str(&t, ", block status ");
	w_hex(&t, h.status, 8);
	if (h.status & BS_UNCORRECTABLE)
		w_str(&t, " uncorrectable");
	if (h.status & BS_CORRECTABLE)
		w_str(&t, " correctable");
	if (h.status & (BS_MULTI_UNCORRECTABLE | BS_MULTI_CORRECTABLE))
		w_str(&t, " multiple");
	w_str(&t, ", ");
	w_dec(&t, h.status >> BS_COUNT_SHIFT & BS_COUNT_MAX);
	w_str(&t, " entries\n");
	if (ret == -ENODATA) {
		line(&t, 1, "no record (block status 0)\n");
		return w_finish(&t);
	}
	if (h.raw_length) {
		line(&t, 1, "raw data: ");
		w_dec(&t, h.raw_length);
		w_str(&t, " bytes at ");
		w_dec(&t, h.raw_offset);
		w_char(&t, '\n');
	}
	for (uint32_t off = 0; !ret && off < h.data_length; off = en.next) {
		ret = kvmsea_cper_entry(block, &h, off, &en);
		if (!ret)
			format_entry(&t, i++, &en);
	}
	if (ret < 0)
		problem(&t, 1, ret);
	return w_finish(&t);
}
