//! Every struct size, alignment and field offset, and every constant of
//! this crate, equal to what the C compiler makes of the headers.
//!
//! The test writes a C program that prints them (from the names in the
//! tables below), compiles it with `$CC` (default `cc`) against the
//! headers the build script found, runs it and compares. It also proves
//! that the tables are complete: the fields it lists tile each C struct
//! (nothing missing between them or at the end), and every `KVMSEA_*`
//! enumerator and macro in the headers is here.

use kvmsea_sys::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::mem::{align_of, offset_of, size_of};

mod c_probe;

/// What the Rust side says about one name, in the C program's own form.
type Facts = BTreeMap<String, String>;

fn field_size<T, F>(_: fn(&T) -> &F) -> (usize, usize) {
    (size_of::<F>(), align_of::<F>())
}

/// `record!(facts, c, RustType = "C type" { field, ... })`: the struct's
/// and each field's facts on the Rust side, and the C lines that print
/// the same facts.
macro_rules! record {
    ($facts:ident, $c:ident, $t:ident = $cty:expr $(, { $($f:ident),* $(,)? })?) => {{
        let cty: &str = $cty;
        let name = stringify!($t);
        $facts.insert(
            format!("{name} size"),
            format!("{} {}", size_of::<$t>(), align_of::<$t>()),
        );
        writeln!(
            $c,
            "printf(\"{name} size %zu %zu\\n\", sizeof({cty}), _Alignof({cty}));"
        )
        .unwrap();
        $($(
            let f = stringify!($f);
            let (size, align) = field_size(|s: &$t| &s.$f);
            $facts.insert(
                format!("{name}.{f}"),
                format!("{} {size} {align}", offset_of!($t, $f)),
            );
            writeln!(
                $c,
                "printf(\"{name}.{f} %zu %zu %zu\\n\", offsetof({cty}, {f}), \
                 sizeof(((({cty} *)0)->{f})), _Alignof(__typeof__((({cty} *)0)->{f})));"
            )
            .unwrap();
        )*)?
    }};
}

macro_rules! constants {
    ($facts:ident, $c:ident, $($k:ident),* $(,)?) => {
        $(
            $facts.insert(stringify!($k).to_string(), (i128::from($k)).to_string());
            writeln!($c, "printf(\"{} %lld\\n\", (long long){});", stringify!($k), stringify!($k)).unwrap();
        )*
    };
}

fn rust_facts() -> (Facts, String) {
    let mut facts = Facts::new();
    let mut c = String::new();
    let esr_u = "__typeof__(((struct kvmsea_esr *)0)->u)";
    record!(facts, c, kvmsea_esr_abort = "struct kvmsea_esr_abort", {
        is_data, same_el, isv, sas, sse, srt, sf, ar, fnp, pfv, wu, toplevel, vncr, set,
        set_valid, fnv, ea, cm, s1ptw, wnr, fsc, level, level_valid, is_sea, hdbssf, tnd,
        tagaccess, gcs, assuredonly, overlay, dirtybit, xs
    });
    record!(facts, c, kvmsea_esr_serror = "struct kvmsea_esr_serror", {
        ids, impdef, iesb, aet, ea, dfsc
    });
    record!(facts, c, kvmsea_esr_wfx = "struct kvmsea_esr_wfx", { cv, cond, rn, rv, ti });
    record!(facts, c, kvmsea_esr_sysreg = "struct kvmsea_esr_sysreg", {
        op0, op1, crn, crm, op2, rt, read, name
    });
    record!(facts, c, kvmsea_esr_debug = "struct kvmsea_esr_debug", {
        fsc, isv, ex, cm, wnr, vncr, fnv, fnp, wpf, wptv, wpt, gcs
    });
    record!(facts, c, kvmsea_esr_fp_exc = "struct kvmsea_esr_fp_exc", {
        tfv, vecitr, idf, ixf, uff, off, dzf, iof
    });
    record!(facts, c, kvmsea_esr_mops = "struct kvmsea_esr_mops", {
        mem_inst, is_setg, options, from_epilogue, wrong_option, option_a, destreg, srcreg,
        sizereg
    });
    record!(facts, c, kvmsea_esr_gcs = "struct kvmsea_esr_gcs", {
        exception_type, raddr, rn, it
    });
    record!(facts, c, kvmsea_esr_pac = "__typeof__(((struct kvmsea_esr *)0)->u.pac)", {
        data, key_b
    });
    // A union: its members all sit at 0; their types are checked above.
    record!(facts, c, kvmsea_esr_u = esr_u);
    record!(facts, c, kvmsea_esr = "struct kvmsea_esr", {
        raw, ec, il, iss, iss2, res0_hi, ec_allocated, layout, u, severity
    });
    record!(facts, c, kvmsea_caps = "struct kvmsea_caps", {
        sea_to_user, inject_ext_dabt, vcpu_events, inject_serror_esr, arm_el2,
        sea_exits_possible, sea_exits_enabled, reserved
    });
    record!(facts, c, kvmsea_guest = "struct kvmsea_guest", {
        pc, pstate, el, aarch32, el1_aarch32, has_el2, in_nested_guest
    });
    record!(facts, c, kvmsea_event_exit = "__typeof__(((struct kvmsea_event *)0)->exit)", {
        flags, esr, gva, gpa
    });
    record!(facts, c, kvmsea_event_sigbus = "__typeof__(((struct kvmsea_event *)0)->sigbus)", {
        code, addr_lsb, addr
    });
    record!(facts, c, kvmsea_event_memory_fault =
        "__typeof__(((struct kvmsea_event *)0)->memory_fault)", { flags, gpa, size });
    record!(facts, c, kvmsea_event = "struct kvmsea_event", {
        source, vcpu_id, seq, time_ns, syndrome, esr, known, gva, gpa, page_gpa, page_hva,
        page_size, exit, sigbus, memory_fault, guest, repeats, livelock, storm,
        distinct_pages, action, injected, lost, reserved
    });
    record!(facts, c, kvmsea_memslot = "struct kvmsea_memslot", { slot, flags, gpa, size, hva });
    record!(facts, c, kvmsea_poison = "struct kvmsea_poison", {
        gpa, size, hva, source, first_ns, last_ns, count
    });
    record!(facts, c, kvmsea_stats = "struct kvmsea_stats", {
        sea_exits, sigbus_ar, sigbus_ao, sigbus_dropped, sigbus_not_mine, memory_faults,
        poison_dropped, injected, stops, reserved
    });
    record!(facts, c, kvmsea_mem_error = "struct kvmsea_mem_error", {
        gpa, page_size, guest_page_size, severity, flags, time, esr, va, midr, mpidr, reserved
    });
    record!(facts, c, kvmsea_ghes_layout = "struct kvmsea_ghes_layout", {
        source_id, notify, reserved0, poll_interval_ms, vector, block_length, status_address,
        read_ack_address, block_address, reserved
    });
    record!(facts, c, kvmsea_acpi_ids = "struct kvmsea_acpi_ids", {
        oem_id, oem_table_id, oem_revision, creator_id, creator_revision
    });
    record!(facts, c, kvmsea_ghes_stats = "struct kvmsea_ghes_stats", {
        reported, posted, acked, dropped, waiting, unacked, reserved
    });
    // C enums are the c_uint aliases.
    for e in [
        "kvmsea_ec",
        "kvmsea_fsc",
        "kvmsea_esr_layout",
        "kvmsea_ras_severity",
        "kvmsea_esr_style",
        "kvmsea_action",
        "kvmsea_source",
        "kvmsea_strategy",
        "kvmsea_event_style",
        "kvmsea_exit_status",
        "kvmsea_sigbus_result",
        "kvmsea_cper_severity",
        "kvmsea_ghes_notify",
    ] {
        facts.insert(
            format!("enum:{e}"),
            size_of::<core::ffi::c_uint>().to_string(),
        );
        writeln!(c, "printf(\"enum:{e} %zu\\n\", sizeof(enum {e}));").unwrap();
    }
    // The union's size must hold for the pointer-sized handler type too.
    facts.insert(
        "kvmsea_handler_fn".into(),
        size_of::<kvmsea_handler_fn>().to_string(),
    );
    writeln!(
        c,
        "printf(\"kvmsea_handler_fn %zu\\n\", sizeof(kvmsea_handler_fn));"
    )
    .unwrap();

    constants!(
        facts,
        c,
        KVMSEA_EC_UNKNOWN,
        KVMSEA_EC_WFX,
        KVMSEA_EC_CP15_32,
        KVMSEA_EC_CP15_64,
        KVMSEA_EC_CP14_MR,
        KVMSEA_EC_CP14_LS,
        KVMSEA_EC_FP_ASIMD,
        KVMSEA_EC_CP10_ID,
        KVMSEA_EC_PAC,
        KVMSEA_EC_OTHER,
        KVMSEA_EC_CP14_64,
        KVMSEA_EC_BTI,
        KVMSEA_EC_ILL,
        KVMSEA_EC_SVC32,
        KVMSEA_EC_HVC32,
        KVMSEA_EC_SMC32,
        KVMSEA_EC_SYS128,
        KVMSEA_EC_SVC64,
        KVMSEA_EC_HVC64,
        KVMSEA_EC_SMC64,
        KVMSEA_EC_SYS64,
        KVMSEA_EC_SVE,
        KVMSEA_EC_ERET,
        KVMSEA_EC_TSTART,
        KVMSEA_EC_FPAC,
        KVMSEA_EC_SME,
        KVMSEA_EC_GPC,
        KVMSEA_EC_IMP_DEF,
        KVMSEA_EC_IABT_LOW,
        KVMSEA_EC_IABT_CUR,
        KVMSEA_EC_PC_ALIGN,
        KVMSEA_EC_DABT_LOW,
        KVMSEA_EC_DABT_CUR,
        KVMSEA_EC_SP_ALIGN,
        KVMSEA_EC_MOPS,
        KVMSEA_EC_FP_EXC32,
        KVMSEA_EC_FP_EXC64,
        KVMSEA_EC_GCS,
        KVMSEA_EC_SERROR,
        KVMSEA_EC_BREAKPT_LOW,
        KVMSEA_EC_BREAKPT_CUR,
        KVMSEA_EC_SOFTSTP_LOW,
        KVMSEA_EC_SOFTSTP_CUR,
        KVMSEA_EC_WATCHPT_LOW,
        KVMSEA_EC_WATCHPT_CUR,
        KVMSEA_EC_BKPT32,
        KVMSEA_EC_VECTOR32,
        KVMSEA_EC_BRK64,
        KVMSEA_EC_PMU,
        KVMSEA_FSC_EXTABT,
        KVMSEA_FSC_TAG_CHECK,
        KVMSEA_FSC_SEA_TTW_LM2,
        KVMSEA_FSC_SEA_TTW_LM1,
        KVMSEA_FSC_SEA_TTW_L0,
        KVMSEA_FSC_SECC,
        KVMSEA_FSC_SECC_TTW_LM1,
        KVMSEA_FSC_SECC_TTW_L0,
        KVMSEA_FSC_ALIGNMENT,
        KVMSEA_FSC_TLB_CONFLICT,
        KVMSEA_LAYOUT_NONE,
        KVMSEA_LAYOUT_ABORT,
        KVMSEA_LAYOUT_SERROR,
        KVMSEA_LAYOUT_WFX,
        KVMSEA_LAYOUT_IMM16,
        KVMSEA_LAYOUT_SYSREG,
        KVMSEA_LAYOUT_DEBUG,
        KVMSEA_LAYOUT_FP_EXC,
        KVMSEA_LAYOUT_BTI,
        KVMSEA_LAYOUT_PAC,
        KVMSEA_LAYOUT_MOPS,
        KVMSEA_LAYOUT_GCS,
        KVMSEA_RAS_NOT_REPORTED,
        KVMSEA_RAS_UER,
        KVMSEA_RAS_UEO,
        KVMSEA_RAS_UEU,
        KVMSEA_RAS_UC,
        KVMSEA_RAS_CE,
        KVMSEA_RAS_RESERVED,
        KVMSEA_ESR_ONELINE,
        KVMSEA_ESR_TREE,
        KVMSEA_ESR_JSON,
        KVMSEA_ACTION_DEFAULT,
        KVMSEA_ACTION_RETRY,
        KVMSEA_ACTION_STOP,
        KVMSEA_ACTION_HANDLED,
        KVMSEA_SOURCE_EXIT,
        KVMSEA_SOURCE_SIGBUS_AR,
        KVMSEA_SOURCE_SIGBUS_AO,
        KVMSEA_SOURCE_MEMORY_FAULT,
        KVMSEA_SOURCE_CALLER,
        KVMSEA_STRATEGY_NONE,
        KVMSEA_STRATEGY_AUTO,
        KVMSEA_STRATEGY_VCPU_EVENTS,
        KVMSEA_STRATEGY_EMULATE,
        KVMSEA_STRATEGY_SERROR,
        KVMSEA_KNOWN_GVA,
        KVMSEA_KNOWN_GPA,
        KVMSEA_KNOWN_PAGE_GPA,
        KVMSEA_KNOWN_PAGE_HVA,
        KVMSEA_KNOWN_GUEST,
        KVMSEA_LOST_FAR,
        KVMSEA_LOST_FNV,
        KVMSEA_LOST_WNR,
        KVMSEA_LOST_CM,
        KVMSEA_LOST_EA,
        KVMSEA_LOST_SET,
        KVMSEA_LOST_FSC,
        KVMSEA_LOST_SYNC,
        KVMSEA_NO_VCPU,
        KVMSEA_EVENT_ONELINE,
        KVMSEA_EVENT_TEXT,
        KVMSEA_EVENT_JSON,
        KVMSEA_VCPU_EL1_32BIT,
        KVMSEA_VCPU_HAS_EL2,
        KVMSEA_EXIT_HANDLED,
        KVMSEA_EXIT_NOT_SEA,
        KVMSEA_EXIT_STOP,
        KVMSEA_MEMSLOT_LOG_DIRTY,
        KVMSEA_MEMSLOT_READONLY,
        KVMSEA_MEMSLOT_GUEST_MEMFD,
        KVMSEA_SIGBUS_NOT_MINE,
        KVMSEA_SIGBUS_RECORDED,
        KVMSEA_SIGBUS_DROPPED,
        KVMSEA_CPER_STATUS_SIZE,
        KVMSEA_CPER_ENTRY_SIZE,
        KVMSEA_CPER_MEMORY_SIZE,
        KVMSEA_CPER_ARM_SIZE,
        KVMSEA_GHES_SOURCE_SIZE,
        KVMSEA_GHES_REGS_SIZE,
        KVMSEA_CPER_RECOVERABLE,
        KVMSEA_CPER_FATAL,
        KVMSEA_CPER_CORRECTED,
        KVMSEA_CPER_INFORMATIONAL,
        KVMSEA_MEM_CONSUMED,
        KVMSEA_MEM_ARM,
        KVMSEA_MEM_VA_VALID,
        KVMSEA_MEM_MPIDR_VALID,
        KVMSEA_GHES_POLLED,
        KVMSEA_GHES_EXTERNAL,
        KVMSEA_GHES_SCI,
        KVMSEA_GHES_GPIO,
        KVMSEA_GHES_SEA,
        KVMSEA_GHES_SEI,
        KVMSEA_GHES_GSIV,
        KVMSEA_GHES_SDEI,
        KVMSEA_GHES_IDLE,
        KVMSEA_GHES_POSTED,
        KVMSEA_GHES_QUEUED,
        KVMSEA_GHES_BUSY,
    );
    {
        use kvmsea_sys::errno::*;
        constants!(
            facts, c, ENOENT, EINTR, EIO, E2BIG, EBADF, EAGAIN, ENOMEM, EFAULT, EBUSY, EEXIST,
            EINVAL, ENOTTY, ENOSPC, ERANGE, ENOSYS, ENODATA, EMSGSIZE, EOPNOTSUPP, EALREADY,
            ECANCELED, EHWPOISON,
        );
    }
    {
        use kvmsea_sys::siginfo::*;
        constants!(facts, c, BUS_MCEERR_AR, BUS_MCEERR_AO);
        // The three fields' offsets, and their types' sizes.
        for (name, offset, size, field) in [
            (
                "CODE_OFFSET",
                CODE_OFFSET,
                size_of::<core::ffi::c_int>(),
                "si_code",
            ),
            ("ADDR_OFFSET", ADDR_OFFSET, size_of::<*mut u8>(), "si_addr"),
            (
                "ADDR_LSB_OFFSET",
                ADDR_LSB_OFFSET,
                size_of::<i16>(),
                "si_addr_lsb",
            ),
        ] {
            facts.insert(format!("siginfo.{name}"), format!("{offset} {size}"));
            writeln!(
                c,
                "printf(\"siginfo.{name} %zu %zu\\n\", offsetof(siginfo_t, {field}), \
                 sizeof(((siginfo_t *)0)->{field}));"
            )
            .unwrap();
        }
    }
    (facts, c)
}

fn c_facts(body: &str) -> Facts {
    let program = format!(
        "#define _GNU_SOURCE\n#include <errno.h>\n#include <signal.h>\n\
         #include <stddef.h>\n#include <stdio.h>\n\
         #include <libkvmsea/libkvmsea.h>\n\
         int main(void)\n{{\n{body}return 0;\n}}\n"
    );
    let out = c_probe::run("layout", &program, &[], false, &[]);
    out.lines()
        .map(|line| {
            let (name, value) = line.split_once(' ').expect("name value");
            let (name, value) = match value.strip_prefix("size ") {
                Some(v) => (format!("{name} size"), v),
                None => (name.to_string(), value),
            };
            (name, value.to_string())
        })
        .collect()
}

#[test]
fn every_size_offset_and_constant_matches_c() {
    let (rust, program) = rust_facts();
    let c = c_facts(&program);
    let mut wrong = Vec::new();
    for (name, value) in &rust {
        if c.get(name) != Some(value) {
            wrong.push(format!("{name}: Rust {value}, C {:?}", c.get(name)));
        }
    }
    assert!(
        wrong.is_empty(),
        "layout differences:\n{}",
        wrong.join("\n")
    );
    assert_eq!(rust.len(), c.len());
}

/// The listed fields tile each struct: each starts where the previous one
/// ends, rounded up to its alignment, and the size is the end rounded up to
/// the struct's alignment. A C field missing from the list would break it.
#[test]
fn field_lists_are_complete() {
    let (_, program) = rust_facts();
    let c = c_facts(&program);
    let round = |n: usize, a: usize| n.div_ceil(a) * a;
    for (key, value) in &c {
        let Some(name) = key.strip_suffix(" size") else {
            continue;
        };
        let nums = |v: &str| -> Vec<usize> { v.split(' ').map(|x| x.parse().unwrap()).collect() };
        let sa = nums(value);
        let mut fields: Vec<Vec<usize>> = c
            .iter()
            .filter(|(k, _)| k.strip_prefix(name).is_some_and(|r| r.starts_with('.')))
            .map(|(_, v)| nums(v))
            .collect();
        if fields.is_empty() {
            continue; // the union
        }
        fields.sort();
        let mut end = 0;
        for f in &fields {
            assert_eq!(
                f[0],
                round(end, f[2]),
                "{name}: a gap before the field at {}",
                f[0]
            );
            end = f[0] + f[1];
        }
        assert_eq!(
            sa[0],
            round(end, sa[1]),
            "{name}: room after its last listed field"
        );
    }
}

/// Every enumerator and macro named KVMSEA_* in the headers is bound.
#[test]
fn every_header_constant_is_bound() {
    let (rust, _) = rust_facts();
    let mut missing = Vec::new();
    for header in ["esr.h", "sea.h", "memory.h", "cper.h"] {
        let text = std::fs::read_to_string(c_probe::header(header)).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            let name = match line.strip_prefix("#define ") {
                Some(rest) => rest,
                None => line,
            };
            if !name.starts_with("KVMSEA_") {
                continue;
            }
            let end = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(name.len());
            let (name, rest) = name.split_at(end);
            let rest = rest.trim_start();
            let is_constant = line.starts_with("#define")
                || rest.is_empty()
                || rest.starts_with('=')
                || rest.starts_with(',');
            if is_constant && !rust.contains_key(name) && !name.ends_with("_H") {
                missing.push(format!("{header}: {name}"));
            }
        }
    }
    assert!(missing.is_empty(), "not bound: {missing:?}");
}
