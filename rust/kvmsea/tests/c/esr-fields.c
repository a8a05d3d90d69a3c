/* SPDX-License-Identifier: MIT */
/* Every field of kvmsea_esr_decode()'s result, one value a line, for the
 * values read from the file argv[1] (one hex value a line): the C side of
 * tests/esr_vs_c.rs, which prints the same line from the Rust types. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libkvmsea/esr.h>

#define B(x) ((int)(x))

static void print_abort(const struct kvmsea_esr_abort *a)
{
	printf(" is_data=%d same_el=%d isv=%d sas=%u sse=%d srt=%u sf=%d ar=%d"
	       " fnp=%d pfv=%d wu=%u toplevel=%d vncr=%d",
	       B(a->is_data), B(a->same_el), B(a->isv), a->sas, B(a->sse), a->srt,
	       B(a->sf), B(a->ar), B(a->fnp), B(a->pfv), a->wu, B(a->toplevel),
	       B(a->vncr));
	if (a->set_valid)
		printf(" set=%u", a->set);
	else
		printf(" set=-");
	printf(" fnv=%d ea=%d cm=%d s1ptw=%d wnr=%d fsc=%u", B(a->fnv), B(a->ea),
	       B(a->cm), B(a->s1ptw), B(a->wnr), a->fsc);
	if (a->level_valid)
		printf(" level=%d", a->level);
	else
		printf(" level=-");
	printf(" is_sea=%d hdbssf=%d tnd=%d tagaccess=%d gcs=%d assuredonly=%d"
	       " overlay=%d dirtybit=%d xs=%u",
	       B(a->is_sea), B(a->hdbssf), B(a->tnd), B(a->tagaccess), B(a->gcs),
	       B(a->assuredonly), B(a->overlay), B(a->dirtybit), a->xs);
}

static void print_layout(const struct kvmsea_esr *d)
{
	const struct kvmsea_esr_serror *s = &d->u.serror;
	const struct kvmsea_esr_wfx *w = &d->u.wfx;
	const struct kvmsea_esr_sysreg *r = &d->u.sysreg;
	const struct kvmsea_esr_debug *g = &d->u.debug;
	const struct kvmsea_esr_fp_exc *x = &d->u.fp_exc;
	const struct kvmsea_esr_mops *m = &d->u.mops;
	const struct kvmsea_esr_gcs *c = &d->u.gcs;

	printf(" layout=%u", (unsigned int)d->layout);
	switch (d->layout) {
	case KVMSEA_LAYOUT_NONE:
		break;
	case KVMSEA_LAYOUT_ABORT:
		print_abort(&d->u.abort);
		break;
	case KVMSEA_LAYOUT_SERROR:
		printf(" ids=%d impdef=%" PRIu32 " iesb=%d aet=%u ea=%d dfsc=%u",
		       B(s->ids), s->impdef, B(s->iesb), s->aet, B(s->ea), s->dfsc);
		break;
	case KVMSEA_LAYOUT_WFX:
		printf(" cv=%d cond=%u rn=%u rv=%d ti=%u", B(w->cv), w->cond, w->rn,
		       B(w->rv), w->ti);
		break;
	case KVMSEA_LAYOUT_IMM16:
		printf(" imm16=%u", d->u.imm16);
		break;
	case KVMSEA_LAYOUT_SYSREG:
		printf(" op0=%u op1=%u crn=%u crm=%u op2=%u rt=%u read=%d name=%s",
		       r->op0, r->op1, r->crn, r->crm, r->op2, r->rt, B(r->read),
		       r->name ? r->name : "-");
		break;
	case KVMSEA_LAYOUT_DEBUG:
		printf(" fsc=%u isv=%d ex=%d cm=%d wnr=%d vncr=%d fnv=%d fnp=%d"
		       " wpf=%d wptv=%d wpt=%u gcs=%d",
		       g->fsc, B(g->isv), B(g->ex), B(g->cm), B(g->wnr), B(g->vncr),
		       B(g->fnv), B(g->fnp), B(g->wpf), B(g->wptv), g->wpt, B(g->gcs));
		break;
	case KVMSEA_LAYOUT_FP_EXC:
		printf(" tfv=%d vecitr=%u idf=%d ixf=%d uff=%d off=%d dzf=%d iof=%d",
		       B(x->tfv), x->vecitr, B(x->idf), B(x->ixf), B(x->uff),
		       B(x->off), B(x->dzf), B(x->iof));
		break;
	case KVMSEA_LAYOUT_BTI:
		printf(" btype=%u", d->u.btype);
		break;
	case KVMSEA_LAYOUT_PAC:
		printf(" data=%d key_b=%d", B(d->u.pac.data), B(d->u.pac.key_b));
		break;
	case KVMSEA_LAYOUT_MOPS:
		printf(" mem_inst=%d is_setg=%d options=%u from_epilogue=%d"
		       " wrong_option=%d option_a=%d destreg=%u srcreg=%u sizereg=%u",
		       B(m->mem_inst), B(m->is_setg), m->options, B(m->from_epilogue),
		       B(m->wrong_option), B(m->option_a), m->destreg, m->srcreg,
		       m->sizereg);
		break;
	case KVMSEA_LAYOUT_GCS:
		printf(" exception_type=%u raddr=%u rn=%u it=%u", c->exception_type,
		       c->raddr, c->rn, c->it);
		break;
	}
}

int main(int argc, char **argv)
{
	char line[64];
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r")))
		return 2;
	while (fgets(line, sizeof(line), f)) {
		uint64_t v = strtoull(line, NULL, 16);
		struct kvmsea_esr d;

		kvmsea_esr_decode(v, &d);
		printf("0x%" PRIx64 " ec=%u name=%s il=%d iss=%" PRIu32 " iss2=%" PRIu32
		       " res0_hi=%u ec_allocated=%d severity=%u",
		       d.raw, d.ec, kvmsea_esr_ec_name(d.ec), B(d.il), d.iss, d.iss2,
		       d.res0_hi, B(d.ec_allocated), (unsigned int)d.severity);
		print_layout(&d);
		printf("\n");
	}
	fclose(f);
	return 0;
}
