//! The exception syndrome (ESR_ELx), decoded by libkvmsea into plain
//! Rust values.
//!
//! ```
//! use kvmsea::esr::{Ec, Esr, Fsc, Layout, RasSeverity};
//!
//! let esr = Esr::decode(0x9200_0050); // a store that hit an SEA
//! assert_eq!(esr.ec, Ec::DabtLow);
//! let Layout::Abort(abort) = esr.layout else { panic!("an abort") };
//! assert!(abort.wnr);
//! assert_eq!(abort.fsc, Fsc::ExternalAbort);
//! assert_eq!(esr.severity, RasSeverity::Uer);
//! assert!(esr.to_string().starts_with("ESR 0x0000000092000050: EC 0x24 DABT_LOW"));
//! assert!(esr.to_json().contains("\"ec_name\":\"DABT_LOW\""));
//! ```

use crate::text::{formatted, static_str};
use kvmsea_sys as sys;
use std::ffi::c_uint;
use std::fmt;
use std::mem::MaybeUninit;

macro_rules! exception_classes {
    ($($name:ident = $c:ident,)*) => {
        /// An exception class (ESR_ELx.EC, bits [31:26]).
        ///
        /// The classes libkvmsea names in code have a variant; every other
        /// value (unallocated ones included) is `Other`, which
        /// [`Ec::from_raw`] never uses for a named value.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Ec {
            $(
                #[doc = concat!("`", stringify!($c), "`")]
                $name,
            )*
            /// A class without a variant here.
            Other(u8),
        }

        impl Ec {
            /// The class of EC value `ec` (bits above the 6 of EC are
            /// ignored).
            pub fn from_raw(ec: u8) -> Ec {
                let ec = ec & 0x3f;
                match c_uint::from(ec) {
                    $(sys::$c => Ec::$name,)*
                    _ => Ec::Other(ec),
                }
            }

            /// The EC value.
            pub fn raw(self) -> u8 {
                match self {
                    // The constants are 6-bit values.
                    $(Ec::$name => sys::$c as u8,)*
                    Ec::Other(ec) => ec,
                }
            }
        }
    };
}

exception_classes! {
    Unknown = KVMSEA_EC_UNKNOWN,
    Wfx = KVMSEA_EC_WFX,
    Cp15_32 = KVMSEA_EC_CP15_32,
    Cp15_64 = KVMSEA_EC_CP15_64,
    Cp14Mr = KVMSEA_EC_CP14_MR,
    Cp14Ls = KVMSEA_EC_CP14_LS,
    FpAsimd = KVMSEA_EC_FP_ASIMD,
    Cp10Id = KVMSEA_EC_CP10_ID,
    Pac = KVMSEA_EC_PAC,
    OtherTrap = KVMSEA_EC_OTHER,
    Cp14_64 = KVMSEA_EC_CP14_64,
    Bti = KVMSEA_EC_BTI,
    Ill = KVMSEA_EC_ILL,
    Svc32 = KVMSEA_EC_SVC32,
    Hvc32 = KVMSEA_EC_HVC32,
    Smc32 = KVMSEA_EC_SMC32,
    Sys128 = KVMSEA_EC_SYS128,
    Svc64 = KVMSEA_EC_SVC64,
    Hvc64 = KVMSEA_EC_HVC64,
    Smc64 = KVMSEA_EC_SMC64,
    Sys64 = KVMSEA_EC_SYS64,
    Sve = KVMSEA_EC_SVE,
    Eret = KVMSEA_EC_ERET,
    Tstart = KVMSEA_EC_TSTART,
    Fpac = KVMSEA_EC_FPAC,
    Sme = KVMSEA_EC_SME,
    Gpc = KVMSEA_EC_GPC,
    ImpDef = KVMSEA_EC_IMP_DEF,
    IabtLow = KVMSEA_EC_IABT_LOW,
    IabtCur = KVMSEA_EC_IABT_CUR,
    PcAlign = KVMSEA_EC_PC_ALIGN,
    DabtLow = KVMSEA_EC_DABT_LOW,
    DabtCur = KVMSEA_EC_DABT_CUR,
    SpAlign = KVMSEA_EC_SP_ALIGN,
    Mops = KVMSEA_EC_MOPS,
    FpExc32 = KVMSEA_EC_FP_EXC32,
    FpExc64 = KVMSEA_EC_FP_EXC64,
    Gcs = KVMSEA_EC_GCS,
    SError = KVMSEA_EC_SERROR,
    BreakptLow = KVMSEA_EC_BREAKPT_LOW,
    BreakptCur = KVMSEA_EC_BREAKPT_CUR,
    SoftstpLow = KVMSEA_EC_SOFTSTP_LOW,
    SoftstpCur = KVMSEA_EC_SOFTSTP_CUR,
    WatchptLow = KVMSEA_EC_WATCHPT_LOW,
    WatchptCur = KVMSEA_EC_WATCHPT_CUR,
    Bkpt32 = KVMSEA_EC_BKPT32,
    Vector32 = KVMSEA_EC_VECTOR32,
    Brk64 = KVMSEA_EC_BRK64,
    Pmu = KVMSEA_EC_PMU,
}

impl Ec {
    /// The short name: "DABT_LOW"; "UNALLOCATED" for an unallocated class.
    pub fn name(self) -> &'static str {
        // SAFETY: a pure function of its argument (esr.h).
        static_str(unsafe { sys::kvmsea_esr_ec_name(self.raw().into()) })
    }

    /// The description: "Data Abort from a lower EL".
    pub fn description(self) -> &'static str {
        // SAFETY: a pure function of its argument (esr.h).
        static_str(unsafe { sys::kvmsea_esr_ec_description(self.raw().into()) })
    }
}

impl fmt::Display for Ec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault status code of an abort (DFSC/IFSC, ISS[5:0]).
///
/// The codes libkvmsea names have variants (a table walk's level in the
/// ones that encode it); every other code is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fsc {
    /// 0x10: synchronous external abort, not on a translation table walk.
    ExternalAbort,
    /// 0x11: synchronous tag check fault (MTE).
    TagCheck,
    /// 0x12..=0x17: synchronous external abort on a table walk at `level`
    /// (-2 to 3).
    ExternalAbortOnWalk {
        /// The translation level.
        level: i8,
    },
    /// 0x18: parity or ECC error, not on a table walk.
    Ecc,
    /// 0x1b..=0x1f: parity or ECC error on a table walk at `level` (-1 to 3).
    EccOnWalk {
        /// The translation level.
        level: i8,
    },
    /// 0x21: alignment fault.
    Alignment,
    /// 0x30: TLB conflict abort.
    TlbConflict,
    /// Any other code.
    Other(u8),
}

/// The last of the level-encoded codes (level 3).
const SEA_TTW_L3: c_uint = sys::KVMSEA_FSC_SEA_TTW_L0 + 3;
const SECC_TTW_L3: c_uint = sys::KVMSEA_FSC_SECC_TTW_L0 + 3;

/// `value - base` as a level: the walk codes count levels up from `base`.
fn level(value: c_uint, base: c_uint) -> i8 {
    // At most a few apart: both are 6-bit codes.
    (i64::from(value) - i64::from(base)) as i8
}

impl Fsc {
    /// The code `fsc` (bits above the 6 of an FSC are ignored).
    pub fn from_raw(fsc: u8) -> Fsc {
        let fsc = fsc & 0x3f;
        let v = c_uint::from(fsc);
        match v {
            sys::KVMSEA_FSC_EXTABT => Fsc::ExternalAbort,
            sys::KVMSEA_FSC_TAG_CHECK => Fsc::TagCheck,
            sys::KVMSEA_FSC_SEA_TTW_LM2..=SEA_TTW_L3 => Fsc::ExternalAbortOnWalk {
                level: level(v, sys::KVMSEA_FSC_SEA_TTW_L0),
            },
            sys::KVMSEA_FSC_SECC => Fsc::Ecc,
            sys::KVMSEA_FSC_SECC_TTW_LM1..=SECC_TTW_L3 => Fsc::EccOnWalk {
                level: level(v, sys::KVMSEA_FSC_SECC_TTW_L0),
            },
            sys::KVMSEA_FSC_ALIGNMENT => Fsc::Alignment,
            sys::KVMSEA_FSC_TLB_CONFLICT => Fsc::TlbConflict,
            _ => Fsc::Other(fsc),
        }
    }

    /// The code.
    pub fn raw(self) -> u8 {
        let base = |b: c_uint, level: i8| (i64::from(b) + i64::from(level)) as u8;
        match self {
            Fsc::ExternalAbort => sys::KVMSEA_FSC_EXTABT as u8,
            Fsc::TagCheck => sys::KVMSEA_FSC_TAG_CHECK as u8,
            Fsc::ExternalAbortOnWalk { level } => base(sys::KVMSEA_FSC_SEA_TTW_L0, level),
            Fsc::Ecc => sys::KVMSEA_FSC_SECC as u8,
            Fsc::EccOnWalk { level } => base(sys::KVMSEA_FSC_SECC_TTW_L0, level),
            Fsc::Alignment => sys::KVMSEA_FSC_ALIGNMENT as u8,
            Fsc::TlbConflict => sys::KVMSEA_FSC_TLB_CONFLICT as u8,
            Fsc::Other(fsc) => fsc,
        }
    }

    /// The description of the code, as the Arm ARM names it.
    pub fn description(self) -> &'static str {
        // SAFETY: a pure function of its argument (esr.h).
        static_str(unsafe { sys::kvmsea_esr_fsc_description(self.raw().into()) })
    }
}

impl fmt::Display for Fsc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The RAS classification of an SEA (SET) or an SError (AET).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RasSeverity {
    /// The syndrome carries no classification.
    NotReported,
    /// Recoverable (restartable after repair).
    Uer,
    /// Restartable, or corrected (abort SET=11).
    Ueo,
    /// Unrecoverable (SError only).
    Ueu,
    /// Uncontainable.
    Uc,
    /// Corrected (SError only).
    Ce,
    /// A reserved encoding.
    Reserved,
    /// A value a newer libkvmsea knows.
    Other(u32),
}

impl RasSeverity {
    pub(crate) fn from_raw(v: sys::kvmsea_ras_severity) -> RasSeverity {
        match v {
            sys::KVMSEA_RAS_NOT_REPORTED => RasSeverity::NotReported,
            sys::KVMSEA_RAS_UER => RasSeverity::Uer,
            sys::KVMSEA_RAS_UEO => RasSeverity::Ueo,
            sys::KVMSEA_RAS_UEU => RasSeverity::Ueu,
            sys::KVMSEA_RAS_UC => RasSeverity::Uc,
            sys::KVMSEA_RAS_CE => RasSeverity::Ce,
            sys::KVMSEA_RAS_RESERVED => RasSeverity::Reserved,
            other => RasSeverity::Other(other),
        }
    }

    /// The C value (`enum kvmsea_ras_severity`).
    pub fn raw(self) -> u32 {
        match self {
            RasSeverity::NotReported => sys::KVMSEA_RAS_NOT_REPORTED,
            RasSeverity::Uer => sys::KVMSEA_RAS_UER,
            RasSeverity::Ueo => sys::KVMSEA_RAS_UEO,
            RasSeverity::Ueu => sys::KVMSEA_RAS_UEU,
            RasSeverity::Uc => sys::KVMSEA_RAS_UC,
            RasSeverity::Ce => sys::KVMSEA_RAS_CE,
            RasSeverity::Reserved => sys::KVMSEA_RAS_RESERVED,
            RasSeverity::Other(v) => v,
        }
    }

    /// "UER", "UEO", ...
    pub fn name(self) -> &'static str {
        // SAFETY: a pure function of its argument (esr.h).
        static_str(unsafe { sys::kvmsea_ras_severity_name(self.raw()) })
    }
}

impl fmt::Display for RasSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A data or instruction abort's ISS (and a data abort's ISS2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abort {
    /// A data abort (EC 0x24/0x25), not an instruction abort.
    pub is_data: bool,
    /// Taken from the same EL (the `_CUR` classes).
    pub same_el: bool,
    /// [24] ISV: the instruction syndrome (sas..ar) is valid.
    pub isv: bool,
    /// [23:22] access size, log2.
    pub sas: u8,
    /// [21] sign extend.
    pub sse: bool,
    /// [20:16] the register transferred.
    pub srt: u8,
    /// [15] a 64-bit register.
    pub sf: bool,
    /// [14] acquire/release.
    pub ar: bool,
    /// [15] FAR not precise (data, ISV=0).
    pub fnp: bool,
    /// [14] PFAR_ELx valid.
    pub pfv: bool,
    /// [17:16] write update (data, ISV=0).
    pub wu: u8,
    /// [21] TopLevel (instruction aborts, FEAT_THE).
    pub toplevel: bool,
    /// [13] a VNCR_EL2-redirected access.
    pub vncr: bool,
    /// [12:11] SET, when the architecture defines it for this FSC (0x10).
    pub set: Option<u8>,
    /// [10] FnV: FAR is not valid.
    pub fnv: bool,
    /// [9] EA, the external abort type (IMPLEMENTATION DEFINED).
    pub ea: bool,
    /// [8] cache maintenance or AT.
    pub cm: bool,
    /// [7] a stage 2 fault on a stage 1 table walk.
    pub s1ptw: bool,
    /// [6] WnR: a write.
    pub wnr: bool,
    /// [5:0] DFSC or IFSC.
    pub fsc: Fsc,
    /// The translation level, for the codes that encode one.
    pub level: Option<i8>,
    /// The FSC is one KVM treats as an SEA.
    pub is_sea: bool,
    /// ISS2[11] HDBSSF.
    pub hdbssf: bool,
    /// ISS2[10] TnD.
    pub tnd: bool,
    /// ISS2[9] TagAccess.
    pub tagaccess: bool,
    /// ISS2[8] GCS.
    pub gcs: bool,
    /// ISS2[7] AssuredOnly.
    pub assuredonly: bool,
    /// ISS2[6] Overlay.
    pub overlay: bool,
    /// ISS2[5] DirtyBit.
    pub dirtybit: bool,
    /// ISS2[4:0] Xs.
    pub xs: u8,
}

/// An SError's ISS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SError {
    /// [24] IDS: ISS[23:0] is IMPLEMENTATION DEFINED.
    pub ids: bool,
    /// [23:0] when IDS is set.
    pub impdef: u32,
    /// [13] IESB.
    pub iesb: bool,
    /// [12:10] AET, raw.
    pub aet: u8,
    /// [9] EA.
    pub ea: bool,
    /// [5:0] DFSC.
    pub dfsc: u8,
}

/// A trapped WFI/WFE/WFIT/WFET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wfx {
    /// [24] the condition is valid.
    pub cv: bool,
    /// [23:20] the condition.
    pub cond: u8,
    /// [9:5] the WFIT/WFET register.
    pub rn: u8,
    /// [2] the register is valid.
    pub rv: bool,
    /// [1:0] 0 WFI, 1 WFE, 2 WFIT, 3 WFET.
    pub ti: u8,
}

/// A trapped MSR/MRS/system instruction (EC 0x18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysReg {
    /// [21:20] Op0.
    pub op0: u8,
    /// [16:14] Op1.
    pub op1: u8,
    /// [13:10] CRn.
    pub crn: u8,
    /// [4:1] CRm.
    pub crm: u8,
    /// [19:17] Op2.
    pub op2: u8,
    /// [9:5] Rt.
    pub rt: u8,
    /// [0] a read (MRS).
    pub read: bool,
    /// The register's name, when it is a well-known one.
    pub name: Option<&'static str>,
}

/// A breakpoint, software step, watchpoint or vector catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debug {
    /// [5:0] the debug status code.
    pub fsc: u8,
    /// Software step: [24] EX is valid.
    pub isv: bool,
    /// Software step: [6] an exclusive.
    pub ex: bool,
    /// Watchpoint: [8] CM.
    pub cm: bool,
    /// Watchpoint: [6] WnR.
    pub wnr: bool,
    /// Watchpoint: [13] VNCR.
    pub vncr: bool,
    /// Watchpoint: [10] FnV.
    pub fnv: bool,
    /// Watchpoint: [15] FnP.
    pub fnp: bool,
    /// Watchpoint: [16] WPF.
    pub wpf: bool,
    /// Watchpoint: [17] WPT is valid.
    pub wptv: bool,
    /// Watchpoint: [23:18] the watchpoint number.
    pub wpt: u8,
    /// Watchpoint: ISS2[8] a GCS data access.
    pub gcs: bool,
}

/// A trapped floating-point exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FpExc {
    /// [23] the trapped fault is valid.
    pub tfv: bool,
    /// [10:8] VECITR (AArch32).
    pub vecitr: u8,
    /// [7] input denormal.
    pub idf: bool,
    /// [4] inexact.
    pub ixf: bool,
    /// [3] underflow.
    pub uff: bool,
    /// [2] overflow.
    pub off: bool,
    /// [1] divide by zero.
    pub dzf: bool,
    /// [0] invalid operation.
    pub iof: bool,
}

/// A memory copy/set (FEAT_MOPS) exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mops {
    /// [24] MemInst.
    pub mem_inst: bool,
    /// [23] isSETG.
    pub is_setg: bool,
    /// [22:19] Options.
    pub options: u8,
    /// [18] FromEpilogue.
    pub from_epilogue: bool,
    /// [17] WrongOption.
    pub wrong_option: bool,
    /// [16] OptionA.
    pub option_a: bool,
    /// [14:10] destination register.
    pub destreg: u8,
    /// [9:5] source register.
    pub srcreg: u8,
    /// [4:0] size register.
    pub sizereg: u8,
}

/// A guarded control stack exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gcs {
    /// [23:20] ExType.
    pub exception_type: u8,
    /// [14:10] Raddr.
    pub raddr: u8,
    /// [9:5] Rn.
    pub rn: u8,
    /// [4:0] IT.
    pub it: u8,
}

/// The ISS fields, in the layout the exception class gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Layout {
    /// No layout: the ISS is only shown raw ([`Esr::iss`]).
    Raw,
    /// EC 0x20/0x21/0x24/0x25.
    Abort(Abort),
    /// EC 0x2f.
    SError(SError),
    /// EC 0x01.
    Wfx(Wfx),
    /// SVC, HVC, SMC64, BRK, BKPT: the 16-bit immediate.
    Imm16(u16),
    /// EC 0x18.
    SysReg(SysReg),
    /// Breakpoint, software step, watchpoint, vector catch.
    Debug(Debug),
    /// EC 0x28/0x2c.
    FpExc(FpExc),
    /// EC 0x0d: [1:0] BTYPE.
    Bti {
        /// The branch type.
        btype: u8,
    },
    /// EC 0x1c (FPAC).
    Pac {
        /// [1] a data key (not an instruction key).
        data: bool,
        /// [0] the B key (not the A key).
        key_b: bool,
    },
    /// EC 0x27.
    Mops(Mops),
    /// EC 0x2d.
    Gcs(Gcs),
    /// A layout a newer libkvmsea knows (its number).
    Other(u32),
}

/// A decoded ESR_ELx value. Every 64-bit value decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Esr {
    /// The value decoded.
    pub raw: u64,
    /// [31:26] the exception class.
    pub ec: Ec,
    /// [25] IL: a 32-bit instruction.
    pub il: bool,
    /// [24:0] the ISS, raw.
    pub iss: u32,
    /// [55:32] the ISS2, raw.
    pub iss2: u32,
    /// [63:56], RES0: a non-zero value is reported, not rejected.
    pub res0_hi: u8,
    /// The EC value is allocated.
    pub ec_allocated: bool,
    /// The ISS fields.
    pub layout: Layout,
    /// The RAS severity (SET of an SEA, AET of an SError).
    pub severity: RasSeverity,
}

impl Esr {
    /// Decodes `esr`.
    pub fn decode(esr: u64) -> Esr {
        let mut out = MaybeUninit::<sys::kvmsea_esr>::zeroed();
        // SAFETY: `out` is a valid, writable struct kvmsea_esr; the decoder
        // is total and writes only into it.
        unsafe { sys::kvmsea_esr_decode(esr, out.as_mut_ptr()) };
        // SAFETY: zeroed is a valid struct kvmsea_esr (all integers, bools
        // 0, a NULL name), and the decoder wrote valid values over it.
        Esr::from_sys(unsafe { &out.assume_init() })
    }

    pub(crate) fn from_sys(d: &sys::kvmsea_esr) -> Esr {
        Esr {
            raw: d.raw,
            ec: Ec::from_raw(d.ec),
            il: d.il,
            iss: d.iss,
            iss2: d.iss2,
            res0_hi: d.res0_hi,
            ec_allocated: d.ec_allocated,
            layout: layout(d),
            severity: RasSeverity::from_raw(d.severity),
        }
    }

    /// The value is an abort whose FSC KVM treats as an SEA.
    pub fn is_sea(&self) -> bool {
        // SAFETY: a pure function of its argument (esr.h).
        unsafe { sys::kvmsea_esr_is_sea(self.raw) }
    }

    /// A data abort (EC 0x24/0x25).
    pub fn is_data_abort(&self) -> bool {
        // SAFETY: a pure function of its argument (esr.h).
        unsafe { sys::kvmsea_esr_is_data_abort(self.raw) }
    }

    /// An instruction abort (EC 0x20/0x21).
    pub fn is_insn_abort(&self) -> bool {
        // SAFETY: a pure function of its argument (esr.h).
        unsafe { sys::kvmsea_esr_is_insn_abort(self.raw) }
    }

    /// FAR holds the faulting address.
    pub fn far_valid(&self) -> bool {
        // SAFETY: a pure function of its argument (esr.h).
        unsafe { sys::kvmsea_esr_far_valid(self.raw) }
    }

    /// One field a line: bits, value, meaning.
    pub fn to_tree(&self) -> String {
        self.format(sys::KVMSEA_ESR_TREE)
    }

    /// One JSON object, no trailing newline.
    pub fn to_json(&self) -> String {
        self.format(sys::KVMSEA_ESR_JSON)
    }

    fn format(&self, style: sys::kvmsea_esr_style) -> String {
        formatted(|buf, size| {
            // SAFETY: `buf` has room for `size` bytes (formatted's
            // contract); the function writes at most that many.
            unsafe { sys::kvmsea_esr_format(self.raw, style, buf, size) }
        })
    }
}

/// The one-line form ("ESR 0x...: EC 0x24 DABT_LOW (...), ...").
impl fmt::Display for Esr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(sys::KVMSEA_ESR_ONELINE))
    }
}

fn layout(d: &sys::kvmsea_esr) -> Layout {
    // SAFETY: each arm reads the union member that `layout` names, the one
    // the decoder filled; every member is plain data, valid as the decoder
    // writes it (bools as 0 or 1, the name NULL or a static string).
    unsafe {
        match d.layout {
            sys::KVMSEA_LAYOUT_NONE => Layout::Raw,
            sys::KVMSEA_LAYOUT_ABORT => Layout::Abort(abort(&d.u.abort)),
            sys::KVMSEA_LAYOUT_SERROR => {
                let s = d.u.serror;
                Layout::SError(SError {
                    ids: s.ids,
                    impdef: s.impdef,
                    iesb: s.iesb,
                    aet: s.aet,
                    ea: s.ea,
                    dfsc: s.dfsc,
                })
            }
            sys::KVMSEA_LAYOUT_WFX => {
                let w = d.u.wfx;
                Layout::Wfx(Wfx {
                    cv: w.cv,
                    cond: w.cond,
                    rn: w.rn,
                    rv: w.rv,
                    ti: w.ti,
                })
            }
            sys::KVMSEA_LAYOUT_IMM16 => Layout::Imm16(d.u.imm16),
            sys::KVMSEA_LAYOUT_SYSREG => {
                let s = d.u.sysreg;
                Layout::SysReg(SysReg {
                    op0: s.op0,
                    op1: s.op1,
                    crn: s.crn,
                    crm: s.crm,
                    op2: s.op2,
                    rt: s.rt,
                    read: s.read,
                    name: (!s.name.is_null()).then(|| static_str(s.name)),
                })
            }
            sys::KVMSEA_LAYOUT_DEBUG => {
                let g = d.u.debug;
                Layout::Debug(Debug {
                    fsc: g.fsc,
                    isv: g.isv,
                    ex: g.ex,
                    cm: g.cm,
                    wnr: g.wnr,
                    vncr: g.vncr,
                    fnv: g.fnv,
                    fnp: g.fnp,
                    wpf: g.wpf,
                    wptv: g.wptv,
                    wpt: g.wpt,
                    gcs: g.gcs,
                })
            }
            sys::KVMSEA_LAYOUT_FP_EXC => {
                let x = d.u.fp_exc;
                Layout::FpExc(FpExc {
                    tfv: x.tfv,
                    vecitr: x.vecitr,
                    idf: x.idf,
                    ixf: x.ixf,
                    uff: x.uff,
                    off: x.off,
                    dzf: x.dzf,
                    iof: x.iof,
                })
            }
            sys::KVMSEA_LAYOUT_BTI => Layout::Bti { btype: d.u.btype },
            sys::KVMSEA_LAYOUT_PAC => {
                let p = d.u.pac;
                Layout::Pac {
                    data: p.data,
                    key_b: p.key_b,
                }
            }
            sys::KVMSEA_LAYOUT_MOPS => {
                let m = d.u.mops;
                Layout::Mops(Mops {
                    mem_inst: m.mem_inst,
                    is_setg: m.is_setg,
                    options: m.options,
                    from_epilogue: m.from_epilogue,
                    wrong_option: m.wrong_option,
                    option_a: m.option_a,
                    destreg: m.destreg,
                    srcreg: m.srcreg,
                    sizereg: m.sizereg,
                })
            }
            sys::KVMSEA_LAYOUT_GCS => {
                let g = d.u.gcs;
                Layout::Gcs(Gcs {
                    exception_type: g.exception_type,
                    raddr: g.raddr,
                    rn: g.rn,
                    it: g.it,
                })
            }
            other => Layout::Other(other),
        }
    }
}

fn abort(a: &sys::kvmsea_esr_abort) -> Abort {
    Abort {
        is_data: a.is_data,
        same_el: a.same_el,
        isv: a.isv,
        sas: a.sas,
        sse: a.sse,
        srt: a.srt,
        sf: a.sf,
        ar: a.ar,
        fnp: a.fnp,
        pfv: a.pfv,
        wu: a.wu,
        toplevel: a.toplevel,
        vncr: a.vncr,
        set: a.set_valid.then_some(a.set),
        fnv: a.fnv,
        ea: a.ea,
        cm: a.cm,
        s1ptw: a.s1ptw,
        wnr: a.wnr,
        fsc: Fsc::from_raw(a.fsc),
        level: a.level_valid.then_some(a.level),
        is_sea: a.is_sea,
        hdbssf: a.hdbssf,
        tnd: a.tnd,
        tagaccess: a.tagaccess,
        gcs: a.gcs,
        assuredonly: a.assuredonly,
        overlay: a.overlay,
        dirtybit: a.dirtybit,
        xs: a.xs,
    }
}
