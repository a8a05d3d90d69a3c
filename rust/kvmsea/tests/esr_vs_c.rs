//! The Rust ESR types against the C decoder, field by field, on 4,357
//! values: every EC with pseudo-random ISS, ISS2 and top bits, every FSC
//! of every abort class, and the edges (all zeros, all ones). The C side
//! (tests/c/esr-fields.c) prints the C struct as the C compiler lays it
//! out; this side prints the same line from `kvmsea::esr`.

use kvmsea::esr::{Esr, Layout};
use std::fmt::Write as _;

#[path = "../../kvmsea-sys/tests/c_probe/mod.rs"]
mod c_probe;

fn b(v: bool) -> u8 {
    v.into()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

/// The line esr-fields.c prints for the same value.
fn rust_line(e: &Esr) -> String {
    let mut s = format!(
        "{:#x} ec={} name={} il={} iss={} iss2={} res0_hi={} ec_allocated={} severity={}",
        e.raw,
        e.ec.raw(),
        e.ec.name(),
        b(e.il),
        e.iss,
        e.iss2,
        e.res0_hi,
        b(e.ec_allocated),
        e.severity.raw()
    );
    let w = &mut s;
    match e.layout {
        Layout::Raw => write!(w, " layout=0"),
        Layout::Abort(a) => write!(
            w,
            " layout=1 is_data={} same_el={} isv={} sas={} sse={} srt={} sf={} ar={} \
             fnp={} pfv={} wu={} toplevel={} vncr={} set={} fnv={} ea={} cm={} s1ptw={} \
             wnr={} fsc={} level={} is_sea={} hdbssf={} tnd={} tagaccess={} gcs={} \
             assuredonly={} overlay={} dirtybit={} xs={}",
            b(a.is_data),
            b(a.same_el),
            b(a.isv),
            a.sas,
            b(a.sse),
            a.srt,
            b(a.sf),
            b(a.ar),
            b(a.fnp),
            b(a.pfv),
            a.wu,
            b(a.toplevel),
            b(a.vncr),
            opt(a.set),
            b(a.fnv),
            b(a.ea),
            b(a.cm),
            b(a.s1ptw),
            b(a.wnr),
            a.fsc.raw(),
            opt(a.level),
            b(a.is_sea),
            b(a.hdbssf),
            b(a.tnd),
            b(a.tagaccess),
            b(a.gcs),
            b(a.assuredonly),
            b(a.overlay),
            b(a.dirtybit),
            a.xs
        ),
        Layout::SError(x) => write!(
            w,
            " layout=2 ids={} impdef={} iesb={} aet={} ea={} dfsc={}",
            b(x.ids),
            x.impdef,
            b(x.iesb),
            x.aet,
            b(x.ea),
            x.dfsc
        ),
        Layout::Wfx(x) => write!(
            w,
            " layout=3 cv={} cond={} rn={} rv={} ti={}",
            b(x.cv),
            x.cond,
            x.rn,
            b(x.rv),
            x.ti
        ),
        Layout::Imm16(v) => write!(w, " layout=4 imm16={v}"),
        Layout::SysReg(r) => write!(
            w,
            " layout=5 op0={} op1={} crn={} crm={} op2={} rt={} read={} name={}",
            r.op0,
            r.op1,
            r.crn,
            r.crm,
            r.op2,
            r.rt,
            b(r.read),
            r.name.unwrap_or("-")
        ),
        Layout::Debug(g) => write!(
            w,
            " layout=6 fsc={} isv={} ex={} cm={} wnr={} vncr={} fnv={} fnp={} wpf={} \
             wptv={} wpt={} gcs={}",
            g.fsc,
            b(g.isv),
            b(g.ex),
            b(g.cm),
            b(g.wnr),
            b(g.vncr),
            b(g.fnv),
            b(g.fnp),
            b(g.wpf),
            b(g.wptv),
            g.wpt,
            b(g.gcs)
        ),
        Layout::FpExc(x) => write!(
            w,
            " layout=7 tfv={} vecitr={} idf={} ixf={} uff={} off={} dzf={} iof={}",
            b(x.tfv),
            x.vecitr,
            b(x.idf),
            b(x.ixf),
            b(x.uff),
            b(x.off),
            b(x.dzf),
            b(x.iof)
        ),
        Layout::Bti { btype } => write!(w, " layout=8 btype={btype}"),
        Layout::Pac { data, key_b } => write!(w, " layout=9 data={} key_b={}", b(data), b(key_b)),
        Layout::Mops(m) => write!(
            w,
            " layout=10 mem_inst={} is_setg={} options={} from_epilogue={} wrong_option={} \
             option_a={} destreg={} srcreg={} sizereg={}",
            b(m.mem_inst),
            b(m.is_setg),
            m.options,
            b(m.from_epilogue),
            b(m.wrong_option),
            b(m.option_a),
            m.destreg,
            m.srcreg,
            m.sizereg
        ),
        Layout::Gcs(g) => write!(
            w,
            " layout=11 exception_type={} raddr={} rn={} it={}",
            g.exception_type, g.raddr, g.rn, g.it
        ),
        other => panic!("a layout this test does not know: {other:?}"),
    }
    .unwrap();
    s
}

/// The values: deterministic (a 64-bit LCG), so a failure reproduces.
fn values() -> Vec<u64> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x
    };
    let mut v = vec![0, u64::MAX, 0x9200_0010, 0x9200_0050, 0x8200_0010];
    for ec in 0..64u64 {
        for k in 0..64 {
            let r = next();
            // Some with RES0 [63:56] clear, some with ISS2 clear too.
            let r = match k % 4 {
                0 => r & 0x00ff_ffff_ffff_ffff,
                1 => r & 0xffff_ffff,
                _ => r,
            };
            v.push((r & !(0x3f << 26)) | (ec << 26));
        }
    }
    for ec in [0x20u64, 0x21, 0x24, 0x25] {
        for fsc in 0..64u64 {
            let r = next() & 0x00ff_ffff_fdff_ffc0; // IL clear, FSC below
            v.push((r & !(0x3f << 26)) | (ec << 26) | fsc);
        }
    }
    assert_eq!(v.len(), 4_357);
    v
}

#[test]
fn rust_types_equal_the_c_decoder_field_by_field() {
    let values = values();
    let input = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("esr-values.txt");
    let text: String = values.iter().map(|v| format!("{v:x}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let source = include_str!("c/esr-fields.c");
    let c = c_probe::run("esr-fields", source, &[], true, &[input.to_str().unwrap()]);
    let c: Vec<&str> = c.lines().collect();
    assert_eq!(c.len(), values.len());
    for (v, c_line) in values.iter().zip(c) {
        assert_eq!(rust_line(&Esr::decode(*v)), c_line, "ESR {v:#x}");
    }
}

#[test]
fn ec_and_fsc_round_trip_every_value() {
    for v in 0..64u8 {
        assert_eq!(kvmsea::esr::Ec::from_raw(v).raw(), v);
        assert_eq!(kvmsea::esr::Fsc::from_raw(v).raw(), v);
    }
}
