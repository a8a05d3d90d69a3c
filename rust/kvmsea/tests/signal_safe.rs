//! `kvmsea::sigbus` is async-signal-safe, as its documentation says
//! (src/sigbus.rs: it allocates nothing, takes no lock and cannot panic),
//! checked rather than argued, as the C library's `memory / signal-safe`
//! test checks its own signal path:
//!
//! - at run time: this program's global allocator counts every
//!   allocation made on a thread while it is inside the signal path, and
//!   the entry point is called for every outcome, directly and from a real
//!   SIGBUS handler: none may allocate;
//! - in the machine code: the release build's entry point and every
//!   function it calls, followed through the disassembly (objdump), reach
//!   no panic, no allocator, no lock, and outside the program only
//!   functions POSIX calls async-signal-safe (tests/memory/signal-safe.txt,
//!   the C check's list). A debug build keeps core's panicking branches
//!   (the atomics' orderings are not constants there), so that test runs
//!   in rust/check.sh's `cargo test --release` only, and on x86_64 (the
//!   parsing is x86_64's). It knows functions by their names, so a lock
//!   written by hand (a spin on an atomic) would pass it.
#![cfg(kvmsea_sim)]

mod kvmsim;

use kvmsea::{Context, Memslot, MemslotFlags, SigbusInfo, SigbusResult};
use kvmsim::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};

const RAM_GPA: u64 = 0x4000_0000;
const RAM_HVA: u64 = 0x7f12_0000_0000;
const RAM_SIZE: u64 = 0x1_0000;
const AR: i32 = SigbusInfo::BUS_MCEERR_AR;
const AO: i32 = SigbusInfo::BUS_MCEERR_AO;

// ---- the allocator ----------------------------------------------------------

/// System's allocator, counting what threads inside the signal path ask.
struct Counting;

thread_local! {
    /// This thread is inside the signal path (`watched`). A `const`
    /// `Cell`: no lazy initialisation, so the allocator may read it.
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}
/// Allocator calls made while `WATCHED`, by any thread.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
/// Calls of `watched`, so that zero allocations means something.
static WATCHED_CALLS: AtomicUsize = AtomicUsize::new(0);

fn count() {
    if WATCHED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: System's allocator, unchanged; count() allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's promises, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` as the signal path, its allocations counted.
fn watched<R>(f: impl FnOnce() -> R) -> R {
    WATCHED_CALLS.fetch_add(1, Ordering::SeqCst);
    let was = WATCHED.replace(true);
    let r = f();
    WATCHED.set(was);
    r
}

// ---- every outcome, directly and from a real SIGBUS -------------------------

/// The results the SIGBUS handler got, by `SigbusResult as usize`.
static HANDLED: [AtomicUsize; 3] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];

/// A VMM's SA_SIGINFO handler: the siginfo read and handed to the entry
/// point, all of it watched.
extern "C" fn on_sigbus(_sig: c_int, si: *mut libc::siginfo_t, _uc: *mut c_void) {
    let r = watched(|| {
        // SAFETY: the siginfo this handler was given.
        let info = unsafe { SigbusInfo::from_siginfo(si.cast()) };
        kvmsea::sigbus(&info)
    });
    HANDLED[r as usize].fetch_add(1, Ordering::SeqCst);
}

fn handled() -> [usize; 3] {
    HANDLED.each_ref().map(|c| c.load(Ordering::SeqCst))
}

/// A real SIGBUS to this thread with the fields memory_failure() gives:
/// rt_tgsigqueueinfo(), which the kernel lets a thread send itself with a
/// kernel's si_code; its handler has run when the call returns. Then the
/// same fields handed to the entry point directly. Both must give `want`.
fn both_ways(code: c_int, addr: u64, want: SigbusResult) {
    let before = handled();
    // SAFETY: a zeroed siginfo_t is valid; the fields are written at the
    // offsets kvmsea-sys checks against <signal.h>. rt_tgsigqueueinfo
    // reads it; this process's own thread is the target.
    let ret = unsafe {
        let mut si: libc::siginfo_t = std::mem::zeroed();
        si.si_signo = libc::SIGBUS;
        si.si_code = code;
        let p = (&mut si as *mut libc::siginfo_t).cast::<u8>();
        p.add(kvmsea_sys::siginfo::ADDR_OFFSET)
            .cast::<u64>()
            .write_unaligned(addr);
        p.add(kvmsea_sys::siginfo::ADDR_LSB_OFFSET)
            .cast::<i16>()
            .write_unaligned(12);
        libc::syscall(
            libc::SYS_rt_tgsigqueueinfo,
            libc::getpid(),
            libc::gettid(),
            libc::SIGBUS,
            &si as *const libc::siginfo_t,
        )
    };
    assert_eq!(
        ret,
        0,
        "rt_tgsigqueueinfo: {}",
        std::io::Error::last_os_error()
    );
    let mut want_handled = before;
    want_handled[want as usize] += 1;
    assert_eq!(handled(), want_handled, "signal {code} {addr:#x}");

    let info = SigbusInfo {
        code,
        addr,
        addr_lsb: 12,
    };
    assert_eq!(
        watched(|| kvmsea::sigbus(&info)),
        want,
        "call {code} {addr:#x}"
    );
}

fn install_handler() {
    // SAFETY: a zeroed sigaction with an SA_SIGINFO handler that calls
    // only the entry point and atomics.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigbus as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut sa.sa_mask);
        assert_eq!(libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut()), 0);
    }
}

/// NotMine without a registration, on a thread that never touched the
/// signal path's thread-local before (its first access must not allocate
/// either) and on this one.
fn no_context_registered() {
    std::thread::spawn(|| both_ways(AR, RAM_HVA, SigbusResult::NotMine))
        .join()
        .unwrap();
    both_ways(AO, RAM_HVA, SigbusResult::NotMine);
}

#[test]
fn the_entry_point_allocates_nothing_for_any_outcome() {
    install_handler();
    let sim = Sim::new(HOST_RAS);
    let ctx = Context::new(sim.vm_fd()).unwrap();
    ctx.set_memslot(&Memslot {
        slot: 0,
        flags: MemslotFlags::empty(),
        gpa: RAM_GPA,
        size: RAM_SIZE,
        hva: RAM_HVA,
    })
    .unwrap();
    let mut vcpu = sim.vcpu(&ctx, 0);
    sim.guest_at(0, 0x5);
    // The counter sees an allocation (and its free) in the signal path.
    drop(std::hint::black_box(vec![1u8])); // not watched
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 0);
    watched(|| drop(std::hint::black_box(vec![1u8])));
    assert_eq!(ALLOCATIONS.swap(0, Ordering::SeqCst), 2);
    let calls = WATCHED_CALLS.load(Ordering::SeqCst);

    no_context_registered();

    // During KVM_RUN: the vCPU's (4 ARs a run, the rest dropped); an AO,
    // another code, an address outside guest memory.
    let ret = vcpu.kvm_run(|| {
        for i in 0..2 {
            both_ways(AR, RAM_HVA + i * 0x1000, SigbusResult::Recorded);
        }
        both_ways(AR, RAM_HVA, SigbusResult::Dropped);
        both_ways(AO, RAM_HVA, SigbusResult::Recorded);
        both_ways(libc::BUS_ADRERR, RAM_HVA, SigbusResult::NotMine);
        both_ways(AR, RAM_HVA + RAM_SIZE, SigbusResult::NotMine);
        sim.queue_eintr(0, false);
        sim.run(0)
    });
    vcpu.handle_exit(&ret).unwrap();
    let st = ctx.stats();
    assert_eq!((st.sigbus_ar, st.sigbus_ao), (4, 2));
    assert_eq!((st.sigbus_dropped, st.sigbus_not_mine), (2, 4));
    while ctx.next_error().is_some() {}

    // Outside KVM_RUN, the process's context: the VM's, until its 256
    // records are full; other codes and addresses are not ours.
    ctx.sigbus_register().unwrap();
    both_ways(libc::BUS_OBJERR, RAM_HVA, SigbusResult::NotMine);
    both_ways(AO, RAM_HVA - 1, SigbusResult::NotMine);
    for i in 0..128 {
        both_ways(AR, RAM_HVA + (i % 16) * 0x1000, SigbusResult::Recorded);
    }
    both_ways(AO, RAM_HVA, SigbusResult::Dropped);
    ctx.sigbus_unregister();

    no_context_registered();
    // Every outcome seen, none allocated.
    assert_eq!(handled().map(|n| n > 0), [true; 3]);
    let runs = WATCHED_CALLS.load(Ordering::SeqCst) - calls;
    assert_eq!(runs, 2 * (2 + 6 + 131 + 2));
    assert_eq!(ALLOCATIONS.load(Ordering::SeqCst), 0, "in {runs} runs");
}

// ---- the machine code ------------------------------------------------------

/// This program's disassembly (objdump -d), by function.
struct Code {
    /// Start address: the function's (or PLT entry's) name, the address
    /// of its last instruction, its instructions.
    functions: BTreeMap<u64, (String, u64, Vec<String>)>,
    /// The GOT's slots: the address a slot holds (R_X86_64_RELATIVE, a
    /// function of this program) or the outside symbol it is bound to.
    got: HashMap<u64, Result<u64, String>>,
}

fn objdump(args: &[&str]) -> String {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("objdump")
        .args(args)
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("objdump (binutils): {e}"));
    assert!(out.status.success(), "objdump {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

fn hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}

impl Code {
    fn of_this_program() -> Code {
        let mut functions = BTreeMap::new();
        let mut current: Option<(u64, String, u64, Vec<String>)> = None;
        for line in objdump(&["-d", "-w", "--no-show-raw-insn"]).lines() {
            // "000000000007b290 <name>:" starts a function; "  7b290:\tinsn"
            // is one of its instructions.
            if let Some((addr, name)) = line
                .strip_suffix(">:")
                .and_then(|l| l.split_once(" <"))
                .and_then(|(a, n)| Some((hex(a)?, n)))
            {
                if let Some((start, name, last, insns)) = current.take() {
                    functions.insert(start, (name, last, insns));
                }
                current = Some((addr, name.to_string(), addr, Vec::new()));
            } else if let Some((addr, insn)) = line
                .split_once(":\t")
                .and_then(|(a, i)| Some((hex(a.trim())?, i)))
            {
                if let Some((_, _, last, insns)) = current.as_mut() {
                    *last = addr;
                    insns.push(insn.to_string());
                }
            } else if line.starts_with("Disassembly of section") {
                if let Some((start, name, last, insns)) = current.take() {
                    functions.insert(start, (name, last, insns));
                }
            }
        }
        if let Some((start, name, last, insns)) = current.take() {
            functions.insert(start, (name, last, insns));
        }
        // "00000000000ea750 R_X86_64_RELATIVE  *ABS*+0x000000000007b350",
        // "00000000000e9eb8 R_X86_64_GLOB_DAT  malloc@GLIBC_2.2.5".
        let mut got = HashMap::new();
        for line in objdump(&["-R", "-w"]).lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            let (Some(slot), Some(kind), Some(value)) = (w.first(), w.get(1), w.get(2)) else {
                continue;
            };
            let Some(slot) = hex(slot) else { continue };
            match *kind {
                "R_X86_64_RELATIVE" => {
                    if let Some(addr) = value.strip_prefix("*ABS*+").and_then(hex) {
                        got.insert(slot, Ok(addr));
                    }
                }
                "R_X86_64_GLOB_DAT" | "R_X86_64_JUMP_SLOT" => {
                    let name = value.split('@').next().unwrap_or(value);
                    got.insert(slot, Err(name.to_string()));
                }
                _ => {}
            }
        }
        Code { functions, got }
    }

    /// The start of the only function whose symbol is Rust's for `path`
    /// (legacy mangling `_ZN<len><ident>...17h<hash>E`, or v0 `_R...`).
    fn find(&self, path: &[&str]) -> u64 {
        let idents: String = path.iter().map(|i| format!("{}{i}", i.len())).collect();
        let found: Vec<u64> = self
            .functions
            .iter()
            .filter(|(_, (name, _, _))| {
                name.strip_prefix("_ZN")
                    .and_then(|n| n.strip_prefix(idents.as_str()))
                    .is_some_and(|rest| rest.starts_with("17h") && rest.len() == 20)
                    || (name.starts_with("_R") && name.ends_with(idents.as_str()))
            })
            .map(|(&addr, _)| addr)
            .collect();
        assert_eq!(found.len(), 1, "{path:?}: {found:x?}");
        found[0]
    }

    /// The function holding `addr`.
    fn holding(&self, addr: u64) -> Option<u64> {
        let (&start, (_, last, _)) = self.functions.range(..=addr).next_back()?;
        (addr <= *last).then_some(start)
    }
}

/// Where a branch instruction goes.
enum Branch {
    To(u64),
    /// Indirect: through this GOT slot, when objdump computed one.
    Through(Option<u64>),
}

/// `insn`'s branch, if it is a call or a jump.
fn branch(insn: &str) -> Option<Branch> {
    let mut words = insn
        .split_whitespace()
        .skip_while(|w| matches!(*w, "bnd" | "notrack" | "ds" | "cs"));
    let op = words.next()?;
    if !(op.starts_with("call") || op.starts_with('j')) {
        return None;
    }
    let arg = words.next()?;
    if arg.starts_with('*') {
        // "call *0x6f486(%rip)  # ea750 <_DYNAMIC+0xae8>": the slot.
        let slot = insn
            .split_once('#')
            .and_then(|(_, c)| hex(c.split_whitespace().next()?));
        return Some(Branch::Through(slot));
    }
    hex(arg).map(Branch::To)
}

/// Words in a symbol that say it panics, aborts, allocates or locks:
/// core's and std's panicking functions (`panic_fmt`,
/// `panic_bounds_check`, `unwrap_failed`, `slice_index_fail`...), the
/// allocator (`__rust_alloc`, `handle_alloc_error`, malloc), std's locks
/// (`sys::sync::mutex::futex::Mutex::lock_contended`...) and pthread's.
const FORBIDDEN: [&str; 9] = [
    "panic", "_fail", "abort", "unwind", "alloc", "mutex", "futex", "rwlock", "condvar",
];

/// The word of FORBIDDEN in `name`, if any.
fn forbidden(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    FORBIDDEN.into_iter().find(|w| lower.contains(w))
}

/// Follows every call and jump from the function at `entry` through this
/// program's code: the functions reached, and what is wrong with them.
/// Outside the program only POSIX's async-signal-safe functions
/// (tests/memory/signal-safe.txt) may be called; an indirect branch that
/// is not through a GOT slot cannot be followed, so it is refused too.
fn call_graph(code: &Code, entry: u64) -> (BTreeSet<String>, Vec<String>) {
    let list = include_str!("../../../tests/memory/signal-safe.txt");
    let posix: HashSet<&str> = list
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let (mut reached, mut problems) = (BTreeSet::new(), Vec::new());
    let mut outside = |name: &str, from: &str, problems: &mut Vec<String>| {
        if forbidden(name).is_some() || !posix.contains(name) {
            problems.push(format!("{from} calls {name}, not async-signal-safe"));
        }
        reached.insert(name.to_string());
    };
    let mut todo = vec![entry];
    let mut seen = HashSet::new();
    let mut inside = BTreeSet::new();
    while let Some(start) = todo.pop() {
        if !seen.insert(start) {
            continue;
        }
        let (name, last, insns) = &code.functions[&start];
        if let Some(plt) = name.strip_suffix("@plt") {
            outside(plt, "a PLT entry", &mut problems);
            continue;
        }
        inside.insert(name.clone());
        if let Some(word) = forbidden(name) {
            problems.push(format!("{name}: `{word}`, it panics, allocates or locks"));
            continue;
        }
        for insn in insns {
            let target = match branch(insn) {
                None => continue,
                Some(Branch::To(addr)) => addr,
                Some(Branch::Through(slot)) => match slot.and_then(|s| code.got.get(&s)) {
                    Some(Ok(addr)) => *addr,
                    Some(Err(symbol)) => {
                        outside(symbol, name, &mut problems);
                        continue;
                    }
                    None => {
                        problems.push(format!("{name}: `{insn}` cannot be followed"));
                        continue;
                    }
                },
            };
            if (start..=*last).contains(&target) {
                continue; // a jump inside the function
            }
            match code.holding(target) {
                Some(callee) => todo.push(callee),
                None => problems.push(format!("{name}: `{insn}` goes to no function")),
            }
        }
    }
    reached.extend(inside);
    (reached, problems)
}

#[test]
#[cfg_attr(
    any(debug_assertions, not(target_arch = "x86_64")),
    ignore = "the release build's x86_64 code: rust/check.sh runs it with --release"
)]
fn the_entry_point_code_reaches_no_panic_allocation_or_lock() {
    let code = Code::of_this_program();
    let (reached, problems) = call_graph(&code, code.find(&["kvmsea", "sigbus", "sigbus"]));
    println!("kvmsea::sigbus reaches {reached:?}");
    assert_eq!(problems, Vec::<String>::new());
    // The Rust code's call of the C library, through a GOT slot, was
    // followed: the graph is not just the Rust function.
    assert!(reached.contains("kvmsea_sigbus") && reached.contains("clock_gettime"));
}

/// What the check must refuse: an allocation, std's lock, pthread's lock
/// and panics (an unwrap, an index). Their own names have no word of
/// FORBIDDEN: what they call must be found.
#[inline(never)]
fn makes_a_vec(n: usize) -> Vec<u8> {
    vec![7; n]
}

#[inline(never)]
fn locks_std(m: &std::sync::Mutex<u32>) -> u32 {
    *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[inline(never)]
fn locks_pthread(m: *mut libc::pthread_mutex_t) -> c_int {
    // SAFETY: a valid, initialised mutex (the caller's).
    unsafe { libc::pthread_mutex_lock(m) }
}

#[inline(never)]
fn unwraps(x: Option<u32>) -> u32 {
    x.unwrap()
}

#[inline(never)]
fn indexes(s: &[u8], i: usize) -> u8 {
    s[i]
}

#[test]
#[cfg_attr(
    any(debug_assertions, not(target_arch = "x86_64")),
    ignore = "the release build's x86_64 code: rust/check.sh runs it with --release"
)]
fn the_code_check_refuses_allocation_locks_and_panics() {
    use std::hint::black_box;
    // Called through opaque pointers, so that each is in the program as
    // itself (not one of them fails).
    let makes_a_vec = black_box(makes_a_vec as fn(usize) -> Vec<u8>);
    assert_eq!(makes_a_vec(1), [7]);
    let locks_std = black_box(locks_std as fn(&std::sync::Mutex<u32>) -> u32);
    assert_eq!(locks_std(&std::sync::Mutex::new(3)), 3);
    let locks_pthread = black_box(locks_pthread as fn(*mut libc::pthread_mutex_t) -> c_int);
    let mut m = libc::PTHREAD_MUTEX_INITIALIZER;
    assert_eq!(locks_pthread(&mut m), 0);
    assert_eq!(black_box(unwraps as fn(Option<u32>) -> u32)(Some(4)), 4);
    assert_eq!(black_box(indexes as fn(&[u8], usize) -> u8)(&[5], 0), 5);

    let code = Code::of_this_program();
    for (f, word) in [
        ("makes_a_vec", "alloc"),
        ("locks_std", "mutex"),
        ("locks_pthread", "pthread_mutex_lock"),
        ("unwraps", "_fail"),
        ("indexes", "panic"),
    ] {
        assert_eq!(forbidden(f), None);
        let (_, problems) = call_graph(&code, code.find(&["signal_safe", f]));
        let lower = problems.join("\n").to_lowercase();
        assert!(lower.contains(word), "{f}: {problems:?}");
    }
}
