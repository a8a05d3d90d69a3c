//! A context's guest memory map, the errors the SIGBUS path recorded for
//! the VM, the poison registry, the storm limit and the counters
//! (`<libkvmsea/memory.h>`: `kvmsea_memslot(3)`, `kvmsea_poison(3)`,
//! `kvmsea_sigbus(3)`).
//!
//! Every method here takes `&self`: the C library serialises the calls
//! that change the map or the registry and lets any thread make them
//! while vCPUs run. None is for a signal handler (they may allocate or
//! lock); [`sigbus`](crate::sigbus) is.

use crate::bits::bit_set;
use crate::context::Context;
use crate::error::{check, Result};
use crate::event::{Event, Source};
use kvmsea_sys as sys;
use std::mem::MaybeUninit;
use std::time::Duration;

bit_set! {
    /// A memslot's KVM flags, as the VMM gave them to KVM: the library
    /// keeps them and gives them back; none changes what it does.
    MemslotFlags {
        /// `KVM_MEM_LOG_DIRTY_PAGES`.
        LOG_DIRTY = sys::KVMSEA_MEMSLOT_LOG_DIRTY => "log-dirty",
        /// `KVM_MEM_READONLY`.
        READONLY = sys::KVMSEA_MEMSLOT_READONLY => "readonly",
        /// `KVM_MEM_GUEST_MEMFD`.
        GUEST_MEMFD = sys::KVMSEA_MEMSLOT_GUEST_MEMFD => "guest-memfd",
    }
}

/// One KVM memslot, with the values the VMM gave
/// `KVM_SET_USER_MEMORY_REGION` (`struct kvmsea_memslot`).
///
/// The library only compares these numbers; it never reads or writes the
/// memory at `hva`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memslot {
    /// KVM's slot number (with the address space id).
    pub slot: u32,
    /// KVM's flags.
    pub flags: MemslotFlags,
    /// `guest_phys_addr`.
    pub gpa: u64,
    /// `memory_size`.
    pub size: u64,
    /// `userspace_addr`.
    pub hva: u64,
}

impl Memslot {
    fn to_sys(self) -> sys::kvmsea_memslot {
        sys::kvmsea_memslot {
            slot: self.slot,
            flags: self.flags.bits(),
            gpa: self.gpa,
            size: self.size,
            hva: self.hva,
        }
    }

    fn from_sys(s: &sys::kvmsea_memslot) -> Memslot {
        Memslot {
            slot: s.slot,
            flags: MemslotFlags::from_bits(s.flags),
            gpa: s.gpa,
            size: s.size,
            hva: s.hva,
        }
    }
}

/// One bad guest range of the poison registry (`struct kvmsea_poison`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poison {
    /// The range's first guest physical address ...
    pub gpa: u64,
    /// ... and its size.
    pub size: u64,
    /// The first host address seen for its first byte.
    pub hva: Option<u64>,
    /// How it was first seen.
    pub source: Source,
    /// CLOCK_REALTIME, in nanoseconds, of its first event ...
    pub first_ns: u64,
    /// ... and of its last.
    pub last_ns: u64,
    /// The events on this range.
    pub count: u64,
}

/// A context's counters (`struct kvmsea_stats`). They only grow; a copy
/// taken while vCPUs run may mix moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// `KVM_EXIT_ARM_SEA` events.
    pub sea_exits: u64,
    /// `BUS_MCEERR_AR` signals recorded.
    pub sigbus_ar: u64,
    /// `BUS_MCEERR_AO` signals recorded.
    pub sigbus_ao: u64,
    /// Guest memory errors lost: the signal path's storage was full.
    pub sigbus_dropped: u64,
    /// Signals answered [`SigbusResult::NotMine`](crate::SigbusResult::NotMine).
    pub sigbus_not_mine: u64,
    /// `KVM_RUN` `EHWPOISON` (guest_memfd) events.
    pub memory_faults: u64,
    /// Bad ranges the registry had no room for.
    pub poison_dropped: u64,
    /// Successful injections.
    pub injected: u64,
    /// [`Outcome::Stop`](crate::Outcome::Stop) results.
    pub stops: u64,
}

impl Context<'_> {
    /// Tells the context about one KVM memslot (`kvmsea_ctx_set_memslot`):
    /// adds it, or replaces the slot with the same number. Call it next to
    /// each `KVM_SET_USER_MEMORY_REGION`. Addresses and size are multiples
    /// of 4 KiB; EEXIST when the range overlaps another slot's, in guest
    /// physical or in host addresses (a SIGBUS names one host page, which
    /// an alias would put at two guest addresses); EINVAL for unknown
    /// flags, a size of 0 (use [`delete_memslot`](Self::delete_memslot)) or
    /// a range reaching 2^64; ENOSPC for a new slot when 32767 (arm64
    /// KVM's limit) are held. On an error nothing changed.
    pub fn set_memslot(&self, slot: &Memslot) -> Result<()> {
        if slot.size == 0 {
            return Err(crate::Errno::EINVAL.into());
        }
        self.put_memslot(slot.to_sys())
    }

    /// Deletes memslot `slot`; ENOENT when the context holds no such slot.
    pub fn delete_memslot(&self, slot: u32) -> Result<()> {
        self.put_memslot(sys::kvmsea_memslot {
            slot,
            ..Default::default()
        })
    }

    fn put_memslot(&self, slot: sys::kvmsea_memslot) -> Result<()> {
        // SAFETY: a live context and a valid slot; the library serialises
        // changes of the map and lets them race with lookups.
        check(unsafe { sys::kvmsea_ctx_set_memslot(self.as_raw(), &slot) }).map(drop)
    }

    /// The guest physical address of host address `hva`, and the slot that
    /// maps it; `None` outside guest memory. Lock-free and wait-free.
    pub fn hva_to_gpa(&self, hva: u64) -> Option<(u64, Memslot)> {
        self.lookup(hva, sys::kvmsea_ctx_hva_to_gpa)
    }

    /// The host address of guest physical address `gpa`, and its slot.
    pub fn gpa_to_hva(&self, gpa: u64) -> Option<(u64, Memslot)> {
        self.lookup(gpa, sys::kvmsea_ctx_gpa_to_hva)
    }

    fn lookup(
        &self,
        addr: u64,
        f: unsafe extern "C" fn(
            *const sys::kvmsea_ctx,
            u64,
            *mut u64,
            *mut sys::kvmsea_memslot,
        ) -> std::ffi::c_int,
    ) -> Option<(u64, Memslot)> {
        let mut out = 0u64;
        let mut slot = sys::kvmsea_memslot::default();
        // SAFETY: a live context and writable outputs; lookups are safe on
        // any thread, also while the map changes.
        let ret = unsafe { f(self.as_raw(), addr, &mut out, &mut slot) };
        (ret == 0).then(|| (out, Memslot::from_sys(&slot)))
    }

    /// The oldest memory error the SIGBUS path recorded for the VM, not
    /// for a vCPU (`kvmsea_ctx_next_error`): a `BUS_MCEERR_AO`, or a
    /// `BUS_MCEERR_AR` of a thread outside a vCPU's `KVM_RUN`
    /// ([`Vcpu::kvm_run`](crate::Vcpu::kvm_run)), or one the library found
    /// was the VMM's own access. It enters the poison registry now; the handler is
    /// not called and nothing is injected: the VMM decides. `None` when
    /// nothing waits.
    pub fn next_error(&self) -> Option<Event> {
        let mut ev = MaybeUninit::<sys::kvmsea_event>::zeroed();
        // SAFETY: a live context and a writable event; any thread but a
        // signal handler may take records (a lock-free queue, then the
        // registry's mutex).
        let ret = unsafe { sys::kvmsea_ctx_next_error(self.as_raw(), ev.as_mut_ptr()) };
        // SAFETY: zeroed is a valid event, and on 1 the library filled it.
        (ret == 1).then(|| Event::from_sys(unsafe { ev.assume_init() }))
    }

    /// The registry's room, allocated now: 1024 ranges unless set (0 keeps
    /// none). EINVAL above 2^20, EBUSY below the ranges held.
    pub fn set_poison_capacity(&self, capacity: usize) -> Result<()> {
        // SAFETY: a live context; the registry's calls are serialised.
        check(unsafe { sys::kvmsea_ctx_set_poison_capacity(self.as_raw(), capacity) }).map(drop)
    }

    /// Whether any byte of `[gpa, gpa + size)` is in a known bad range:
    /// what device emulation asks before it touches guest memory. EINVAL
    /// for a size of 0 or a range reaching 2^64.
    pub fn is_poisoned(&self, gpa: u64, size: u64) -> Result<bool> {
        // SAFETY: a live context.
        let ret = check(unsafe { sys::kvmsea_ctx_is_poisoned(self.as_raw(), gpa, size) })?;
        Ok(ret == 1)
    }

    /// The bad ranges, by ascending guest address.
    pub fn poison(&self) -> Vec<Poison> {
        let mut raw: Vec<sys::kvmsea_poison> = Vec::new();
        loop {
            // SAFETY: a live context and room for raw.len() records (none
            // the first time: NULL, 0).
            let held = unsafe {
                let out = if raw.is_empty() {
                    std::ptr::null_mut()
                } else {
                    raw.as_mut_ptr()
                };
                sys::kvmsea_ctx_get_poison(self.as_raw(), out, raw.len())
            };
            let held = usize::try_from(held).unwrap_or(0);
            if held <= raw.len() {
                raw.truncate(held);
                break;
            }
            // Ranges were added since: ask again with room for them all.
            raw.resize(held, sys::kvmsea_poison::default());
        }
        raw.iter()
            .map(|p| Poison {
                gpa: p.gpa,
                size: p.size,
                hva: (p.hva != 0).then_some(p.hva),
                source: Source::from_raw(p.source),
                first_ns: p.first_ns,
                last_ns: p.last_ns,
                count: p.count,
            })
            .collect()
    }

    /// Forgets every bad range, once the VMM replaced the pages (a VM
    /// reset). The capacity, the storm limit and the counters stay.
    pub fn clear_poison(&self) {
        // SAFETY: a live context; it cannot fail then.
        unsafe { sys::kvmsea_ctx_clear_poison(self.as_raw()) };
    }

    /// The storm policy: an error is in a storm when the last `pages` new
    /// bad ranges were all first seen within `window` (CLOCK_MONOTONIC),
    /// this one included; the default policy then stops the VM. `pages` 0
    /// turns it off (the default). Setting it forgets the ranges seen so
    /// far. A window beyond 2^64 ns (584 years) is taken as 2^64 - 1 ns.
    /// EINVAL for `pages` above 2^20, or a zero window with `pages` set.
    pub fn set_storm_limit(&self, pages: u32, window: Duration) -> Result<()> {
        let ns = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: a live context; the registry's calls are serialised.
        check(unsafe { sys::kvmsea_ctx_set_storm_limit(self.as_raw(), pages, ns) }).map(drop)
    }

    /// The counters (`kvmsea_ctx_get_stats`).
    pub fn stats(&self) -> Stats {
        let mut s = sys::kvmsea_stats::default();
        // SAFETY: a live context and a writable struct: it cannot fail.
        unsafe { sys::kvmsea_ctx_get_stats(self.as_raw(), &mut s) };
        Stats {
            sea_exits: s.sea_exits,
            sigbus_ar: s.sigbus_ar,
            sigbus_ao: s.sigbus_ao,
            sigbus_dropped: s.sigbus_dropped,
            sigbus_not_mine: s.sigbus_not_mine,
            memory_faults: s.memory_faults,
            poison_dropped: s.poison_dropped,
            injected: s.injected,
            stops: s.stops,
        }
    }
}
