//! The safe API against the simulated arm64 KVM (tests/sim, linked with
//! -Wl,--wrap=ioctl as the C tests link it): probe and enable, the hook,
//! the event, the handler contract (actions, errors, panics), injection,
//! the livelock guard, and vCPU threads sharing one context. The expected
//! values are the C suite's (tests/kvm/test-sea.c), worked out from the
//! kernel's rules, not from the library.
#![cfg(kvmsea_sim)]

mod kvmsim;

use kvmsea::{
    probe, Action, Context, Errno, Error, Event, Lost, Outcome, Source, Strategy, VcpuFlags,
};
use kvmsim::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

#[path = "../../kvmsea-sys/tests/c_probe/mod.rs"]
mod c_probe;

const GVA: u64 = 0x5000_0123;
const IPA: u64 = 0x5000_0000;
const LOAD_SEA: u64 = 0x9200_0010; // DABT_LOW, FSC 0x10, a load
const EL1H: u64 = 0x5;

/// A RAS host with SEA exits enabled.
fn enabled(sim: &Sim) -> Context<'_> {
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.enable().unwrap();
    ctx
}

#[test]
fn reg_ids_match_the_c_headers() {
    let lib = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lib");
    let program = "#include <stdio.h>\n#include \"uapi-compat.h\"\n\
        int main(void) { printf(\"%llx %llx %llx %llx %llx %llx\\n\", \
        KVMSEA_REG_PC, KVMSEA_REG_PSTATE, KVMSEA_REG_ELR_EL1, KVMSEA_REG_ESR_EL1, \
        KVMSEA_REG_FAR_EL1, KVMSEA_REG_VBAR_EL1); return 0; }\n";
    let flag = format!("-I{lib}");
    let out = c_probe::run("reg-ids", program, &[&flag, "-D_GNU_SOURCE"], false, &[]);
    let ours = [
        REG_PC,
        REG_PSTATE,
        REG_ELR_EL1,
        REG_ESR_EL1,
        REG_FAR_EL1,
        REG_VBAR_EL1,
    ];
    let ours: Vec<String> = ours.iter().map(|r| format!("{r:x}")).collect();
    assert_eq!(out.trim(), ours.join(" "));
}

#[test]
fn probe_each_host_profile() {
    let sim = Sim::new(HOST_RAS);
    let caps = probe(sim.system_fd()).unwrap();
    assert_eq!(
        (
            caps.sea_to_user,
            caps.inject_ext_dabt,
            caps.vcpu_events,
            caps.inject_serror_esr
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(caps.arm_el2, 0);
    assert!(caps.sea_exits_possible);
    assert!(!caps.sea_exits_enabled);

    // No FEAT_RAS: the cap says 1, but KVM keeps every SEA (an SError).
    let caps = probe(Sim::new(HOST_NO_RAS).vm_fd()).unwrap();
    assert_eq!((caps.sea_to_user, caps.inject_serror_esr), (1, 0));
    assert!(!caps.sea_exits_possible);

    let old = Sim::new(HOST_OLD_KERNEL);
    let caps = probe(old.vm_fd()).unwrap();
    assert_eq!(caps.sea_to_user, 0);
    let ctx = Context::new(old.vm_fd()).unwrap();
    assert_eq!(ctx.enable(), Err(Error::Os(Errno::EOPNOTSUPP)));
    assert!(!ctx.caps().sea_exits_enabled);
}

#[test]
fn probe_refuses_a_non_kvm_fd() {
    use std::os::fd::AsFd;
    let null = std::fs::File::open("/dev/null").unwrap();
    let e = probe(null.as_fd()).unwrap_err().errno();
    // ENOTTY from a kernel, ENOSYS from qemu-user: either way no KVM.
    assert!(e == Errno::ENOTTY || e.get() == 38, "{e:?}");
    assert!(Context::new(null.as_fd()).is_err());
}

#[test]
fn enable_sets_the_vm_flag_once_and_for_all() {
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    assert!(!sim.vm_sea_enabled());
    ctx.enable().unwrap();
    ctx.enable().unwrap(); // idempotent
    assert!(sim.vm_sea_enabled());
    assert!(ctx.caps().sea_exits_enabled);
}

#[test]
fn default_policy_event_and_injection() {
    let sim = Sim::new(HOST_RAS);
    let ctx = enabled(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H);
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::Handled));

    let ev = vcpu.last_event().expect("an event");
    assert_eq!(ev.source(), Source::Exit);
    assert_eq!(ev.vcpu_id(), Some(0));
    assert_eq!(ev.seq(), 1);
    assert!(ev.time_ns() > 0);
    assert_eq!(ev.syndrome(), LOAD_SEA);
    assert_eq!(ev.esr().ec, kvmsea::esr::Ec::DabtLow);
    let exit = ev.exit().unwrap();
    assert_eq!(
        (exit.esr, exit.gva, exit.gpa & !0xfff),
        (LOAD_SEA, GVA, IPA)
    );
    assert_eq!(ev.gva(), Some(GVA));
    assert_eq!(ev.gpa(), Some(IPA | (GVA & 0xfff)));
    let page = ev.page().unwrap();
    assert_eq!((page.gpa, page.hva, page.size), (Some(IPA), None, 4096));
    assert!(ev.sigbus().is_none());
    let guest = ev.guest().unwrap();
    assert_eq!((guest.pc, guest.el), (PC, 1));
    assert!(!guest.aarch32 && !guest.has_el2 && !guest.in_nested_guest);
    assert_eq!((ev.repeats(), ev.livelock()), (1, false));
    assert_eq!(ev.action(), Action::Default);
    // Lossless for ext_dabt_pending: auto took it.
    assert_eq!(ev.injected().strategy, Strategy::VcpuEvents);
    assert!(ev.injected().lost.is_empty());
    assert!(ev.to_string().contains("DABT_LOW"), "{ev}");
    assert!(
        ev.to_json().contains("\"source\":\"exit\""),
        "{}",
        ev.to_json()
    );
    assert!(ev.to_text().lines().count() > 3);

    // The guest took a data abort at its vector, from its own EL.
    assert_eq!(sim.reg(0, REG_PC), VBAR + 0x200);
    assert_eq!(sim.reg(0, REG_ESR_EL1), 0x9600_0010);
    assert_eq!(sim.reg(0, REG_FAR_EL1), GVA);
    assert_eq!(sim.reg(0, REG_ELR_EL1), PC);
}

#[test]
fn other_exits_are_not_seas_and_leave_the_last_event() {
    let sim = Sim::new(HOST_RAS);
    let ctx = enabled(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.queue_mmio(0, 0x0900_0000);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::NotSea));
    assert!(vcpu.last_event().is_none());
    sim.queue_error(0, 14); // EFAULT
    let ret = sim.run(0);
    assert_eq!(ret.as_ref().unwrap_err().raw_os_error(), Some(14));
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::NotSea));

    // After an SEA, a stale -EINTR (exit_reason still 41) is no new SEA.
    sim.guest_at(0, EL1H);
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::Handled));
    sim.queue_eintr(0, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::NotSea));
    assert_eq!(vcpu.handle_exit_raw(-4), Ok(Outcome::NotSea));
    assert_eq!(vcpu.last_event().unwrap().seq(), 1);
    assert_eq!(sim.stats(0).ext_dabt, 1); // injected once
}

#[test]
fn handler_actions() {
    let sim = Sim::new(HOST_RAS);
    let answer = Mutex::new(Ok(Action::Stop));
    let calls = AtomicU32::new(0);
    let mut ctx = enabled(&sim); // after what its handler borrows
    ctx.set_handler(|_, _| {
        calls.fetch_add(1, Ordering::Relaxed);
        answer.lock().unwrap().clone()
    });
    let mut vcpu = sim.vcpu(&ctx, 0);
    let mut run = |answer_now: kvmsea::Result<Action>| {
        *answer.lock().unwrap() = answer_now;
        sim.guest_at(0, EL1H);
        sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
        vcpu.handle_exit(&sim.run(0)).map(|o| {
            (
                o,
                vcpu.last_event()
                    .map(|e| (e.action(), e.injected().strategy)),
            )
        })
    };

    assert_eq!(
        run(Ok(Action::Stop)),
        Ok((Outcome::Stop, Some((Action::Stop, Strategy::None))))
    );
    assert_eq!(sim.reg(0, REG_PC), PC); // untouched
    assert_eq!(
        run(Ok(Action::Retry)),
        Ok((Outcome::Handled, Some((Action::Retry, Strategy::None))))
    );
    assert_eq!(sim.reg(0, REG_PC), PC);
    // A handler's error comes back as it is, with nothing injected.
    assert_eq!(run(Err(Error::Os(Errno::EIO))), Err(Error::Os(Errno::EIO)));
    assert_eq!(sim.reg(0, REG_PC), PC);
    assert_eq!(
        run(Ok(Action::Default)),
        Ok((
            Outcome::Handled,
            Some((Action::Default, Strategy::VcpuEvents))
        ))
    );
    assert_eq!(sim.reg(0, REG_PC), VBAR + 0x200);
    assert_eq!(calls.load(Ordering::Relaxed), 4);
}

#[test]
fn a_handler_that_injects_itself() {
    let sim = Sim::new(HOST_RAS);
    let results = Mutex::new(Vec::new());
    let mut ctx = enabled(&sim);
    ctx.set_handler(|vcpu, event| {
        let first = vcpu.inject(event, Strategy::SError);
        // One injection per KVM_RUN return, whoever asks (a copy too).
        let copy: Event = *event;
        let second = vcpu.inject(&copy, Strategy::Emulate);
        results.lock().unwrap().push((first.clone(), second));
        first.map(|_| Action::Handled)
    });
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H | 0x100); // PSTATE.A set: the SError stays pending
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::Handled));
    let (first, second) = results.lock().unwrap().pop().unwrap();
    let first = first.unwrap();
    assert_eq!(first.strategy, Strategy::SError);
    assert_eq!(first.lost, Lost::SYNC | Lost::FAR);
    assert_eq!(second, Err(Error::Os(Errno::EALREADY)));
    assert_eq!(vcpu.serror_pending(), Ok(true));
    let ev = vcpu.last_event().unwrap();
    assert_eq!(ev.action(), Action::Handled);
    assert_eq!(ev.injected().strategy, Strategy::SError);
    sim.clear_serror(0);
    assert_eq!(vcpu.serror_pending(), Ok(false));
}

#[test]
fn a_panicking_handler_is_an_error_not_an_unwind_into_c() {
    let sim = Sim::new(HOST_RAS);
    let panics = AtomicU32::new(1);
    let mut ctx = enabled(&sim);
    ctx.set_handler(|_, _| {
        if panics.fetch_sub(1, Ordering::Relaxed) == 1 {
            panic!("handler bug on purpose");
        }
        Ok(Action::Default)
    });
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H);
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    let err = vcpu.handle_exit(&sim.run(0)).unwrap_err();
    assert_eq!(err, Error::HandlerPanic("handler bug on purpose".into()));
    assert_eq!(err.errno(), Errno::ECANCELED);
    assert_eq!(sim.reg(0, REG_PC), PC); // nothing was injected
    assert_eq!(
        vcpu.last_event().unwrap().injected().strategy,
        Strategy::None
    );

    // The handle carries on: the next SEA is served, and no stale panic.
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::Handled));
    assert_eq!(vcpu.last_event().unwrap().repeats(), 2);
    assert_eq!(sim.reg(0, REG_PC), VBAR + 0x200);
}

#[test]
fn livelock_guard_and_injection_after_stop() {
    let sim = Sim::new(HOST_RAS);
    let seen = Mutex::new(Vec::new());
    let mut ctx = enabled(&sim);
    ctx.set_livelock_limit(4);
    ctx.set_handler(|_, ev| {
        seen.lock().unwrap().push((ev.repeats(), ev.livelock()));
        Ok(if ev.livelock() {
            Action::Default
        } else {
            Action::Retry
        })
    });
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H);
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
        outcomes.push(vcpu.handle_exit(&sim.run(0)).unwrap());
    }
    // Retried three times; at the limit the default policy stops.
    assert_eq!(
        outcomes,
        [
            Outcome::Handled,
            Outcome::Handled,
            Outcome::Handled,
            Outcome::Stop
        ]
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [(1, false), (2, false), (3, false), (4, true)]
    );
    assert_eq!(sim.reg(0, REG_PC), PC);

    // The VMM may still deliver the last event after the stop.
    // Events are plain data: they may go to another thread (a logger).
    let last = std::thread::spawn({
        let copy = *vcpu.last_event().unwrap();
        move || copy
    })
    .join()
    .unwrap();
    let done = vcpu.inject(&last, Strategy::Emulate).unwrap();
    assert_eq!(done.strategy, Strategy::Emulate);
    assert_eq!(sim.reg(0, REG_PC), VBAR + 0x200);
    assert_eq!(sim.reg(0, REG_ESR_EL1), 0x9600_0010);
}

#[test]
fn events_made_by_the_vmm() {
    let sim = Sim::new(HOST_RAS);
    let ctx = enabled(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H);
    // A device model's failed store at 0x9000000: an abort to deliver.
    let ev = Event::new(0x9200_0050, 0x0900_0000).unwrap();
    assert_eq!((ev.source(), ev.vcpu_id()), (Source::Caller, None));
    let done = vcpu.inject(&ev, Strategy::Auto).unwrap();
    // Not KVM's own exit: only emulation carries the FAR and WnR.
    assert_eq!(done.strategy, Strategy::Emulate);
    assert_eq!(sim.reg(0, REG_FAR_EL1), 0x0900_0000);
    assert_eq!(sim.reg(0, REG_ESR_EL1), 0x9600_0050);
    // One injection per KVM_RUN return ...
    sim.guest_at(0, EL1H);
    let iabt = Event::new(0x8200_0010, 0x4000_2000).unwrap();
    assert_eq!(
        vcpu.inject(&iabt, Strategy::Auto),
        Err(Error::Os(Errno::EALREADY))
    );
    // ... and after the next one: KVM has no instruction abort to inject.
    sim.queue_eintr(0, false);
    assert_eq!(vcpu.handle_exit(&sim.run(0)), Ok(Outcome::NotSea));
    assert_eq!(
        vcpu.inject(&iabt, Strategy::VcpuEvents),
        Err(Error::Os(Errno::EOPNOTSUPP))
    );
    assert_eq!(
        Event::new(0x5600_0000, 0).unwrap_err().errno(),
        Errno::EINVAL
    );
}

#[test]
fn vcpu_flags_are_checked() {
    let sim = Sim::new(HOST_RAS);
    let ctx = enabled(&sim);
    let run = std::ptr::NonNull::<u8>::dangling().cast();
    let bad = VcpuFlags::EL1_32BIT | VcpuFlags::HAS_EL2; // KVM has no such vCPU
                                                         // SAFETY: refused before the mapping is used.
    let made = unsafe { kvmsea::Vcpu::from_raw_parts(&ctx, sim.vcpu_fd(0), run, 0, bad) };
    assert_eq!(made.err(), Some(Error::Os(Errno::EINVAL)));
}

#[test]
fn vcpu_threads_share_one_context() {
    const VCPUS: usize = 4;
    const SEAS: u32 = 50;
    let mut sim = Sim::new(HOST_RAS);
    for _ in 1..VCPUS {
        sim.add_vcpu(0);
    }
    let per_vcpu: Vec<AtomicU32> = (0..VCPUS).map(|_| AtomicU32::new(0)).collect();
    let mut ctx = enabled(&sim);
    ctx.set_handler(|vcpu, ev| {
        per_vcpu[vcpu.id() as usize].fetch_add(1, Ordering::Relaxed);
        assert_eq!(ev.vcpu_id(), Some(vcpu.id()));
        let how = if vcpu.id() % 2 == 0 {
            Strategy::VcpuEvents
        } else {
            Strategy::Emulate
        };
        vcpu.inject(ev, how)?;
        Ok(Action::Handled)
    });
    let (sim, ctx) = (&sim, &ctx);
    std::thread::scope(|s| {
        for i in 0..VCPUS {
            // Each handle moves to its own thread (Send).
            let mut vcpu = sim.vcpu(ctx, i);
            s.spawn(move || {
                for n in 0..SEAS {
                    sim.guest_at(i, EL1H);
                    let gva = 0x5000_0000 + 0x1000 * i as u64 + u64::from(n) * 8;
                    sim.queue_sea(i, LOAD_SEA, gva, gva & !0xfff, true);
                    assert_eq!(vcpu.handle_exit(&sim.run(i)), Ok(Outcome::Handled));
                    assert_eq!(sim.reg(i, REG_FAR_EL1), gva);
                }
            });
        }
    });
    for (i, n) in per_vcpu.iter().enumerate() {
        assert_eq!(n.load(Ordering::Relaxed), SEAS, "vCPU {i}");
    }
}

/// `VcpuFd::run()`'s `Result` as it is: kvm-ioctls reports the SEA exit as
/// `Ok(VcpuExit::Unsupported(41))` and a failed run as `Err(errno)`. (A
/// `VcpuFd` cannot be made on the simulator: kvm-ioctls mmaps the fd.)
#[cfg(feature = "kvm-ioctls")]
#[test]
fn handle_exit_takes_kvm_ioctls_results() {
    use kvm_ioctls::VcpuExit;
    fn as_kvm_ioctls(ret: std::io::Result<()>) -> Result<VcpuExit<'static>, kvm_ioctls::Error> {
        ret.map(|()| VcpuExit::Unsupported(41))
            .map_err(|e| kvm_ioctls::Error::new(e.raw_os_error().unwrap()))
    }
    let sim = Sim::new(HOST_RAS);
    let ctx = enabled(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, EL1H);
    sim.queue_sea(0, LOAD_SEA, GVA, IPA, true);
    let ret = as_kvm_ioctls(sim.run(0));
    assert!(matches!(ret, Ok(VcpuExit::Unsupported(41))));
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::Handled));
    sim.queue_eintr(0, true); // exit_reason still 41
    let ret = as_kvm_ioctls(sim.run(0));
    assert_eq!(ret.as_ref().unwrap_err().errno(), 4);
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::NotSea));
    assert_eq!(sim.stats(0).ext_dabt, 1);
}
