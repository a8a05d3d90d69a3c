//! A context's guest memory map, poison registry, storm limit and counters
//! through the safe API, on a VM of the simulated KVM (tests/sim). The
//! rules are the manual pages' (kvmsea_memslot(3), kvmsea_poison(3));
//! tests/memory holds the C suite.
#![cfg(kvmsea_sim)]

mod kvmsim;

use kvmsea::cper::{MemError, MemErrorFlags};
use kvmsea::{Context, Errno, Error, Memslot, MemslotFlags, Outcome, Source, Stats};
use kvmsim::*;
use std::time::Duration;

const RAM_GPA: u64 = 0x4000_0000;
const RAM_HVA: u64 = 0x7f12_0000_0000;
const RAM_SIZE: u64 = 0x1_0000;
const LOAD_SEA: u64 = 0x9200_0010;

fn ram() -> Memslot {
    Memslot {
        slot: 0,
        flags: MemslotFlags::empty(),
        gpa: RAM_GPA,
        size: RAM_SIZE,
        hva: RAM_HVA,
    }
}

fn err(e: Errno) -> kvmsea::Result<()> {
    Err(Error::Os(e))
}

#[test]
fn memslots_translate_both_ways() {
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    assert_eq!(ctx.hva_to_gpa(RAM_HVA), None);
    ctx.set_memslot(&ram()).unwrap();
    let rom = Memslot {
        slot: 1,
        flags: MemslotFlags::READONLY | MemslotFlags::LOG_DIRTY,
        gpa: 0x1000_0000,
        size: 0x2000,
        hva: 0x7f00_0000_0000,
    };
    ctx.set_memslot(&rom).unwrap();

    assert_eq!(
        ctx.hva_to_gpa(RAM_HVA + 0x1234),
        Some((RAM_GPA + 0x1234, ram()))
    );
    assert_eq!(
        ctx.gpa_to_hva(RAM_GPA + RAM_SIZE - 1),
        Some((RAM_HVA + RAM_SIZE - 1, ram()))
    );
    assert_eq!(ctx.gpa_to_hva(RAM_GPA + RAM_SIZE), None);
    assert_eq!(ctx.hva_to_gpa(RAM_HVA - 1), None);
    // The flags come back as given.
    let (gpa, slot) = ctx.hva_to_gpa(0x7f00_0000_1fff).unwrap();
    assert_eq!((gpa, slot), (0x1000_1fff, rom));
    assert_eq!(slot.flags.to_string(), "log-dirty|readonly");

    // Replacing slot 1 moves it; deleting it forgets it.
    let moved = Memslot {
        gpa: 0x2000_0000,
        ..rom
    };
    ctx.set_memslot(&moved).unwrap();
    assert_eq!(ctx.gpa_to_hva(0x1000_0000), None);
    assert_eq!(ctx.gpa_to_hva(0x2000_0000).unwrap().0, 0x7f00_0000_0000);
    ctx.delete_memslot(1).unwrap();
    assert_eq!(ctx.gpa_to_hva(0x2000_0000), None);
    assert_eq!(ctx.delete_memslot(1), err(Errno::ENOENT));
}

#[test]
fn bad_memslots_are_refused_and_change_nothing() {
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.set_memslot(&ram()).unwrap();
    let cases = [
        // Overlapping the RAM in guest or in host addresses (an alias).
        (
            Memslot {
                slot: 1,
                gpa: RAM_GPA + RAM_SIZE - 0x1000,
                hva: 0x7f00_0000_0000,
                ..ram()
            },
            Errno::EEXIST,
        ),
        (
            Memslot {
                slot: 1,
                gpa: 0x1000_0000,
                ..ram()
            },
            Errno::EEXIST,
        ),
        // Not 4 KiB multiples, unknown flags, reaching 2^64, size 0.
        (
            Memslot {
                slot: 1,
                gpa: 0x1000_0800,
                hva: 0x7f00_0000_0000,
                ..ram()
            },
            Errno::EINVAL,
        ),
        (
            Memslot {
                slot: 1,
                flags: MemslotFlags::from_bits(1 << 3),
                gpa: 0x1000_0000,
                hva: 0x7f00_0000_0000,
                ..ram()
            },
            Errno::EINVAL,
        ),
        (
            Memslot {
                slot: 1,
                gpa: u64::MAX - 0xfff,
                size: 0x1000,
                hva: 0x7f00_0000_0000,
                ..ram()
            },
            Errno::EINVAL,
        ),
        (
            Memslot {
                slot: 1,
                size: 0,
                gpa: 0x1000_0000,
                hva: 0x7f00_0000_0000,
                ..ram()
            },
            Errno::EINVAL,
        ),
    ];
    for (slot, errno) in cases {
        assert_eq!(ctx.set_memslot(&slot), err(errno), "{slot:?}");
        // Nothing of it entered the map.
        let found = [ctx.gpa_to_hva(slot.gpa), ctx.hva_to_gpa(slot.hva)];
        assert!(found.iter().flatten().all(|(_, s)| *s == ram()), "{slot:?}");
    }
    assert_eq!(ctx.gpa_to_hva(RAM_GPA), Some((RAM_HVA, ram())));
}

#[test]
fn an_exit_enters_the_registry() {
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.enable().unwrap();
    ctx.set_memslot(&ram()).unwrap();
    let mut vcpu = sim.vcpu(&ctx, 0);
    assert_eq!(ctx.poison(), []);
    assert_eq!(ctx.is_poisoned(RAM_GPA, RAM_SIZE), Ok(false));

    sim.guest_at(0, 0x5);
    sim.queue_sea(0, LOAD_SEA, 0x1234, RAM_GPA + 0x6000, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::Handled));
    let ev = vcpu.last_event().unwrap();
    // The map gave the page its host address.
    assert_eq!(ev.page().unwrap().hva, Some(RAM_HVA + 0x6000));
    assert_eq!(ev.distinct_pages(), 1);
    let p = ctx.poison();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].gpa, p[0].size, p[0].hva, p[0].source, p[0].count),
        (
            RAM_GPA + 0x6000,
            4096,
            Some(RAM_HVA + 0x6000),
            Source::Exit,
            1
        )
    );
    assert!(p[0].first_ns > 0 && p[0].first_ns == p[0].last_ns);
    assert_eq!(ctx.is_poisoned(RAM_GPA + 0x6ff8, 8), Ok(true));
    assert_eq!(ctx.is_poisoned(RAM_GPA + 0x7000, 8), Ok(false));
    assert_eq!(ctx.is_poisoned(RAM_GPA, 0), Err(Error::Os(Errno::EINVAL)));
    assert_eq!(ctx.is_poisoned(u64::MAX, 2), Err(Error::Os(Errno::EINVAL)));
    let st = ctx.stats();
    assert_eq!((st.sea_exits, st.injected, st.stops), (1, 1, 0));
    // Its error record for the guest: the byte, KVM's 4 KiB page, the ARM
    // section with KVM's syndrome and the virtual address.
    let e = MemError::from_event(ev).unwrap();
    assert_eq!(
        (e.gpa, e.page_size, e.esr, e.va),
        (RAM_GPA + 0x6234, 4096, LOAD_SEA, 0x1234)
    );
    assert_eq!(
        e.flags,
        MemErrorFlags::CONSUMED | MemErrorFlags::ARM | MemErrorFlags::VA_VALID
    );
    assert_eq!(e.time, ev.time_ns() / 1_000_000_000);

    // The VMM replaced the page (a reset): the registry forgets it.
    ctx.clear_poison();
    assert_eq!(ctx.poison(), []);
    assert_eq!(ctx.is_poisoned(RAM_GPA + 0x6000, 1), Ok(false));
}

#[test]
fn poison_capacity_and_storm_limit() {
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.enable().unwrap();
    ctx.set_memslot(&ram()).unwrap();
    assert_eq!(ctx.set_poison_capacity((1 << 20) + 1), err(Errno::EINVAL));
    ctx.set_poison_capacity(2).unwrap();
    assert_eq!(ctx.set_storm_limit(1, Duration::ZERO), err(Errno::EINVAL));
    assert_eq!(
        ctx.set_storm_limit((1 << 20) + 1, Duration::from_secs(1)),
        err(Errno::EINVAL)
    );
    ctx.set_storm_limit(3, Duration::from_secs(3600)).unwrap();
    let mut vcpu = sim.vcpu(&ctx, 0);
    let mut run = |page: u64| {
        sim.guest_at(0, 0x5);
        sim.queue_sea(0, LOAD_SEA, 0x1234, RAM_GPA + page * 0x1000, true);
        let outcome = vcpu.handle_exit(&sim.run(0)).unwrap();
        let ev = vcpu.last_event().unwrap();
        (outcome, ev.distinct_pages(), ev.storm())
    };
    // Three new pages within the window: the third stops the VM. The
    // registry holds two; the third is dropped, counted, and still counts
    // for the storm.
    assert_eq!(run(1), (Outcome::Handled, 1, false));
    assert_eq!(run(2), (Outcome::Handled, 2, false));
    assert_eq!(run(3).0, Outcome::Stop);
    assert_eq!(ctx.poison().len(), 2);
    // Fewer than held: refused. The same or more: fine.
    assert_eq!(ctx.set_poison_capacity(1), err(Errno::EBUSY));
    ctx.set_poison_capacity(8).unwrap();
    let st = ctx.stats();
    assert_eq!(
        st,
        Stats {
            sea_exits: 3,
            poison_dropped: 1,
            injected: 2,
            stops: 1,
            ..Stats::default()
        }
    );
    // A window too long for 64 bits of nanoseconds is taken as "ever".
    ctx.set_storm_limit(1, Duration::MAX).unwrap();
    ctx.set_storm_limit(0, Duration::ZERO).unwrap(); // off
}
