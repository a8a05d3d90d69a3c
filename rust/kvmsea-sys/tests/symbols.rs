//! The functions this crate declares are exactly the ones libkvmsea
//! exports (lib/libkvmsea.sym, the library's export list), and each one
//! links: the table below takes every function's address, so a name the
//! library lacks fails the link, and the sets are compared by name.

use kvmsea_sys::*;
use std::collections::BTreeSet;
use std::path::Path;

macro_rules! functions {
    ($($f:ident),* $(,)?) => {
        [$((stringify!($f), $f as *const () as usize)),*]
    };
}

#[test]
fn declared_functions_are_the_exported_ones() {
    let table = functions![
        kvmsea_esr_decode,
        kvmsea_esr_ec_name,
        kvmsea_esr_ec_description,
        kvmsea_esr_fsc_description,
        kvmsea_esr_is_sea,
        kvmsea_esr_is_data_abort,
        kvmsea_esr_is_insn_abort,
        kvmsea_esr_far_valid,
        kvmsea_esr_severity,
        kvmsea_ras_severity_name,
        kvmsea_esr_format,
        kvmsea_probe,
        kvmsea_ctx_new,
        kvmsea_ctx_free,
        kvmsea_ctx_get_caps,
        kvmsea_ctx_enable,
        kvmsea_ctx_set_handler,
        kvmsea_ctx_set_livelock_limit,
        kvmsea_vcpu_new,
        kvmsea_vcpu_free,
        kvmsea_vcpu_handle_exit,
        kvmsea_vcpu_inject,
        kvmsea_vcpu_last_event,
        kvmsea_vcpu_get_ctx,
        kvmsea_vcpu_get_id,
        kvmsea_strategy_name,
        kvmsea_event_init,
        kvmsea_event_format,
        kvmsea_vcpu_set_data,
        kvmsea_vcpu_get_data,
        kvmsea_vcpu_serror_pending,
        kvmsea_ctx_set_storm_limit,
        kvmsea_ctx_set_memslot,
        kvmsea_ctx_hva_to_gpa,
        kvmsea_ctx_gpa_to_hva,
        kvmsea_sigbus,
        kvmsea_ctx_next_error,
        kvmsea_ctx_set_poison_capacity,
        kvmsea_ctx_is_poisoned,
        kvmsea_ctx_get_poison,
        kvmsea_ctx_clear_poison,
        kvmsea_ctx_get_stats,
        kvmsea_mem_error_from_event,
        kvmsea_cper_sections,
        kvmsea_cper_build,
        kvmsea_cper_check,
        kvmsea_cper_format,
        kvmsea_ghes_layout_init,
        kvmsea_ghes_build_source,
        kvmsea_ghes_build_hest,
        kvmsea_ghes_new,
        kvmsea_ghes_free,
        kvmsea_ghes_reset,
        kvmsea_ghes_report,
        kvmsea_ghes_poll,
        kvmsea_ghes_get_stats,
    ];
    assert!(table.iter().all(|&(_, addr)| addr != 0));
    let in_table: BTreeSet<&str> = table.iter().map(|&(name, _)| name).collect();

    // Every `pub fn` of the extern block, read from the source.
    let source = include_str!("../src/lib.rs");
    let declared: BTreeSet<&str> = source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub fn "))
        .map(|l| l.split('(').next().unwrap())
        .collect();
    assert_eq!(
        declared, in_table,
        "the table lists every declared function"
    );

    let sym = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lib/libkvmsea.sym");
    let Ok(text) = std::fs::read_to_string(&sym) else {
        // A packaged crate, outside the repository: the link proved enough.
        eprintln!("{}: not found; export list not compared", sym.display());
        return;
    };
    let exported: BTreeSet<&str> = text
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_suffix(';'))
        .filter(|l| l.starts_with("kvmsea_"))
        .collect();
    assert_eq!(declared, exported, "declared vs lib/libkvmsea.sym");
}
