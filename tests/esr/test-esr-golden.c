/* SPDX-License-Identifier: MIT */
/*
 * The formatter's output, byte for byte, against a stored digest
 * (format-golden.txt): a change to how the text is produced must not change
 * the text.
 *
 *   test-esr-golden GOLDEN-FILE   compare (the test)
 *   test-esr-golden --print       write the digests to stdout (to regenerate
 *                                 the file after an intended change)
 *
 * For every EC (0..63) and every style, one digest (64-bit FNV-1a) over the
 * texts of a fixed set of values: nothing and everything set, each ISS,
 * ISS2 and RES0 bit alone, every FSC alone and with pseudo-random other
 * bits, and pseudo-random values. One more line digests every name function
 * over its whole argument range and the sysreg name of every encoding. A
 * mismatch names the EC and style that differ.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libkvmsea/esr.h>

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define EC_SHIFT 26
#define RANDOM_PER_EC 256

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
	return h;
}

/* A string and its terminator, so that boundaries between texts count. */
static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64* with a fixed seed: the same values on every run and host. */
static uint64_t rng_next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static const char *const style_names[3] = { "oneline", "tree", "json" };

struct digest {
	unsigned long count;
	uint64_t hash;
};

static int format_into(struct digest *dg, uint64_t esr,
		       enum kvmsea_esr_style style)
{
	static char buf[8192];
	int n = kvmsea_esr_format(esr, style, buf, sizeof(buf));

	if (n < 0 || (size_t)n >= sizeof(buf)) {
		fprintf(stderr, "golden: 0x%016llx %s: returned %d\n",
			(unsigned long long)esr, style_names[style], n);
		return -1;
	}
	dg->hash = fnv(dg->hash, buf, (size_t)n + 1);
	dg->count++;
	return 0;
}

/* The values formatted for one EC, in all three styles. */
static int digest_ec(unsigned int ec, struct digest dg[3])
{
	uint64_t ecbits = (uint64_t)ec << EC_SHIFT;
	uint64_t values[4 + 64 + 64 + 64 + RANDOM_PER_EC];
	unsigned int n = 0;

	values[n++] = ecbits;
	values[n++] = ecbits | 1ull << 25;                       /* IL */
	values[n++] = ~(0x3full << EC_SHIFT) | ecbits;           /* everything */
	values[n++] = (~(0x3full << EC_SHIFT) | ecbits) & 0xffffffffull;
	for (unsigned int bit = 0; bit < 64; bit++)
		if (bit < 26 || bit > 31)
			values[n++] = ecbits | 1ull << bit;
	for (unsigned int fsc = 0; fsc < 64; fsc++)
		values[n++] = ecbits | 1ull << 25 | fsc;
	for (unsigned int fsc = 0; fsc < 64; fsc++)
		values[n++] = ecbits | (rng_next() & 0x1ffffc0ull) | fsc;
	for (unsigned int i = 0; i < RANDOM_PER_EC; i++) {
		uint64_t v = rng_next() & ~(0x3full << EC_SHIFT);

		if (i % 2)
			v &= 0xffffffffull; /* most real values have no ISS2 */
		values[n++] = ecbits | v;
	}

	for (int s = 0; s < 3; s++) {
		dg[s].count = 0;
		dg[s].hash = FNV_OFFSET;
		for (unsigned int i = 0; i < n; i++)
			if (format_into(&dg[s], values[i], (enum kvmsea_esr_style)s))
				return -1;
	}
	return 0;
}

/* Every name function over more than its range, and the register name of
 * every sysreg encoding (as an EC 0x18 MRS trap, in the one-line style:
 * "register NAME" is the only part that depends on the name). */
static void digest_names(struct digest *dg)
{
	dg->count = 0;
	dg->hash = FNV_OFFSET;
	for (unsigned int v = 0; v < 80; v++) {
		dg->hash = fnv_str(dg->hash, kvmsea_esr_ec_name(v));
		dg->hash = fnv_str(dg->hash, kvmsea_esr_ec_description(v));
		dg->hash = fnv_str(dg->hash, kvmsea_esr_fsc_description(v));
		dg->hash = fnv_str(dg->hash,
				   kvmsea_ras_severity_name((enum kvmsea_ras_severity)v));
		dg->count += 4;
	}
	for (unsigned int key = 0; key < 0x10000; key++) {
		/* ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10],
		 * CRm [4:1], Direction [0] = read. */
		uint64_t iss = (uint64_t)(key >> 14) << 20 |
			       (uint64_t)(key & 7) << 17 |
			       (uint64_t)((key >> 11) & 7) << 14 |
			       (uint64_t)((key >> 7) & 15) << 10 |
			       (uint64_t)((key >> 3) & 15) << 1 | 1;
		struct kvmsea_esr d;

		kvmsea_esr_decode((uint64_t)KVMSEA_EC_SYS64 << EC_SHIFT | iss, &d);
		dg->hash = fnv_str(dg->hash, d.u.sysreg.name);
		dg->count++;
	}
}

/* One line per digest: "ec 0x24 json 446 0123456789abcdef". */
static int print_all(FILE *out)
{
	struct digest dg[3], names;

	for (unsigned int ec = 0; ec < 64; ec++) {
		if (digest_ec(ec, dg))
			return -1;
		for (int s = 0; s < 3; s++)
			fprintf(out, "ec 0x%02x %s %lu %016llx\n", ec,
				style_names[s], dg[s].count,
				(unsigned long long)dg[s].hash);
	}
	digest_names(&names);
	fprintf(out, "names - - %lu %016llx\n", names.count,
		(unsigned long long)names.hash);
	return 0;
}

int main(int argc, char **argv)
{
	char want[128], got[128];
	FILE *golden, *now;
	int bad = 0, lines = 0;

	if (argc == 2 && !strcmp(argv[1], "--print"))
		return print_all(stdout) ? 1 : 0;
	if (argc != 2) {
		fprintf(stderr, "usage: %s GOLDEN-FILE | --print\n", argv[0]);
		return 2;
	}
	golden = fopen(argv[1], "r");
	now = tmpfile();
	if (!golden || !now) {
		perror(golden ? "tmpfile" : argv[1]);
		return 2;
	}
	if (print_all(now))
		return 1;
	rewind(now);
	for (;;) {
		char *w = fgets(want, sizeof(want), golden);
		char *g = fgets(got, sizeof(got), now);

		if (!w && !g)
			break;
		lines++;
		if (!w || !g || strcmp(w, g)) {
			printf("golden: differs: want %s", w ? w : "(nothing)\n");
			printf("golden:           got %s", g ? g : "(nothing)\n");
			bad = 1;
		}
	}
	printf("golden: %d digests, %s\n", lines, bad ? "FAIL" : "all equal");
	return bad;
}
