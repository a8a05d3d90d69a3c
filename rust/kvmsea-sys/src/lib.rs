//! Raw bindings to libkvmsea, the C library that handles guest memory
//! errors (`KVM_EXIT_ARM_SEA`, SIGBUS `BUS_MCEERR_AR`/`AO`) in arm64 VMMs.
//!
//! Written by hand from `<libkvmsea/esr.h>`, `<libkvmsea/sea.h>`,
//! `<libkvmsea/memory.h>` and `<libkvmsea/cper.h>`, one item per C item
//! with the C name. The safe API is the `kvmsea` crate;
//! the contracts are the C library's manual pages (`libkvmsea(7)`).
//! Every struct size, field offset and constant here is checked against
//! the C compiler's view of the headers (`tests/layout.rs`), and the
//! functions against the library's export list (`tests/symbols.rs`).
//!
//! Linking: the build script uses `pkg-config libkvmsea`, or the static
//! archive of a meson build directory named by `KVMSEA_BUILD_DIR`.
//!
//! C enums are `c_uint` type aliases with one constant per enumerator (so
//! a value the C side adds later is still a valid Rust value).
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::marker::{PhantomData, PhantomPinned};

// ---- esr.h -------------------------------------------------------------

/// `enum kvmsea_ec`: exception classes (ESR_ELx.EC, bits [31:26]).
pub type kvmsea_ec = c_uint;
pub const KVMSEA_EC_UNKNOWN: kvmsea_ec = 0x00;
pub const KVMSEA_EC_WFX: kvmsea_ec = 0x01;
pub const KVMSEA_EC_CP15_32: kvmsea_ec = 0x03;
pub const KVMSEA_EC_CP15_64: kvmsea_ec = 0x04;
pub const KVMSEA_EC_CP14_MR: kvmsea_ec = 0x05;
pub const KVMSEA_EC_CP14_LS: kvmsea_ec = 0x06;
pub const KVMSEA_EC_FP_ASIMD: kvmsea_ec = 0x07;
pub const KVMSEA_EC_CP10_ID: kvmsea_ec = 0x08;
pub const KVMSEA_EC_PAC: kvmsea_ec = 0x09;
pub const KVMSEA_EC_OTHER: kvmsea_ec = 0x0a;
pub const KVMSEA_EC_CP14_64: kvmsea_ec = 0x0c;
pub const KVMSEA_EC_BTI: kvmsea_ec = 0x0d;
pub const KVMSEA_EC_ILL: kvmsea_ec = 0x0e;
pub const KVMSEA_EC_SVC32: kvmsea_ec = 0x11;
pub const KVMSEA_EC_HVC32: kvmsea_ec = 0x12;
pub const KVMSEA_EC_SMC32: kvmsea_ec = 0x13;
pub const KVMSEA_EC_SYS128: kvmsea_ec = 0x14;
pub const KVMSEA_EC_SVC64: kvmsea_ec = 0x15;
pub const KVMSEA_EC_HVC64: kvmsea_ec = 0x16;
pub const KVMSEA_EC_SMC64: kvmsea_ec = 0x17;
pub const KVMSEA_EC_SYS64: kvmsea_ec = 0x18;
pub const KVMSEA_EC_SVE: kvmsea_ec = 0x19;
pub const KVMSEA_EC_ERET: kvmsea_ec = 0x1a;
pub const KVMSEA_EC_TSTART: kvmsea_ec = 0x1b;
pub const KVMSEA_EC_FPAC: kvmsea_ec = 0x1c;
pub const KVMSEA_EC_SME: kvmsea_ec = 0x1d;
pub const KVMSEA_EC_GPC: kvmsea_ec = 0x1e;
pub const KVMSEA_EC_IMP_DEF: kvmsea_ec = 0x1f;
pub const KVMSEA_EC_IABT_LOW: kvmsea_ec = 0x20;
pub const KVMSEA_EC_IABT_CUR: kvmsea_ec = 0x21;
pub const KVMSEA_EC_PC_ALIGN: kvmsea_ec = 0x22;
pub const KVMSEA_EC_DABT_LOW: kvmsea_ec = 0x24;
pub const KVMSEA_EC_DABT_CUR: kvmsea_ec = 0x25;
pub const KVMSEA_EC_SP_ALIGN: kvmsea_ec = 0x26;
pub const KVMSEA_EC_MOPS: kvmsea_ec = 0x27;
pub const KVMSEA_EC_FP_EXC32: kvmsea_ec = 0x28;
pub const KVMSEA_EC_FP_EXC64: kvmsea_ec = 0x2c;
pub const KVMSEA_EC_GCS: kvmsea_ec = 0x2d;
pub const KVMSEA_EC_SERROR: kvmsea_ec = 0x2f;
pub const KVMSEA_EC_BREAKPT_LOW: kvmsea_ec = 0x30;
pub const KVMSEA_EC_BREAKPT_CUR: kvmsea_ec = 0x31;
pub const KVMSEA_EC_SOFTSTP_LOW: kvmsea_ec = 0x32;
pub const KVMSEA_EC_SOFTSTP_CUR: kvmsea_ec = 0x33;
pub const KVMSEA_EC_WATCHPT_LOW: kvmsea_ec = 0x34;
pub const KVMSEA_EC_WATCHPT_CUR: kvmsea_ec = 0x35;
pub const KVMSEA_EC_BKPT32: kvmsea_ec = 0x38;
pub const KVMSEA_EC_VECTOR32: kvmsea_ec = 0x3a;
pub const KVMSEA_EC_BRK64: kvmsea_ec = 0x3c;
pub const KVMSEA_EC_PMU: kvmsea_ec = 0x3d;

/// `enum kvmsea_fsc`: fault status codes (DFSC/IFSC, ISS[5:0]).
pub type kvmsea_fsc = c_uint;
pub const KVMSEA_FSC_EXTABT: kvmsea_fsc = 0x10;
pub const KVMSEA_FSC_TAG_CHECK: kvmsea_fsc = 0x11;
pub const KVMSEA_FSC_SEA_TTW_LM2: kvmsea_fsc = 0x12;
pub const KVMSEA_FSC_SEA_TTW_LM1: kvmsea_fsc = 0x13;
pub const KVMSEA_FSC_SEA_TTW_L0: kvmsea_fsc = 0x14;
pub const KVMSEA_FSC_SECC: kvmsea_fsc = 0x18;
pub const KVMSEA_FSC_SECC_TTW_LM1: kvmsea_fsc = 0x1b;
pub const KVMSEA_FSC_SECC_TTW_L0: kvmsea_fsc = 0x1c;
pub const KVMSEA_FSC_ALIGNMENT: kvmsea_fsc = 0x21;
pub const KVMSEA_FSC_TLB_CONFLICT: kvmsea_fsc = 0x30;

/// `enum kvmsea_esr_layout`: which ISS layout the decoder applied.
pub type kvmsea_esr_layout = c_uint;
pub const KVMSEA_LAYOUT_NONE: kvmsea_esr_layout = 0;
pub const KVMSEA_LAYOUT_ABORT: kvmsea_esr_layout = 1;
pub const KVMSEA_LAYOUT_SERROR: kvmsea_esr_layout = 2;
pub const KVMSEA_LAYOUT_WFX: kvmsea_esr_layout = 3;
pub const KVMSEA_LAYOUT_IMM16: kvmsea_esr_layout = 4;
pub const KVMSEA_LAYOUT_SYSREG: kvmsea_esr_layout = 5;
pub const KVMSEA_LAYOUT_DEBUG: kvmsea_esr_layout = 6;
pub const KVMSEA_LAYOUT_FP_EXC: kvmsea_esr_layout = 7;
pub const KVMSEA_LAYOUT_BTI: kvmsea_esr_layout = 8;
pub const KVMSEA_LAYOUT_PAC: kvmsea_esr_layout = 9;
pub const KVMSEA_LAYOUT_MOPS: kvmsea_esr_layout = 10;
pub const KVMSEA_LAYOUT_GCS: kvmsea_esr_layout = 11;

/// `enum kvmsea_ras_severity`.
pub type kvmsea_ras_severity = c_uint;
pub const KVMSEA_RAS_NOT_REPORTED: kvmsea_ras_severity = 0;
pub const KVMSEA_RAS_UER: kvmsea_ras_severity = 1;
pub const KVMSEA_RAS_UEO: kvmsea_ras_severity = 2;
pub const KVMSEA_RAS_UEU: kvmsea_ras_severity = 3;
pub const KVMSEA_RAS_UC: kvmsea_ras_severity = 4;
pub const KVMSEA_RAS_CE: kvmsea_ras_severity = 5;
pub const KVMSEA_RAS_RESERVED: kvmsea_ras_severity = 6;

/// `struct kvmsea_esr_abort`: data and instruction abort ISS (and ISS2).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_abort {
    pub is_data: bool,
    pub same_el: bool,
    pub isv: bool,
    pub sas: u8,
    pub sse: bool,
    pub srt: u8,
    pub sf: bool,
    pub ar: bool,
    pub fnp: bool,
    pub pfv: bool,
    pub wu: u8,
    pub toplevel: bool,
    pub vncr: bool,
    pub set: u8,
    pub set_valid: bool,
    pub fnv: bool,
    pub ea: bool,
    pub cm: bool,
    pub s1ptw: bool,
    pub wnr: bool,
    pub fsc: u8,
    pub level: i8,
    pub level_valid: bool,
    pub is_sea: bool,
    pub hdbssf: bool,
    pub tnd: bool,
    pub tagaccess: bool,
    pub gcs: bool,
    pub assuredonly: bool,
    pub overlay: bool,
    pub dirtybit: bool,
    pub xs: u8,
}

/// `struct kvmsea_esr_serror`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_serror {
    pub ids: bool,
    pub impdef: u32,
    pub iesb: bool,
    pub aet: u8,
    pub ea: bool,
    pub dfsc: u8,
}

/// `struct kvmsea_esr_wfx`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_wfx {
    pub cv: bool,
    pub cond: u8,
    pub rn: u8,
    pub rv: bool,
    pub ti: u8,
}

/// `struct kvmsea_esr_sysreg`. `name` points to a static string or is NULL.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct kvmsea_esr_sysreg {
    pub op0: u8,
    pub op1: u8,
    pub crn: u8,
    pub crm: u8,
    pub op2: u8,
    pub rt: u8,
    pub read: bool,
    pub name: *const c_char,
}

/// `struct kvmsea_esr_debug`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_debug {
    pub fsc: u8,
    pub isv: bool,
    pub ex: bool,
    pub cm: bool,
    pub wnr: bool,
    pub vncr: bool,
    pub fnv: bool,
    pub fnp: bool,
    pub wpf: bool,
    pub wptv: bool,
    pub wpt: u8,
    pub gcs: bool,
}

/// `struct kvmsea_esr_fp_exc`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_fp_exc {
    pub tfv: bool,
    pub vecitr: u8,
    pub idf: bool,
    pub ixf: bool,
    pub uff: bool,
    pub off: bool,
    pub dzf: bool,
    pub iof: bool,
}

/// `struct kvmsea_esr_mops`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_mops {
    pub mem_inst: bool,
    pub is_setg: bool,
    pub options: u8,
    pub from_epilogue: bool,
    pub wrong_option: bool,
    pub option_a: bool,
    pub destreg: u8,
    pub srcreg: u8,
    pub sizereg: u8,
}

/// `struct kvmsea_esr_gcs`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_gcs {
    pub exception_type: u8,
    pub raddr: u8,
    pub rn: u8,
    pub it: u8,
}

/// The anonymous `pac` member of `struct kvmsea_esr`'s union.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_esr_pac {
    pub data: bool,
    pub key_b: bool,
}

/// `struct kvmsea_esr`'s union `u`: the member `layout` names is valid.
#[repr(C)]
#[derive(Clone, Copy)]
pub union kvmsea_esr_u {
    pub abort: kvmsea_esr_abort,
    pub serror: kvmsea_esr_serror,
    pub wfx: kvmsea_esr_wfx,
    pub imm16: u16,
    pub sysreg: kvmsea_esr_sysreg,
    pub debug: kvmsea_esr_debug,
    pub fp_exc: kvmsea_esr_fp_exc,
    pub btype: u8,
    pub pac: kvmsea_esr_pac,
    pub mops: kvmsea_esr_mops,
    pub gcs: kvmsea_esr_gcs,
    pub reserved_: [u64; 8],
}

/// `struct kvmsea_esr`: a decoded syndrome.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct kvmsea_esr {
    pub raw: u64,
    pub ec: u8,
    pub il: bool,
    pub iss: u32,
    pub iss2: u32,
    pub res0_hi: u8,
    pub ec_allocated: bool,
    pub layout: kvmsea_esr_layout,
    pub u: kvmsea_esr_u,
    pub severity: kvmsea_ras_severity,
}

/// `enum kvmsea_esr_style`.
pub type kvmsea_esr_style = c_uint;
pub const KVMSEA_ESR_ONELINE: kvmsea_esr_style = 0;
pub const KVMSEA_ESR_TREE: kvmsea_esr_style = 1;
pub const KVMSEA_ESR_JSON: kvmsea_esr_style = 2;

// ---- sea.h -------------------------------------------------------------

/// `struct kvmsea_caps`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_caps {
    pub sea_to_user: c_int,
    pub inject_ext_dabt: c_int,
    pub vcpu_events: c_int,
    pub inject_serror_esr: c_int,
    pub arm_el2: c_int,
    pub sea_exits_possible: bool,
    pub sea_exits_enabled: bool,
    pub reserved: [u32; 8],
}

/// `struct kvmsea_ctx`: opaque, one per VM.
#[repr(C)]
pub struct kvmsea_ctx {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `struct kvmsea_vcpu`: opaque, one per vCPU.
#[repr(C)]
pub struct kvmsea_vcpu {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `enum kvmsea_action`: what the handler asks for.
pub type kvmsea_action = c_uint;
pub const KVMSEA_ACTION_DEFAULT: kvmsea_action = 0;
pub const KVMSEA_ACTION_RETRY: kvmsea_action = 1;
pub const KVMSEA_ACTION_STOP: kvmsea_action = 2;
pub const KVMSEA_ACTION_HANDLED: kvmsea_action = 3;

/// `kvmsea_handler_fn`: returns a `kvmsea_action` or a negative errno.
pub type kvmsea_handler_fn = Option<
    unsafe extern "C" fn(
        vcpu: *mut kvmsea_vcpu,
        event: *const kvmsea_event,
        opaque: *mut c_void,
    ) -> c_int,
>;

/// `enum kvmsea_source`.
pub type kvmsea_source = c_uint;
pub const KVMSEA_SOURCE_EXIT: kvmsea_source = 1;
pub const KVMSEA_SOURCE_SIGBUS_AR: kvmsea_source = 2;
pub const KVMSEA_SOURCE_SIGBUS_AO: kvmsea_source = 3;
pub const KVMSEA_SOURCE_MEMORY_FAULT: kvmsea_source = 4;
pub const KVMSEA_SOURCE_CALLER: kvmsea_source = 5;

/// `enum kvmsea_strategy`.
pub type kvmsea_strategy = c_uint;
pub const KVMSEA_STRATEGY_NONE: kvmsea_strategy = 0;
pub const KVMSEA_STRATEGY_AUTO: kvmsea_strategy = 1;
pub const KVMSEA_STRATEGY_VCPU_EVENTS: kvmsea_strategy = 2;
pub const KVMSEA_STRATEGY_EMULATE: kvmsea_strategy = 3;
pub const KVMSEA_STRATEGY_SERROR: kvmsea_strategy = 4;

pub const KVMSEA_KNOWN_GVA: u32 = 1 << 0;
pub const KVMSEA_KNOWN_GPA: u32 = 1 << 1;
pub const KVMSEA_KNOWN_PAGE_GPA: u32 = 1 << 2;
pub const KVMSEA_KNOWN_PAGE_HVA: u32 = 1 << 3;
pub const KVMSEA_KNOWN_GUEST: u32 = 1 << 4;

pub const KVMSEA_LOST_FAR: u32 = 1 << 0;
pub const KVMSEA_LOST_FNV: u32 = 1 << 1;
pub const KVMSEA_LOST_WNR: u32 = 1 << 2;
pub const KVMSEA_LOST_CM: u32 = 1 << 3;
pub const KVMSEA_LOST_EA: u32 = 1 << 4;
pub const KVMSEA_LOST_SET: u32 = 1 << 5;
pub const KVMSEA_LOST_FSC: u32 = 1 << 6;
pub const KVMSEA_LOST_SYNC: u32 = 1 << 7;

pub const KVMSEA_NO_VCPU: u32 = u32::MAX;

/// `struct kvmsea_guest`: the guest's state when the abort was taken.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_guest {
    pub pc: u64,
    pub pstate: u64,
    pub el: u8,
    pub aarch32: bool,
    pub el1_aarch32: bool,
    pub has_el2: bool,
    pub in_nested_guest: bool,
}

/// The anonymous `exit` member of `struct kvmsea_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_event_exit {
    pub flags: u64,
    pub esr: u64,
    pub gva: u64,
    pub gpa: u64,
}

/// The anonymous `sigbus` member of `struct kvmsea_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_event_sigbus {
    pub code: i32,
    pub addr_lsb: u32,
    pub addr: u64,
}

/// The anonymous `memory_fault` member of `struct kvmsea_event`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_event_memory_fault {
    pub flags: u64,
    pub gpa: u64,
    pub size: u64,
}

/// `struct kvmsea_event`: one memory error.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct kvmsea_event {
    pub source: kvmsea_source,
    pub vcpu_id: u32,
    pub seq: u64,
    pub time_ns: u64,
    pub syndrome: u64,
    pub esr: kvmsea_esr,
    pub known: u32,
    pub gva: u64,
    pub gpa: u64,
    pub page_gpa: u64,
    pub page_hva: u64,
    pub page_size: u64,
    pub exit: kvmsea_event_exit,
    pub sigbus: kvmsea_event_sigbus,
    pub memory_fault: kvmsea_event_memory_fault,
    pub guest: kvmsea_guest,
    pub repeats: u32,
    pub livelock: bool,
    pub storm: bool,
    pub distinct_pages: u32,
    pub action: kvmsea_action,
    pub injected: kvmsea_strategy,
    pub lost: u32,
    pub reserved: [u64; 8],
}

/// `enum kvmsea_event_style`.
pub type kvmsea_event_style = c_uint;
pub const KVMSEA_EVENT_ONELINE: kvmsea_event_style = 0;
pub const KVMSEA_EVENT_TEXT: kvmsea_event_style = 1;
pub const KVMSEA_EVENT_JSON: kvmsea_event_style = 2;

pub const KVMSEA_VCPU_EL1_32BIT: u32 = 1 << 0;
pub const KVMSEA_VCPU_HAS_EL2: u32 = 1 << 1;

/// `enum kvmsea_exit_status`: `kvmsea_vcpu_handle_exit()`'s results.
pub type kvmsea_exit_status = c_uint;
pub const KVMSEA_EXIT_HANDLED: kvmsea_exit_status = 0;
pub const KVMSEA_EXIT_NOT_SEA: kvmsea_exit_status = 1;
pub const KVMSEA_EXIT_STOP: kvmsea_exit_status = 2;

// ---- memory.h ----------------------------------------------------------

pub const KVMSEA_MEMSLOT_LOG_DIRTY: u32 = 1 << 0;
pub const KVMSEA_MEMSLOT_READONLY: u32 = 1 << 1;
pub const KVMSEA_MEMSLOT_GUEST_MEMFD: u32 = 1 << 2;

/// `struct kvmsea_memslot`: one KVM memslot, as the VMM gave it to KVM.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_memslot {
    pub slot: u32,
    pub flags: u32,
    pub gpa: u64,
    pub size: u64,
    pub hva: u64,
}

/// `enum kvmsea_sigbus_result`: what `kvmsea_sigbus()` did.
pub type kvmsea_sigbus_result = c_uint;
pub const KVMSEA_SIGBUS_NOT_MINE: kvmsea_sigbus_result = 0;
pub const KVMSEA_SIGBUS_RECORDED: kvmsea_sigbus_result = 1;
pub const KVMSEA_SIGBUS_DROPPED: kvmsea_sigbus_result = 2;

/// `struct kvmsea_poison`: one bad guest range of the registry.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_poison {
    pub gpa: u64,
    pub size: u64,
    pub hva: u64,
    pub source: kvmsea_source,
    pub first_ns: u64,
    pub last_ns: u64,
    pub count: u64,
}

/// `struct kvmsea_stats`: a context's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_stats {
    pub sea_exits: u64,
    pub sigbus_ar: u64,
    pub sigbus_ao: u64,
    pub sigbus_dropped: u64,
    pub sigbus_not_mine: u64,
    pub memory_faults: u64,
    pub poison_dropped: u64,
    pub injected: u64,
    pub stops: u64,
    pub reserved: [u64; 8],
}

// ---- cper.h ------------------------------------------------------------

pub const KVMSEA_CPER_STATUS_SIZE: u32 = 20;
pub const KVMSEA_CPER_ENTRY_SIZE: u32 = 72;
pub const KVMSEA_CPER_MEMORY_SIZE: u32 = 80;
pub const KVMSEA_CPER_ARM_SIZE: u32 = 104;
pub const KVMSEA_GHES_SOURCE_SIZE: u32 = 92;
pub const KVMSEA_GHES_REGS_SIZE: u32 = 16;

/// `enum kvmsea_cper_severity`.
pub type kvmsea_cper_severity = c_uint;
pub const KVMSEA_CPER_RECOVERABLE: kvmsea_cper_severity = 0;
pub const KVMSEA_CPER_FATAL: kvmsea_cper_severity = 1;
pub const KVMSEA_CPER_CORRECTED: kvmsea_cper_severity = 2;
pub const KVMSEA_CPER_INFORMATIONAL: kvmsea_cper_severity = 3;

/// `struct kvmsea_mem_error`: one memory error, as a VMM knows it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_mem_error {
    pub gpa: u64,
    pub page_size: u64,
    pub guest_page_size: u64,
    pub severity: u32,
    pub flags: u32,
    pub time: u64,
    pub esr: u64,
    pub va: u64,
    pub midr: u64,
    pub mpidr: u64,
    pub reserved: [u64; 4],
}

pub const KVMSEA_MEM_CONSUMED: u32 = 1 << 0;
pub const KVMSEA_MEM_ARM: u32 = 1 << 1;
pub const KVMSEA_MEM_VA_VALID: u32 = 1 << 2;
pub const KVMSEA_MEM_MPIDR_VALID: u32 = 1 << 3;

/// `enum kvmsea_ghes_notify`: ACPI Hardware Error Notification types.
pub type kvmsea_ghes_notify = c_uint;
pub const KVMSEA_GHES_POLLED: kvmsea_ghes_notify = 0;
pub const KVMSEA_GHES_EXTERNAL: kvmsea_ghes_notify = 1;
pub const KVMSEA_GHES_SCI: kvmsea_ghes_notify = 3;
pub const KVMSEA_GHES_GPIO: kvmsea_ghes_notify = 7;
pub const KVMSEA_GHES_SEA: kvmsea_ghes_notify = 8;
pub const KVMSEA_GHES_SEI: kvmsea_ghes_notify = 9;
pub const KVMSEA_GHES_GSIV: kvmsea_ghes_notify = 10;
pub const KVMSEA_GHES_SDEI: kvmsea_ghes_notify = 11;

/// `struct kvmsea_ghes_layout`: one error source and where its memory is.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_ghes_layout {
    pub source_id: u16,
    pub notify: u8,
    pub reserved0: u8,
    pub poll_interval_ms: u32,
    pub vector: u32,
    pub block_length: u32,
    pub status_address: u64,
    pub read_ack_address: u64,
    pub block_address: u64,
    pub reserved: [u32; 4],
}

/// `struct kvmsea_acpi_ids`: the ACPI table header's identification fields
/// (space-padded, not NUL-terminated).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_acpi_ids {
    pub oem_id: [c_char; 6],
    pub oem_table_id: [c_char; 8],
    pub oem_revision: u32,
    pub creator_id: [c_char; 4],
    pub creator_revision: u32,
}

/// `struct kvmsea_ghes`: opaque, one per error source.
#[repr(C)]
pub struct kvmsea_ghes {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

pub const KVMSEA_GHES_IDLE: c_int = 0;
pub const KVMSEA_GHES_POSTED: c_int = 1;
pub const KVMSEA_GHES_QUEUED: c_int = 2;
pub const KVMSEA_GHES_BUSY: c_int = 3;

/// `struct kvmsea_ghes_stats`: an error source's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct kvmsea_ghes_stats {
    pub reported: u64,
    pub posted: u64,
    pub acked: u64,
    pub dropped: u64,
    pub waiting: u32,
    pub unacked: u32,
    pub reserved: [u64; 4],
}

/// The errno values libkvmsea's functions return negated (Linux's, the
/// same on arm64 and x86_64): `<errno.h>`.
pub mod errno {
    use core::ffi::c_int;
    pub const ENOENT: c_int = 2;
    pub const EINTR: c_int = 4;
    pub const EIO: c_int = 5;
    pub const E2BIG: c_int = 7;
    pub const EBADF: c_int = 9;
    pub const EAGAIN: c_int = 11;
    pub const ENOMEM: c_int = 12;
    pub const EFAULT: c_int = 14;
    pub const EBUSY: c_int = 16;
    pub const EEXIST: c_int = 17;
    pub const EINVAL: c_int = 22;
    pub const ENOTTY: c_int = 25;
    pub const ENOSPC: c_int = 28;
    pub const ERANGE: c_int = 34;
    pub const ENOSYS: c_int = 38;
    pub const ENODATA: c_int = 61;
    pub const EMSGSIZE: c_int = 90;
    pub const EOPNOTSUPP: c_int = 95;
    pub const EALREADY: c_int = 114;
    pub const ECANCELED: c_int = 125;
    pub const EHWPOISON: c_int = 133;
}

/// What a SIGBUS handler reads of its `siginfo_t` (Linux's `<signal.h>`,
/// the same on arm64 and x86_64): the codes of a memory error and the
/// byte offsets of the three fields `kvmsea_sigbus()` takes.
pub mod siginfo {
    use core::ffi::c_int;
    pub const BUS_MCEERR_AR: c_int = 4;
    pub const BUS_MCEERR_AO: c_int = 5;
    /// `si_code`, an `int`.
    pub const CODE_OFFSET: usize = 8;
    /// `si_addr`, a `void *`.
    pub const ADDR_OFFSET: usize = 16;
    /// `si_addr_lsb`, a `short`.
    pub const ADDR_LSB_OFFSET: usize = 24;
}

extern "C" {
    // esr.h
    pub fn kvmsea_esr_decode(esr: u64, out: *mut kvmsea_esr);
    pub fn kvmsea_esr_ec_name(ec: c_uint) -> *const c_char;
    pub fn kvmsea_esr_ec_description(ec: c_uint) -> *const c_char;
    pub fn kvmsea_esr_fsc_description(fsc: c_uint) -> *const c_char;
    pub fn kvmsea_esr_is_sea(esr: u64) -> bool;
    pub fn kvmsea_esr_is_data_abort(esr: u64) -> bool;
    pub fn kvmsea_esr_is_insn_abort(esr: u64) -> bool;
    pub fn kvmsea_esr_far_valid(esr: u64) -> bool;
    pub fn kvmsea_esr_severity(esr: u64) -> kvmsea_ras_severity;
    pub fn kvmsea_ras_severity_name(sev: kvmsea_ras_severity) -> *const c_char;
    pub fn kvmsea_esr_format(
        esr: u64,
        style: kvmsea_esr_style,
        buf: *mut c_char,
        size: usize,
    ) -> c_int;

    // sea.h: capabilities and the context
    pub fn kvmsea_probe(fd: c_int, caps: *mut kvmsea_caps) -> c_int;
    pub fn kvmsea_ctx_new(vm_fd: c_int, out: *mut *mut kvmsea_ctx) -> c_int;
    pub fn kvmsea_ctx_free(ctx: *mut kvmsea_ctx);
    pub fn kvmsea_ctx_get_caps(ctx: *const kvmsea_ctx, caps: *mut kvmsea_caps) -> c_int;
    pub fn kvmsea_ctx_enable(ctx: *mut kvmsea_ctx) -> c_int;
    pub fn kvmsea_ctx_set_handler(
        ctx: *mut kvmsea_ctx,
        fn_: kvmsea_handler_fn,
        opaque: *mut c_void,
    ) -> c_int;
    pub fn kvmsea_ctx_set_livelock_limit(ctx: *mut kvmsea_ctx, limit: u32) -> c_int;

    // sea.h: events
    pub fn kvmsea_event_init(event: *mut kvmsea_event, esr: u64, far: u64) -> c_int;
    pub fn kvmsea_event_format(
        event: *const kvmsea_event,
        style: kvmsea_event_style,
        buf: *mut c_char,
        size: usize,
    ) -> c_int;

    // sea.h: the vCPU and the run-loop hook
    pub fn kvmsea_vcpu_new(
        ctx: *mut kvmsea_ctx,
        vcpu_fd: c_int,
        run: *mut c_void,
        id: u32,
        flags: u32,
        out: *mut *mut kvmsea_vcpu,
    ) -> c_int;
    pub fn kvmsea_vcpu_free(vcpu: *mut kvmsea_vcpu);
    pub fn kvmsea_vcpu_get_ctx(vcpu: *const kvmsea_vcpu) -> *mut kvmsea_ctx;
    pub fn kvmsea_vcpu_get_id(vcpu: *const kvmsea_vcpu) -> u32;
    pub fn kvmsea_vcpu_set_data(vcpu: *mut kvmsea_vcpu, data: *mut c_void);
    pub fn kvmsea_vcpu_get_data(vcpu: *const kvmsea_vcpu) -> *mut c_void;
    pub fn kvmsea_vcpu_handle_exit(vcpu: *mut kvmsea_vcpu, run_ret: c_int) -> c_int;
    pub fn kvmsea_vcpu_last_event(vcpu: *const kvmsea_vcpu) -> *const kvmsea_event;

    // sea.h: injection
    pub fn kvmsea_vcpu_inject(
        vcpu: *mut kvmsea_vcpu,
        event: *const kvmsea_event,
        how: kvmsea_strategy,
        lost: *mut u32,
    ) -> c_int;
    pub fn kvmsea_vcpu_serror_pending(vcpu: *mut kvmsea_vcpu) -> c_int;
    pub fn kvmsea_strategy_name(strategy: kvmsea_strategy) -> *const c_char;

    // memory.h: the guest memory map
    pub fn kvmsea_ctx_set_memslot(ctx: *mut kvmsea_ctx, slot: *const kvmsea_memslot) -> c_int;
    pub fn kvmsea_ctx_hva_to_gpa(
        ctx: *const kvmsea_ctx,
        hva: u64,
        gpa: *mut u64,
        slot: *mut kvmsea_memslot,
    ) -> c_int;
    pub fn kvmsea_ctx_gpa_to_hva(
        ctx: *const kvmsea_ctx,
        gpa: u64,
        hva: *mut u64,
        slot: *mut kvmsea_memslot,
    ) -> c_int;

    // memory.h: SIGBUS
    pub fn kvmsea_sigbus(
        ctx: *mut kvmsea_ctx,
        vcpu: *mut kvmsea_vcpu,
        code: c_int,
        addr: *mut c_void,
        addr_lsb: c_uint,
    ) -> c_int;
    pub fn kvmsea_ctx_next_error(ctx: *mut kvmsea_ctx, event: *mut kvmsea_event) -> c_int;

    // memory.h: the poison registry and the counters
    pub fn kvmsea_ctx_set_poison_capacity(ctx: *mut kvmsea_ctx, capacity: usize) -> c_int;
    pub fn kvmsea_ctx_is_poisoned(ctx: *const kvmsea_ctx, gpa: u64, size: u64) -> c_int;
    pub fn kvmsea_ctx_get_poison(
        ctx: *const kvmsea_ctx,
        out: *mut kvmsea_poison,
        n: usize,
    ) -> c_int;
    pub fn kvmsea_ctx_clear_poison(ctx: *mut kvmsea_ctx) -> c_int;
    pub fn kvmsea_ctx_set_storm_limit(ctx: *mut kvmsea_ctx, pages: u32, window_ns: u64) -> c_int;
    pub fn kvmsea_ctx_get_stats(ctx: *const kvmsea_ctx, stats: *mut kvmsea_stats) -> c_int;

    // cper.h: records
    pub fn kvmsea_mem_error_from_event(
        e: *mut kvmsea_mem_error,
        event: *const kvmsea_event,
    ) -> c_int;
    pub fn kvmsea_cper_sections(e: *const kvmsea_mem_error) -> c_int;
    pub fn kvmsea_cper_build(
        e: *const kvmsea_mem_error,
        first: u32,
        count: u32,
        buf: *mut c_void,
        len: usize,
    ) -> c_int;
    pub fn kvmsea_cper_check(block: *const c_void, len: usize, max_len: usize) -> c_int;
    pub fn kvmsea_cper_format(
        block: *const c_void,
        len: usize,
        buf: *mut c_char,
        size: usize,
    ) -> c_int;

    // cper.h: the error source
    pub fn kvmsea_ghes_layout_init(
        l: *mut kvmsea_ghes_layout,
        source_id: u16,
        notify: kvmsea_ghes_notify,
        base: u64,
        block_length: u32,
    ) -> c_int;
    pub fn kvmsea_ghes_build_source(
        l: *const kvmsea_ghes_layout,
        buf: *mut c_void,
        len: usize,
    ) -> c_int;
    pub fn kvmsea_ghes_build_hest(
        sources: *const kvmsea_ghes_layout,
        count: usize,
        ids: *const kvmsea_acpi_ids,
        buf: *mut c_void,
        len: usize,
    ) -> c_int;
    pub fn kvmsea_ghes_new(
        l: *const kvmsea_ghes_layout,
        mem: *mut c_void,
        mem_gpa: u64,
        mem_size: usize,
        queue: u32,
        out: *mut *mut kvmsea_ghes,
    ) -> c_int;
    pub fn kvmsea_ghes_free(g: *mut kvmsea_ghes);
    pub fn kvmsea_ghes_reset(g: *mut kvmsea_ghes);
    pub fn kvmsea_ghes_report(g: *mut kvmsea_ghes, e: *const kvmsea_mem_error) -> c_int;
    pub fn kvmsea_ghes_poll(g: *mut kvmsea_ghes) -> c_int;
    pub fn kvmsea_ghes_get_stats(g: *const kvmsea_ghes, stats: *mut kvmsea_ghes_stats) -> c_int;
}
