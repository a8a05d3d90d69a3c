//! Events: one memory error, however it arrived, as libkvmsea hands it to
//! the handler; and what the handler and an injection answer.

use crate::bits::bit_set;
use crate::error::{check, Result};
use crate::esr::Esr;
use crate::text::{formatted, static_str};
use kvmsea_sys as sys;
use std::fmt;
use std::mem::MaybeUninit;

/// How an event reached the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// A `KVM_EXIT_ARM_SEA` exit.
    Exit,
    /// SIGBUS `BUS_MCEERR_AR`: poisoned memory was used.
    SigbusAr,
    /// SIGBUS `BUS_MCEERR_AO`: memory was poisoned, not yet used.
    SigbusAo,
    /// `KVM_RUN` failed with `EHWPOISON`, `KVM_EXIT_MEMORY_FAULT`: a
    /// poisoned guest_memfd page.
    MemoryFault,
    /// Built by [`Event::new`].
    Caller,
    /// A source a newer libkvmsea knows.
    Other(u32),
}

impl Source {
    pub(crate) fn from_raw(v: sys::kvmsea_source) -> Source {
        match v {
            sys::KVMSEA_SOURCE_EXIT => Source::Exit,
            sys::KVMSEA_SOURCE_SIGBUS_AR => Source::SigbusAr,
            sys::KVMSEA_SOURCE_SIGBUS_AO => Source::SigbusAo,
            sys::KVMSEA_SOURCE_MEMORY_FAULT => Source::MemoryFault,
            sys::KVMSEA_SOURCE_CALLER => Source::Caller,
            other => Source::Other(other),
        }
    }
}

/// What the handler asks the library to do with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Action {
    /// Inject (auto); stop on a livelock or a storm.
    #[default]
    Default,
    /// Re-enter the guest without injecting.
    Retry,
    /// `handle_exit` returns [`Outcome::Stop`](crate::Outcome::Stop).
    Stop,
    /// The handler did what was needed (injected itself, say).
    Handled,
}

impl Action {
    pub(crate) fn raw(self) -> sys::kvmsea_action {
        match self {
            Action::Default => sys::KVMSEA_ACTION_DEFAULT,
            Action::Retry => sys::KVMSEA_ACTION_RETRY,
            Action::Stop => sys::KVMSEA_ACTION_STOP,
            Action::Handled => sys::KVMSEA_ACTION_HANDLED,
        }
    }

    fn from_raw(v: sys::kvmsea_action) -> Action {
        match v {
            sys::KVMSEA_ACTION_RETRY => Action::Retry,
            sys::KVMSEA_ACTION_STOP => Action::Stop,
            sys::KVMSEA_ACTION_HANDLED => Action::Handled,
            _ => Action::Default,
        }
    }
}

/// How an abort is delivered to the guest (`kvmsea_vcpu_inject(3)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Nothing was injected (only as a result).
    None,
    /// The best this vCPU and event allow.
    Auto,
    /// `KVM_SET_VCPU_EVENTS` with `ext_dabt_pending`.
    VcpuEvents,
    /// The exception entry written with `KVM_SET_ONE_REG`.
    Emulate,
    /// `KVM_SET_VCPU_EVENTS` with `serror_pending`: asynchronous.
    SError,
    /// A strategy a newer libkvmsea knows.
    Other(u32),
}

impl Strategy {
    pub(crate) fn raw(self) -> sys::kvmsea_strategy {
        match self {
            Strategy::None => sys::KVMSEA_STRATEGY_NONE,
            Strategy::Auto => sys::KVMSEA_STRATEGY_AUTO,
            Strategy::VcpuEvents => sys::KVMSEA_STRATEGY_VCPU_EVENTS,
            Strategy::Emulate => sys::KVMSEA_STRATEGY_EMULATE,
            Strategy::SError => sys::KVMSEA_STRATEGY_SERROR,
            Strategy::Other(v) => v,
        }
    }

    pub(crate) fn from_raw(v: sys::kvmsea_strategy) -> Strategy {
        match v {
            sys::KVMSEA_STRATEGY_NONE => Strategy::None,
            sys::KVMSEA_STRATEGY_AUTO => Strategy::Auto,
            sys::KVMSEA_STRATEGY_VCPU_EVENTS => Strategy::VcpuEvents,
            sys::KVMSEA_STRATEGY_EMULATE => Strategy::Emulate,
            sys::KVMSEA_STRATEGY_SERROR => Strategy::SError,
            other => Strategy::Other(other),
        }
    }

    /// "auto", "vcpu-events", "emulate", ...
    pub fn name(self) -> &'static str {
        // SAFETY: a pure function of its argument (sea.h).
        static_str(unsafe { sys::kvmsea_strategy_name(self.raw()) })
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

bit_set! {
    /// What an injection could not carry to the guest.
    Lost {
        /// The guest's FAR is not the event's address.
        FAR = sys::KVMSEA_LOST_FAR => "far",
        /// The guest is told its FAR is valid.
        FNV = sys::KVMSEA_LOST_FNV => "fnv",
        /// The write-not-read bit.
        WNR = sys::KVMSEA_LOST_WNR => "wnr",
        /// The cache-maintenance bit.
        CM = sys::KVMSEA_LOST_CM => "cm",
        /// The external-abort-type bit.
        EA = sys::KVMSEA_LOST_EA => "ea",
        /// The error's severity.
        SET = sys::KVMSEA_LOST_SET => "set",
        /// The fault status (a table walk's level).
        FSC = sys::KVMSEA_LOST_FSC => "fsc",
        /// Delivered as an asynchronous SError.
        SYNC = sys::KVMSEA_LOST_SYNC => "sync",
    }
}

bit_set! {
    /// The features the VMM gave `KVM_ARM_VCPU_INIT` (`kvmsea_vcpu_new()`).
    VcpuFlags {
        /// `KVM_ARM_VCPU_EL1_32BIT`.
        EL1_32BIT = sys::KVMSEA_VCPU_EL1_32BIT => "el1-32bit",
        /// `KVM_ARM_VCPU_HAS_EL2`.
        HAS_EL2 = sys::KVMSEA_VCPU_HAS_EL2 => "has-el2",
    }
}

/// What [`inject`](crate::Vcpu::inject) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injected {
    /// The strategy that ran.
    pub strategy: Strategy,
    /// What the guest did not get.
    pub lost: Lost,
}

/// The guest's state when it took the abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    /// The faulting instruction.
    pub pc: u64,
    /// PSTATE, in SPSR format.
    pub pstate: u64,
    /// 0, 1, or 2 (the virtual EL2 of a nested vCPU).
    pub el: u8,
    /// The interrupted context runs AArch32.
    pub aarch32: bool,
    /// EL1 is AArch32.
    pub el1_aarch32: bool,
    /// The vCPU has a virtual EL2.
    pub has_el2: bool,
    /// The abort came from a guest hypervisor's guest.
    pub in_nested_guest: bool,
}

/// `run->arm_sea` as KVM wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitFields {
    /// `flags` (`KVM_EXIT_ARM_SEA_FLAG_GPA_VALID`, ...).
    pub flags: u64,
    /// `esr`.
    pub esr: u64,
    /// `gva`.
    pub gva: u64,
    /// `gpa`.
    pub gpa: u64,
}

/// The siginfo fields of a SIGBUS event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigbusFields {
    /// `si_code` (`BUS_MCEERR_AR` 4, `BUS_MCEERR_AO` 5).
    pub code: i32,
    /// `si_addr_lsb`: log2 of the poisoned range's size.
    pub addr_lsb: u32,
    /// `si_addr`.
    pub addr: u64,
}

/// `run->memory_fault` as KVM wrote it (source [`Source::MemoryFault`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryFaultFields {
    /// `flags` (`KVM_MEMORY_EXIT_FLAG_PRIVATE`, ...).
    pub flags: u64,
    /// `gpa`: the poisoned page.
    pub gpa: u64,
    /// `size`.
    pub size: u64,
}

/// The bad page of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Its guest physical address, when known.
    pub gpa: Option<u64>,
    /// Its host virtual address, when known.
    pub hva: Option<u64>,
    /// Its size in bytes.
    pub size: u64,
}

/// One memory error (`struct kvmsea_event`), a copy of what the library
/// saw: nothing in it points into `kvm_run` or a siginfo.
///
/// ```
/// use kvmsea::{Event, Source};
///
/// let ev = Event::new(0x9200_0010, 0x5000_0128).unwrap(); // a load's SEA
/// assert_eq!(ev.source(), Source::Caller);
/// assert_eq!(ev.gva(), Some(0x5000_0128));
/// assert_eq!(ev.gpa(), None);
/// assert!(ev.esr().is_sea());
/// assert!(Event::new(0x5600_0000, 0).is_err()); // an HVC is no abort
/// ```
#[derive(Clone, Copy)]
#[repr(transparent)]
pub struct Event(sys::kvmsea_event);

// SAFETY: plain data; its one pointer (a system register's name in the
// decoded syndrome) points to a static string, never written.
unsafe impl Send for Event {}
// SAFETY: as above: nothing in it is ever written through a shared borrow.
unsafe impl Sync for Event {}

impl Event {
    /// An event for an abort the VMM found itself (a device model's
    /// failed access, say), with syndrome `esr` and address `far` (used
    /// when the syndrome says FAR is valid). EINVAL unless `esr` is a data
    /// or instruction abort.
    pub fn new(esr: u64, far: u64) -> Result<Event> {
        let mut ev = MaybeUninit::<sys::kvmsea_event>::zeroed();
        // SAFETY: `ev` is a valid, writable struct kvmsea_event.
        check(unsafe { sys::kvmsea_event_init(ev.as_mut_ptr(), esr, far) })?;
        // SAFETY: zeroed is a valid event, and the library filled it.
        Ok(Event(unsafe { ev.assume_init() }))
    }

    /// An event the library filled in (`kvmsea_ctx_next_error`).
    pub(crate) fn from_sys(ev: sys::kvmsea_event) -> Event {
        Event(ev)
    }

    /// The event behind a pointer the library gave.
    ///
    /// # Safety
    /// `ev` points to a valid event that stays unchanged for `'a`.
    pub(crate) unsafe fn from_ptr<'a>(ev: *const sys::kvmsea_event) -> &'a Event {
        // SAFETY: Event is repr(transparent) over the C struct, and the
        // caller vouches for the pointer.
        unsafe { &*ev.cast::<Event>() }
    }

    /// The C struct, for [`kvmsea_sys`] calls.
    pub fn as_raw(&self) -> &sys::kvmsea_event {
        &self.0
    }

    /// How it arrived.
    pub fn source(&self) -> Source {
        Source::from_raw(self.0.source)
    }

    /// The vCPU's id (as given to [`Vcpu`](crate::Vcpu)), if it has one.
    pub fn vcpu_id(&self) -> Option<u32> {
        (self.0.vcpu_id != sys::KVMSEA_NO_VCPU).then_some(self.0.vcpu_id)
    }

    /// This vCPU's (or the VM's) events so far.
    pub fn seq(&self) -> u64 {
        self.0.seq
    }

    /// CLOCK_REALTIME, in nanoseconds, when it reached the library.
    pub fn time_ns(&self) -> u64 {
        self.0.time_ns
    }

    /// The abort to deliver (an ESR_ELx value).
    pub fn syndrome(&self) -> u64 {
        self.0.syndrome
    }

    /// The syndrome, decoded.
    pub fn esr(&self) -> Esr {
        Esr::from_sys(&self.0.esr)
    }

    fn known(&self, bit: u32, value: u64) -> Option<u64> {
        (self.0.known & bit != 0).then_some(value)
    }

    /// The faulting byte's guest virtual address.
    pub fn gva(&self) -> Option<u64> {
        self.known(sys::KVMSEA_KNOWN_GVA, self.0.gva)
    }

    /// The faulting byte's guest physical address.
    pub fn gpa(&self) -> Option<u64> {
        self.known(sys::KVMSEA_KNOWN_GPA, self.0.gpa)
    }

    /// The bad page, when the event knows anything of it.
    pub fn page(&self) -> Option<Page> {
        let gpa = self.known(sys::KVMSEA_KNOWN_PAGE_GPA, self.0.page_gpa);
        let hva = self.known(sys::KVMSEA_KNOWN_PAGE_HVA, self.0.page_hva);
        (gpa.is_some() || hva.is_some()).then_some(Page {
            gpa,
            hva,
            size: self.0.page_size,
        })
    }

    /// The exit's own fields (source [`Source::Exit`]).
    pub fn exit(&self) -> Option<ExitFields> {
        let e = self.0.exit;
        (self.source() == Source::Exit).then_some(ExitFields {
            flags: e.flags,
            esr: e.esr,
            gva: e.gva,
            gpa: e.gpa,
        })
    }

    /// The signal's fields (the SIGBUS sources).
    pub fn sigbus(&self) -> Option<SigbusFields> {
        let s = self.0.sigbus;
        matches!(self.source(), Source::SigbusAr | Source::SigbusAo).then_some(SigbusFields {
            code: s.code,
            addr_lsb: s.addr_lsb,
            addr: s.addr,
        })
    }

    /// KVM's fields of a poisoned guest_memfd page (source
    /// [`Source::MemoryFault`]).
    pub fn memory_fault(&self) -> Option<MemoryFaultFields> {
        let m = self.0.memory_fault;
        (self.source() == Source::MemoryFault).then_some(MemoryFaultFields {
            flags: m.flags,
            gpa: m.gpa,
            size: m.size,
        })
    }

    /// The guest's state at the abort, when known.
    pub fn guest(&self) -> Option<Guest> {
        let g = self.0.guest;
        (self.0.known & sys::KVMSEA_KNOWN_GUEST != 0).then_some(Guest {
            pc: g.pc,
            pstate: g.pstate,
            el: g.el,
            aarch32: g.aarch32,
            el1_aarch32: g.el1_aarch32,
            has_el2: g.has_el2,
            in_nested_guest: g.in_nested_guest,
        })
    }

    /// This SEA in a row, with nothing delivered in between.
    pub fn repeats(&self) -> u32 {
        self.0.repeats
    }

    /// The repeats reached the livelock limit.
    pub fn livelock(&self) -> bool {
        self.0.livelock
    }

    /// The distinct bad pages reached the storm limit.
    pub fn storm(&self) -> bool {
        self.0.storm
    }

    /// The bad pages in the poison registry, this one included.
    pub fn distinct_pages(&self) -> u32 {
        self.0.distinct_pages
    }

    /// The action taken (in [`Vcpu::last_event`](crate::Vcpu::last_event)).
    pub fn action(&self) -> Action {
        Action::from_raw(self.0.action)
    }

    /// What was injected for it, and what that lost.
    pub fn injected(&self) -> Injected {
        Injected {
            strategy: Strategy::from_raw(self.0.injected),
            lost: Lost::from_bits(self.0.lost),
        }
    }

    /// One field a line, for people.
    pub fn to_text(&self) -> String {
        self.format(sys::KVMSEA_EVENT_TEXT)
    }

    /// One JSON object (schema `libkvmsea.event/1`), no trailing newline.
    pub fn to_json(&self) -> String {
        self.format(sys::KVMSEA_EVENT_JSON)
    }

    fn format(&self, style: sys::kvmsea_event_style) -> String {
        formatted(|buf, size| {
            // SAFETY: the event is valid; `buf` has room for `size` bytes.
            unsafe { sys::kvmsea_event_format(&self.0, style, buf, size) }
        })
    }
}

/// The one-line form.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(sys::KVMSEA_EVENT_ONELINE))
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event({self})")
    }
}
