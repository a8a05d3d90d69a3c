//! The SIGBUS path from Rust signal handlers, on the simulated KVM
//! (tests/sim): the simulator's KVM_RUN hands its thread's SA_SIGINFO
//! handler BUS_MCEERR_AR for a poisoned page, as the kernel does; the
//! handlers here read the siginfo with `SigbusInfo::from_siginfo` and call
//! `kvmsea::sigbus`, as a VMM's would. Then real asynchronous signals (a
//! real-time signal, which queues and which qemu-user and valgrind leave
//! to the program, unlike SIGBUS) into a vCPU's run loop, other threads,
//! and a context being dropped. The expected values are the C suite's
//! (tests/kvm/test-sigbus.c, tests/reliability/test-signals.c).
//!
//! The handler and the process's registration are process-wide: the tests
//! of this file take `SERIAL` (cargo runs a file's tests in threads of one
//! process; each file is its own process).
#![cfg(kvmsea_sim)]

mod kvmsim;

use kvmsea::cper::{MemError, MemErrorFlags};
use kvmsea::{
    Action, Context, Errno, Error, Memslot, MemslotFlags, Outcome, SigbusInfo, SigbusResult,
    Source, Strategy,
};
use kvmsim::*;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

const RAM_GPA: u64 = 0x4000_0000;
const RAM_HVA: u64 = 0x7f12_0000_0000;
const RAM_SIZE: u64 = 0x1_0000;
const SYNTHETIC: u64 = 0x9200_0410; // DABT_LOW, FnV, FSC 0x10
const AR: i32 = SigbusInfo::BUS_MCEERR_AR;
const AO: i32 = SigbusInfo::BUS_MCEERR_AO;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the SIGBUS handler saw: calls, the last result and siginfo
/// fields, and the errno it found after `kvmsea::sigbus` (it set 4242
/// before).
static CALLS: AtomicUsize = AtomicUsize::new(0);
static LAST: AtomicUsize = AtomicUsize::new(usize::MAX);
static LAST_INFO: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
static ERRNO_AFTER: AtomicUsize = AtomicUsize::new(0);

fn errno() -> *mut c_int {
    // SAFETY: glibc's errno location of this thread.
    unsafe { libc::__errno_location() }
}

/// A VMM's SA_SIGINFO handler (and the test's bookkeeping, atomics only).
extern "C" fn on_sigbus(_sig: c_int, si: *mut libc::siginfo_t, _uc: *mut c_void) {
    // SAFETY: the siginfo the handler was given.
    let info = unsafe { SigbusInfo::from_siginfo(si.cast()) };
    // SAFETY: this thread's errno, saved and restored around the call.
    let saved = unsafe { *errno() };
    // SAFETY: as above.
    unsafe { *errno() = 4242 };
    let r = kvmsea::sigbus(&info);
    // SAFETY: as above.
    ERRNO_AFTER.store(unsafe { *errno() } as usize, Ordering::SeqCst);
    // SAFETY: as above.
    unsafe { *errno() = saved };
    LAST.store(r as usize, Ordering::SeqCst);
    for (slot, v) in LAST_INFO
        .iter()
        .zip([info.code as u64, info.addr, info.addr_lsb.into()])
    {
        slot.store(v, Ordering::SeqCst);
    }
    CALLS.fetch_add(1, Ordering::SeqCst);
}

fn install(sig: c_int, handler: extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void)) {
    // SAFETY: a zeroed sigaction with an SA_SIGINFO handler that only
    // does async-signal-safe work (and the test's own bookkeeping).
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        sa.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut sa.sa_mask);
        assert_eq!(libc::sigaction(sig, &sa, std::ptr::null_mut()), 0);
    }
}

fn last() -> SigbusResult {
    match LAST.load(Ordering::SeqCst) {
        0 => SigbusResult::NotMine,
        1 => SigbusResult::Recorded,
        2 => SigbusResult::Dropped,
        other => panic!("no result ({other})"),
    }
}

fn ram() -> Memslot {
    Memslot {
        slot: 0,
        flags: MemslotFlags::empty(),
        gpa: RAM_GPA,
        size: RAM_SIZE,
        hva: RAM_HVA,
    }
}

/// A context with guest RAM in its map, and the SIGBUS handler.
fn setup(sim: &Sim) -> Context<'_> {
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.set_memslot(&ram()).unwrap();
    install(libc::SIGBUS, on_sigbus);
    CALLS.store(0, Ordering::SeqCst);
    LAST.store(usize::MAX, Ordering::SeqCst);
    ctx
}

#[test]
fn siginfo_fields_are_read_where_the_kernel_puts_them() {
    // SAFETY: a zeroed siginfo_t is valid; the fields are set through
    // libc's own layout (si_addr_lsb has no accessor there: its offset,
    // just after si_addr, is the one kvmsea-sys checks against C).
    let info = unsafe {
        let mut si: libc::siginfo_t = std::mem::zeroed();
        si.si_signo = libc::SIGBUS;
        si.si_code = AR;
        let p = (&mut si as *mut libc::siginfo_t).cast::<u8>();
        p.add(16).cast::<u64>().write_unaligned(RAM_HVA + 0x10);
        p.add(24).cast::<i16>().write_unaligned(21);
        assert_eq!(si.si_addr() as u64, RAM_HVA + 0x10);
        SigbusInfo::from_siginfo((&si as *const libc::siginfo_t).cast())
    };
    assert_eq!(
        info,
        SigbusInfo {
            code: AR,
            addr: RAM_HVA + 0x10,
            addr_lsb: 21
        }
    );
}

#[test]
fn an_ar_during_kvm_run_becomes_an_injected_event() {
    let _serial = serial();
    let sim = Sim::new(HOST_RAS);
    let ctx = setup(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, 0x5);
    sim.set_reg(0, REG_FAR_EL1, 0xfa1);
    sim.queue_poison(0, RAM_HVA + 0x3010, 12);
    let ret = vcpu.kvm_run(|| sim.run(0));
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::Handled));
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(last(), SigbusResult::Recorded);
    assert_eq!(ERRNO_AFTER.load(Ordering::SeqCst), 4242); // left as it was
    let info = LAST_INFO.each_ref().map(|v| v.load(Ordering::SeqCst));
    assert_eq!(info, [AR as u64, RAM_HVA + 0x3010, 12]);

    let ev = vcpu.last_event().unwrap();
    assert_eq!(ev.source(), Source::SigbusAr);
    assert_eq!((ev.vcpu_id(), ev.seq()), (Some(0), 1));
    assert_eq!(ev.syndrome(), SYNTHETIC);
    assert_eq!((ev.gva(), ev.gpa()), (None, None));
    let page = ev.page().unwrap();
    assert_eq!(
        (page.gpa, page.hva, page.size),
        (Some(RAM_GPA + 0x3000), Some(RAM_HVA + 0x3000), 4096)
    );
    let s = ev.sigbus().unwrap();
    assert_eq!((s.code, s.addr, s.addr_lsb), (AR, RAM_HVA + 0x3010, 12));
    assert!(ev.exit().is_none() && ev.memory_fault().is_none());
    assert_eq!(ev.guest().unwrap().pc, PC);
    assert_eq!(ev.distinct_pages(), 1);
    // No FAR to give: auto emulates, FnV kept, the guest's FAR untouched.
    assert_eq!(ev.injected().strategy, Strategy::Emulate);
    assert!(ev.injected().lost.is_empty());
    assert_eq!(sim.reg(0, REG_ESR_EL1), 0x9600_0410);
    assert_eq!(sim.reg(0, REG_FAR_EL1), 0xfa1);
    assert_eq!(sim.reg(0, REG_PC), VBAR + 0x200);

    let p = ctx.poison();
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].gpa, p[0].size, p[0].hva, p[0].source, p[0].count),
        (
            RAM_GPA + 0x3000,
            4096,
            Some(RAM_HVA + 0x3000),
            Source::SigbusAr,
            1
        )
    );
    assert_eq!(ctx.is_poisoned(RAM_GPA + 0x3ff8, 8), Ok(true));
    let st = ctx.stats();
    assert_eq!((st.sigbus_ar, st.injected), (1, 1));
    // Its record for the guest: the page, consumed, no ARM section (a
    // SIGBUS has no syndrome of the hardware's).
    let e = MemError::from_event(ev).unwrap();
    assert_eq!((e.gpa, e.page_size), (RAM_GPA + 0x3000, 4096));
    assert_eq!(e.flags, MemErrorFlags::CONSUMED);
    assert!(ctx.next_error().is_none());
}

#[test]
fn outside_kvm_run_a_vcpu_thread_is_the_vmm_s() {
    let _serial = serial();
    let sim = Sim::new(HOST_RAS);
    let ctx = setup(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    // No registration at all: not ours to record.
    send_sigbus(AR, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::NotMine);
    assert_eq!(ctx.stats().sigbus_not_mine, 0); // the library was not asked

    // The VMM's own access on the vCPU thread, between two runs: the VM's
    // (through the process's context), never injected, even when the
    // next KVM_RUN returns -EINTR without entering the guest.
    ctx.sigbus_register().unwrap();
    send_sigbus(AR, RAM_HVA + 0x1234, 12);
    assert_eq!(last(), SigbusResult::Recorded);
    sim.queue_eintr(0, true); // immediate_exit, as it were
    let ret = vcpu.kvm_run(|| sim.run(0));
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::NotSea));
    assert!(vcpu.last_event().is_none());
    let ev = ctx.next_error().unwrap();
    assert_eq!((ev.source(), ev.vcpu_id()), (Source::SigbusAr, None));
    assert_eq!(ev.page().unwrap().gpa, Some(RAM_GPA + 0x1000));
    assert!(ev.guest().is_none());
    assert_eq!(ev.injected().strategy, Strategy::None);
    ctx.sigbus_unregister();

    // An AR during a run that returned 0 (the VMM's own access inside
    // kvm_run's closure): the library hands it to the VM.
    let ret = vcpu.kvm_run(|| {
        send_sigbus(AR, RAM_HVA + 0x5000, 12);
        sim.queue_mmio(0, 0x0900_0000);
        sim.run(0)
    });
    assert_eq!(last(), SigbusResult::Recorded);
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::NotSea));
    let ev = ctx.next_error().unwrap();
    assert_eq!(
        (ev.vcpu_id(), ev.page().unwrap().gpa),
        (None, Some(RAM_GPA + 0x5000))
    );

    // After a run, and after one that unwound, the thread is no vCPU's.
    send_sigbus(AR, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::NotMine);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        vcpu.kvm_run(|| panic!("a run loop's bug"))
    }));
    assert!(unwound.is_err());
    send_sigbus(AR, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::NotMine);
    assert!(ctx.next_error().is_none());
}

/// Two vCPUs run by one thread, one after the other: each run's AR is its
/// own vCPU's; a run inside another's closure wins while it lasts.
#[test]
fn each_run_s_ar_is_its_own_vcpu_s() {
    let _serial = serial();
    let mut sim = Sim::new(HOST_RAS);
    sim.add_vcpu(0);
    let ctx = setup(&sim);
    let (mut a, mut b) = (sim.vcpu(&ctx, 0), sim.vcpu(&ctx, 1));
    sim.guest_at(0, 0x5);
    sim.guest_at(1, 0x5);
    sim.queue_poison(1, RAM_HVA + 0x2000, 12);
    sim.queue_poison(0, RAM_HVA + 0x4000, 12);
    let ret_a = a.kvm_run(|| {
        let ret_b = b.kvm_run(|| sim.run(1));
        assert_eq!(b.handle_exit(&ret_b), Ok(Outcome::Handled));
        sim.run(0)
    });
    assert_eq!(a.handle_exit(&ret_a), Ok(Outcome::Handled));
    let (ea, eb) = (a.last_event().unwrap(), b.last_event().unwrap());
    assert_eq!(
        (ea.vcpu_id(), ea.page().unwrap().gpa),
        (Some(0), Some(RAM_GPA + 0x4000))
    );
    assert_eq!(
        (eb.vcpu_id(), eb.page().unwrap().gpa),
        (Some(1), Some(RAM_GPA + 0x2000))
    );
    assert_eq!(ctx.stats().sigbus_ar, 2);
}

#[test]
fn the_process_context_serves_other_threads() {
    let _serial = serial();
    let sim = Sim::new(HOST_RAS);
    let ctx = setup(&sim);
    let other = Context::new(sim.vm_fd()).unwrap();
    ctx.sigbus_register().unwrap();
    ctx.sigbus_register().unwrap(); // again: a no-op
    assert_eq!(other.sigbus_register(), Err(Error::Os(Errno::EBUSY)));
    other.sigbus_unregister(); // not the registered one: nothing changes

    // An early-kill thread's AO, then a device thread's read (AR).
    std::thread::spawn(|| {
        send_sigbus(AO, RAM_HVA + 0x2000, 12);
        send_sigbus(AR, RAM_HVA + 0x7008, 12);
    })
    .join()
    .unwrap();
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
    let ao = ctx.next_error().unwrap();
    assert_eq!((ao.source(), ao.vcpu_id()), (Source::SigbusAo, None));
    assert_eq!(
        MemError::from_event(&ao).unwrap().flags,
        MemErrorFlags::empty()
    ); // latent
    assert_eq!(ao.page().unwrap().gpa, Some(RAM_GPA + 0x2000));
    assert_eq!(ao.distinct_pages(), 1);
    let ar = ctx.next_error().unwrap();
    assert_eq!(ar.source(), Source::SigbusAr);
    assert_eq!(ar.page().unwrap().gpa, Some(RAM_GPA + 0x7000));
    assert_eq!((ar.seq(), ar.distinct_pages()), (ao.seq() + 1, 2));
    assert!(ctx.next_error().is_none());
    let st = ctx.stats();
    assert_eq!((st.sigbus_ao, st.sigbus_ar), (1, 1));

    // Not guest memory errors, or not in guest memory: the VMM's.
    for (code, addr) in [
        (libc::BUS_ADRERR, RAM_HVA),
        (libc::BUS_OBJERR, RAM_HVA),
        (AR, RAM_HVA - 1),
        (AO, RAM_HVA + RAM_SIZE),
    ] {
        send_sigbus(code, addr, 12);
        assert_eq!(last(), SigbusResult::NotMine, "{code} {addr:#x}");
    }
    assert_eq!(ctx.stats().sigbus_not_mine, 4);

    // The VM's storage holds 256; the next is dropped and counted.
    for _ in 0..256 {
        send_sigbus(AO, RAM_HVA, 12);
        assert_eq!(last(), SigbusResult::Recorded);
    }
    send_sigbus(AO, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::Dropped);
    assert_eq!(ctx.stats().sigbus_dropped, 1);

    // Dropping the registered context ends its registration.
    drop(ctx);
    send_sigbus(AO, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::NotMine);
    other.sigbus_register().unwrap();
    other.set_memslot(&ram()).unwrap();
    send_sigbus(AO, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::Recorded);
    other.sigbus_unregister();
    send_sigbus(AO, RAM_HVA, 12);
    assert_eq!(last(), SigbusResult::NotMine);
    assert_eq!(other.stats().sigbus_ao, 1);
}

#[test]
fn storm_limit_and_livelock_hold_for_sigbus_events() {
    let _serial = serial();
    let sim = Sim::new(HOST_RAS);
    let mut ctx = setup(&sim);
    ctx.set_livelock_limit(3);
    ctx.set_handler(|_, _| Ok(Action::Retry));
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, 0x5);
    for i in 1..=3 {
        sim.queue_poison(0, RAM_HVA + 0x2000, 12);
        let ret = vcpu.kvm_run(|| sim.run(0));
        assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::Handled));
        assert_eq!(vcpu.last_event().unwrap().repeats(), i);
    }
    assert!(vcpu.last_event().unwrap().livelock());
    drop(vcpu);
    ctx.clear_handler();
    let mut vcpu = sim.vcpu(&ctx, 0);
    ctx.set_storm_limit(2, std::time::Duration::from_secs(3600))
        .unwrap();
    for (i, outcome) in [(0, Outcome::Handled), (1, Outcome::Stop)] {
        sim.guest_at(0, 0x5);
        sim.queue_poison(0, RAM_HVA + 0x1000 * (i + 4), 12);
        let ret = vcpu.kvm_run(|| sim.run(0));
        assert_eq!(vcpu.handle_exit(&ret), Ok(outcome));
        assert_eq!(vcpu.last_event().unwrap().storm(), i == 1);
    }
    assert_eq!(ctx.stats().stops, 1);
}

#[test]
fn a_poisoned_guest_memfd_page_is_a_memory_fault_event() {
    let _serial = serial();
    let sim = Sim::new(HOST_RAS);
    let ctx = setup(&sim);
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, 0x5);
    sim.queue_memory_fault(0, RAM_GPA + 0x8000, 4096, 0);
    let ret = sim.run(0);
    assert_eq!(
        ret.as_ref().unwrap_err().raw_os_error(),
        Some(Errno::EHWPOISON.get())
    );
    assert_eq!(vcpu.handle_exit(&ret), Ok(Outcome::Handled));
    let ev = vcpu.last_event().unwrap();
    assert_eq!(ev.source(), Source::MemoryFault);
    let mf = ev.memory_fault().unwrap();
    assert_eq!((mf.flags, mf.gpa, mf.size), (0, RAM_GPA + 0x8000, 4096));
    assert!(ev.sigbus().is_none());
    assert_eq!(ev.page().unwrap().gpa, Some(RAM_GPA + 0x8000));
    assert_eq!(ev.syndrome(), SYNTHETIC);
    assert_eq!(ev.injected().strategy, Strategy::Emulate);
    assert_eq!(ctx.is_poisoned(RAM_GPA + 0x8000, 1), Ok(true));
    assert_eq!(ctx.stats().memory_faults, 1);
    // -1 instead of -errno (a KVM_RUN result without its errno): not ours.
    sim.guest_at(0, 0x5);
    sim.queue_memory_fault(0, RAM_GPA + 0x9000, 4096, 0);
    assert!(sim.run(0).is_err());
    assert_eq!(vcpu.handle_exit_raw(-1), Ok(Outcome::NotSea));
    assert_eq!(vcpu.last_event().unwrap().seq(), 1);
}

// ---- real asynchronous signals ---------------------------------------------

/// What the real-time signal's handler was told, by result.
static RT: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
static RT_SEQ: AtomicU64 = AtomicU64::new(0);

/// Stands in for the kernel's SIGBUS: an AR in guest memory, one page
/// after another (the fields are given, as a VMM's handler would read
/// them from the siginfo).
extern "C" fn on_rt(_sig: c_int, _si: *mut libc::siginfo_t, _uc: *mut c_void) {
    let k = RT_SEQ.fetch_add(1, Ordering::Relaxed);
    let info = SigbusInfo {
        code: AR,
        addr: RAM_HVA + (k % 16) * 0x1000,
        addr_lsb: 12,
    };
    RT[kvmsea::sigbus(&info) as usize].fetch_add(1, Ordering::SeqCst);
}

/// The calling thread, for pthread_kill.
fn me() -> libc::pthread_t {
    // SAFETY: always succeeds.
    unsafe { libc::pthread_self() }
}

fn rt_counts() -> [u64; 3] {
    RT.each_ref().map(|c| c.load(Ordering::SeqCst))
}

/// Sends `n` real-time signals to each thread, then waits until all were
/// handled (they queue: none is lost).
fn blast(threads: &[libc::pthread_t], n: u64) {
    let before: u64 = rt_counts().iter().sum();
    for _ in 0..n {
        for &t in threads {
            // SAFETY: a live thread of this process (the caller keeps it
            // alive), and a handler installed for the signal.
            while unsafe { libc::pthread_kill(t, libc::SIGRTMIN()) } == libc::EAGAIN {
                std::thread::yield_now(); // the queue is full: let them drain
            }
        }
    }
    let want = before + n * threads.len() as u64;
    while rt_counts().iter().sum::<u64>() < want {
        std::thread::yield_now();
    }
}

/// A vCPU thread in its run loop (the simulator's idle KVM_RUN returns
/// -EINTR, as a signal makes it; the guest "runs" for a while in each), and
/// a device thread, are interrupted again and again; every record reaches
/// the VMM once: those taken during a run as the vCPU's events, the others
/// through next_error, and each drop is counted.
#[test]
fn real_signals_into_a_vcpu_run_loop_and_a_device_thread() {
    let _serial = serial();
    const N: u64 = 2000;
    let sim = Sim::new(HOST_RAS);
    let events = AtomicU64::new(0);
    let mut ctx = setup(&sim);
    install(libc::SIGRTMIN(), on_rt);
    ctx.set_livelock_limit(0);
    ctx.set_handler(|_, ev| {
        assert_eq!(ev.source(), Source::SigbusAr);
        events.fetch_add(1, Ordering::Relaxed);
        Ok(Action::Handled)
    });
    ctx.sigbus_register().unwrap();
    let before = rt_counts();
    let stop = AtomicBool::new(false);
    let (ctx, sim, stop) = (&ctx, &sim, &stop);
    let vm_records = std::thread::scope(|s| {
        let mut vcpu = sim.vcpu(ctx, 0);
        let (tx, threads) = std::sync::mpsc::channel();
        let tx2 = tx.clone();
        let vcpu_thread = s.spawn(move || {
            tx.send(me()).unwrap();
            sim.guest_at(0, 0x5);
            // Until stopped, and then until a run finds no record.
            loop {
                let done = stop.load(Ordering::SeqCst);
                let ret = vcpu.kvm_run(|| {
                    let t = std::time::Instant::now();
                    while t.elapsed() < std::time::Duration::from_micros(50) {
                        std::hint::spin_loop(); // the guest runs
                    }
                    sim.run(0)
                });
                if vcpu.handle_exit(&ret).unwrap() == Outcome::NotSea && done {
                    break;
                }
            }
        });
        let device = s.spawn(move || {
            tx2.send(me()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
        });
        // The VMM drains the VM's records while the signals fly.
        let drainer = s.spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += std::iter::from_fn(|| ctx.next_error()).count() as u64;
            }
            n + std::iter::from_fn(|| ctx.next_error()).count() as u64
        });
        let threads: Vec<_> = threads.iter().take(2).collect();
        blast(&threads, N);
        stop.store(true, Ordering::SeqCst);
        vcpu_thread.join().unwrap();
        device.join().unwrap();
        drainer.join().unwrap()
    });
    let after = rt_counts();
    let [not_mine, recorded, dropped] = [0, 1, 2].map(|i| after[i] - before[i]);
    assert_eq!(not_mine + recorded + dropped, 2 * N);
    assert_eq!(not_mine, 0);
    let st = ctx.stats();
    assert_eq!(st.sigbus_ar, recorded);
    assert_eq!(st.sigbus_dropped, dropped);
    assert_eq!(events.load(Ordering::Relaxed) + vm_records, recorded);
    assert!(events.load(Ordering::Relaxed) > 0 && vm_records > 0);
}

/// Contexts made, registered and dropped while a thread is interrupted
/// again and again: a handler either records into the registered context
/// or finds none, and once a context is unregistered nothing reaches it
/// (its counters, read then, are final: they equal what the handlers were
/// told). A use after free would show here as a crash or a count off.
#[test]
fn real_signals_while_contexts_come_and_go() {
    let _serial = serial();
    const ROUNDS: usize = 50;
    let sim = Sim::new(HOST_RAS);
    install(libc::SIGRTMIN(), on_rt);
    let stop = &AtomicBool::new(false);
    let before = rt_counts();
    let mut in_contexts = 0;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        let target = s.spawn(move || {
            tx.send(me()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
        });
        let t = rx.recv().unwrap();
        let sender = s.spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                blast(&[t], 20);
            }
        });
        for _ in 0..ROUNDS {
            let ctx = Context::new(sim.vm_fd()).unwrap();
            ctx.set_memslot(&ram()).unwrap();
            ctx.sigbus_register().unwrap();
            // Until the handlers drained a few into it.
            while ctx.next_error().is_none() {
                std::thread::yield_now();
            }
            ctx.sigbus_unregister();
            let st = ctx.stats();
            in_contexts += st.sigbus_ar + st.sigbus_dropped;
            drop(ctx);
        }
        stop.store(true, Ordering::SeqCst);
        sender.join().unwrap();
        target.join().unwrap();
    });
    let after = rt_counts();
    let [_, recorded, dropped] = [0, 1, 2].map(|i| after[i] - before[i]);
    assert_eq!(recorded + dropped, in_contexts);
    assert!(in_contexts >= ROUNDS as u64);
}
