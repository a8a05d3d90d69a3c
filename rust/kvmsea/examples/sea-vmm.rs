//! A minimal arm64 VMM on kvm-ioctls whose guest loads from a bad page,
//! with kvmsea handling the memory error: the worked example of the
//! `kvm-ioctls` feature, for both ways an error reaches a VMM.
//!
//! ```text
//! sea-vmm [--devmem PHYS | --poison] [--strategy auto|vcpu-events|emulate]
//! ```
//!
//! The guest (64 KiB of RAM at 0x40000000, EL1 with the MMU off) loads
//! from the address the VMM put in x1. Its vector table reports ESR_EL1,
//! FAR_EL1 and ELR_EL1 with MMIO stores; the VMM checks them.
//!
//! - `--devmem PHYS`: the bad page, at guest 0x50000000, is host physical
//!   memory at PHYS (`/dev/mem`; in the emulated arm64 host of tests/e2e,
//!   0x0b000000 is a hole in the machine's map, so the guest's load is a
//!   real synchronous external abort). KVM stops with `KVM_EXIT_ARM_SEA`,
//!   kvmsea makes an event and the handler injects it.
//! - `--poison`: the bad page is guest RAM at 0x40003000, which the VMM
//!   poisons with `madvise(MADV_HWPOISON)` (root, a kernel with
//!   CONFIG_MEMORY_FAILURE). The madvise gives the VMM's thread a SIGBUS
//!   `BUS_MCEERR_AR`, recorded for the VM; the guest's load then makes KVM
//!   send the vCPU thread one, and `KVM_RUN` returns `EINTR`. The signal
//!   handler hands both to `kvmsea::sigbus`; the vCPU's becomes an event
//!   that the handler injects, the VMM's comes from `next_error`.
//! - Neither: the page is unmapped, the load is an MMIO read, which the
//!   VMM's "device" fails by injecting an external abort for it, the path
//!   of a device model with a broken backend (any arm64 KVM host).
//!
//! For each error it also builds the CPER record a guest's GHES driver
//! would read, and checks it. It prints what happened and exits 0 when
//! the guest got its abort with the right ESR, FAR and ELR. Needs an arm64
//! host with /dev/kvm.

#[cfg(target_arch = "aarch64")]
fn main() {
    match vmm::main() {
        Ok(()) => println!("sea-vmm: OK"),
        Err(e) => {
            println!("sea-vmm: FAIL: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(not(target_arch = "aarch64"))]
fn main() {
    eprintln!("sea-vmm: an arm64 VMM: run it on an arm64 host with /dev/kvm");
    std::process::exit(77);
}

#[cfg(target_arch = "aarch64")]
mod vmm {
    use kvm_bindings::{kvm_userspace_memory_region, kvm_vcpu_init};
    use kvm_ioctls::{Kvm, VcpuExit, VcpuFd};
    use kvmsea::cper::{self, MemError};
    use kvmsea::kvm::KvmVcpu;
    use kvmsea::{
        Action, Context, Event, Memslot, MemslotFlags, Outcome, SigbusInfo, SigbusResult, Source,
        Strategy, VcpuFlags,
    };
    use std::error::Error;
    use std::sync::atomic::{AtomicU32, Ordering};

    type Result<T> = std::result::Result<T, Box<dyn Error>>;

    const RAM: u64 = 0x4000_0000;
    const RAM_SIZE: usize = 0x1_0000;
    const VBAR: u64 = RAM + 0x1000;
    const DEVMEM_PAGE: u64 = 0x5000_0000; // --devmem, or the MMIO "device"
    const POISON_PAGE: u64 = RAM + 0x3000; // --poison
    const REPORT: u64 = 0x0900_0000; // MMIO: ESR, FAR, ELR, then "done"
    const LOAD_PC: u64 = RAM; // the load is the first instruction

    /// The guest: `ldr x0, [x1]; b .`
    const CODE: [u32; 2] = [0xf940_0020, 0x1400_0000];

    /// Vector +0x200 (current EL, SP_ELx, synchronous): report and stop.
    const VECTOR: [u32; 9] = [
        movz(5, (REPORT >> 16) as u16, 1),
        0xd538_5202, // mrs x2, esr_el1
        0xd538_6003, // mrs x3, far_el1
        0xd538_4024, // mrs x4, elr_el1
        0xf900_00a2, // str x2, [x5]
        0xf900_04a3, // str x3, [x5, #8]
        0xf900_08a4, // str x4, [x5, #16]
        0xf900_0ca2, // str x2, [x5, #24]: done
        0x1400_0000, // b .
    ];

    /// `movz xd, #imm, lsl #(16 * hw)`.
    const fn movz(rd: u32, imm: u16, hw: u32) -> u32 {
        0xd280_0000 | (hw << 21) | ((imm as u32) << 5) | rd
    }

    // ONE_REG ids: KVM_REG_ARM64 | KVM_REG_SIZE_U64 | the register.
    const REG_X1: u64 = 0x6030_0000_0010_0002;
    const REG_PC: u64 = 0x6030_0000_0010_0040;
    const REG_PSTATE: u64 = 0x6030_0000_0010_0042;
    const REG_VBAR_EL1: u64 = 0x6030_0000_0013_c600; // S3_0_C12_C0_0

    /// Where the bad page comes from.
    #[derive(Clone, Copy, PartialEq)]
    enum Bad {
        Mmio,
        Devmem(u64),
        Poison,
    }

    struct Args {
        bad: Bad,
        strategy: Strategy,
    }

    fn args() -> Result<Args> {
        let mut args = Args {
            bad: Bad::Mmio,
            strategy: Strategy::Auto,
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            if a == "--poison" {
                args.bad = Bad::Poison;
                continue;
            }
            let value = it.next().ok_or(format!("{a} needs a value"))?;
            match a.as_str() {
                "--devmem" => {
                    let hex = value.trim_start_matches("0x");
                    args.bad = Bad::Devmem(u64::from_str_radix(hex, 16)?);
                }
                "--strategy" => {
                    args.strategy = match value.as_str() {
                        "auto" => Strategy::Auto,
                        "vcpu-events" => Strategy::VcpuEvents,
                        "emulate" => Strategy::Emulate,
                        _ => return Err(format!("unknown strategy {value}").into()),
                    }
                }
                _ => return Err(format!("unknown option {a}").into()),
            }
        }
        Ok(args)
    }

    /// The SIGBUS handler: memory errors in guest memory go to kvmsea;
    /// anything else is the VMM's own fault, which dies of it as it would
    /// without a handler (async-signal-safe calls only).
    extern "C" fn on_sigbus(_sig: i32, si: *mut libc::siginfo_t, _uc: *mut libc::c_void) {
        // SAFETY: the kernel's siginfo for this SA_SIGINFO handler.
        let info = unsafe { SigbusInfo::from_siginfo(si.cast()) };
        if kvmsea::sigbus(&info) == SigbusResult::NotMine {
            // SAFETY: async-signal-safe; SIGBUS is blocked in its handler,
            // so the raised one comes, with the default action, on return.
            unsafe {
                libc::signal(libc::SIGBUS, libc::SIG_DFL);
                libc::raise(libc::SIGBUS);
            }
        }
    }

    fn install_sigbus_handler() -> Result<()> {
        // SAFETY: a zeroed sigaction with an SA_SIGINFO handler that does
        // only async-signal-safe work.
        let ret = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_sigbus as usize;
            sa.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut())
        };
        if ret != 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        Ok(())
    }

    /// `len` bytes of anonymous memory, or of /dev/mem at `phys`; never
    /// unmapped (the VM lives as long as the process).
    fn map(len: usize, phys: Option<u64>) -> Result<*mut u8> {
        let (fd, flags, offset) = match phys {
            Some(p) => {
                let f = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/mem")?;
                let fd = std::os::fd::IntoRawFd::into_raw_fd(f); // kept open
                (fd, libc::MAP_SHARED, p as libc::off_t)
            }
            None => (-1, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, 0),
        };
        let prot = libc::PROT_READ | libc::PROT_WRITE;
        // SAFETY: a new mapping at an address the kernel chooses; nothing
        // else in the process refers to it.
        let p = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd, offset) };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error().into());
        }
        Ok(p.cast())
    }

    fn set_reg(vcpu: &VcpuFd, id: u64, value: u64) -> Result<()> {
        vcpu.set_one_reg(id, &value.to_le_bytes())?;
        Ok(())
    }

    /// The CPER record a guest would get for `event`, checked as Linux's
    /// GHES driver reads it.
    fn cper_line(event: &Event) -> String {
        let record = MemError::from_event(event).and_then(|e| {
            let record = e.record(0, e.sections()?)?;
            cper::check(&record, record.len())?;
            Ok(record)
        });
        match record {
            Ok(r) => format!("{} bytes, a guest accepts it", r.len()),
            Err(e) => format!("none: {e}"),
        }
    }

    pub fn main() -> Result<()> {
        let args = args()?;
        let kvm = Kvm::new()?;
        // Type 0: KVM's default 40-bit IPA space, far more than this guest
        // needs. (kvm-ioctls' create_vm() asks for the host's largest, 52
        // bits in the emulated host of tests/e2e, whose stage-2 teardown
        // then kept a CPU busy for 16 s at each VM's close under TCG.)
        let vm = kvm.create_vm_with_type(0)?;

        // Guest RAM: the code at its start, the vectors at VBAR.
        let ram = map(RAM_SIZE, None)?;
        let mut image = vec![0u8; RAM_SIZE];
        for (i, w) in CODE.iter().enumerate() {
            image[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        let vector = (VBAR - RAM) as usize + 0x200;
        for (i, w) in VECTOR.iter().enumerate() {
            image[vector + i * 4..vector + i * 4 + 4].copy_from_slice(&w.to_le_bytes());
        }
        // SAFETY: `ram` is RAM_SIZE writable bytes that only this copy uses.
        unsafe { std::ptr::copy_nonoverlapping(image.as_ptr(), ram, RAM_SIZE) };
        let mut slots = vec![(RAM, RAM_SIZE, ram)];
        if let Bad::Devmem(phys) = args.bad {
            slots.push((DEVMEM_PAGE, 0x1000, map(0x1000, Some(phys))?));
        }

        // libkvmsea: probe, enable the SEA exits, set the handler.
        let events = AtomicU32::new(0);
        let strategy = args.strategy;
        let mut ctx = Context::from_vm_fd(&vm)?;
        let caps = ctx.caps();
        println!(
            "sea-vmm: caps sea_to_user={} inject_ext_dabt={} host RAS={} exits possible={}",
            caps.sea_to_user, caps.inject_ext_dabt, caps.inject_serror_esr, caps.sea_exits_possible
        );
        if caps.sea_to_user > 0 {
            ctx.enable()?;
        }
        ctx.set_handler(|vcpu, event| {
            events.fetch_add(1, Ordering::Relaxed);
            println!("sea-vmm: vCPU {}: {event}", vcpu.id());
            println!("sea-vmm: its CPER record: {}", cper_line(event));
            let done = vcpu.inject(event, strategy)?;
            println!(
                "sea-vmm: injected with {}, lost {}",
                done.strategy, done.lost
            );
            Ok(Action::Handled)
        });

        // Guest memory for KVM and, with the same values, for kvmsea (a
        // SIGBUS names a host address; the map makes it a guest one).
        for (slot, &(gpa, size, hva)) in slots.iter().enumerate() {
            let region = kvm_userspace_memory_region {
                slot: slot as u32,
                flags: 0,
                guest_phys_addr: gpa,
                memory_size: size as u64,
                userspace_addr: hva as u64,
            };
            // SAFETY: the mapping is valid for the VM's life (never unmapped).
            unsafe { vm.set_user_memory_region(region)? };
            ctx.set_memslot(&Memslot {
                slot: slot as u32,
                flags: MemslotFlags::empty(),
                gpa,
                size: size as u64,
                hva: hva as u64,
            })?;
        }

        // The SIGBUS path: the handler, and this context for the signals of
        // threads outside KVM_RUN (here: the VMM's own madvise below).
        install_sigbus_handler()?;
        ctx.sigbus_register()?;
        let bad = match args.bad {
            Bad::Poison => {
                // SAFETY: one page of guest RAM, which the guest's load is
                // the only one to touch from now on.
                let hva = unsafe { ram.add((POISON_PAGE - RAM) as usize) };
                // SAFETY: a page of our own mapping; the kernel poisons it.
                if unsafe { libc::madvise(hva.cast(), 0x1000, libc::MADV_HWPOISON) } != 0 {
                    return Err(format!(
                        "madvise(MADV_HWPOISON): {}",
                        std::io::Error::last_os_error()
                    )
                    .into());
                }
                println!("sea-vmm: poisoned guest page {POISON_PAGE:#x} (host {hva:p})");
                POISON_PAGE + 0x128
            }
            _ => DEVMEM_PAGE + 0x128,
        };

        let mut kvi = kvm_vcpu_init::default();
        vm.get_preferred_target(&mut kvi)?;
        let fd = vm.create_vcpu(0)?;
        fd.vcpu_init(&kvi)?;
        set_reg(&fd, REG_X1, bad)?;
        set_reg(&fd, REG_PC, LOAD_PC)?;
        set_reg(&fd, REG_PSTATE, 0x3c5)?; // EL1h, DAIF masked
        set_reg(&fd, REG_VBAR_EL1, VBAR)?;
        let mut vcpu = KvmVcpu::new(&ctx, fd, 0, VcpuFlags::empty()).map_err(|(e, _)| e)?;

        // The run loop: handle_exit after every KVM_RUN. (While fd.run()
        // is in KVM_RUN, this thread's SIGBUS is the vCPU's: KVM's for the
        // guest's load from the poisoned page.)
        let (mut fd, mut sea) = vcpu.split();
        let mut report = [0u64; 3];
        loop {
            let exit = fd.run();
            match sea.handle_exit(&exit)? {
                Outcome::Handled => continue,
                Outcome::Stop => return Err("the policy stopped the VM".into()),
                Outcome::NotSea => {}
            }
            match exit? {
                VcpuExit::MmioRead(addr, _) if addr >> 12 == DEVMEM_PAGE >> 12 => {
                    // The device behind this page failed: an external
                    // abort for the guest's load (DABT, FSC 0x10).
                    println!("sea-vmm: MMIO read at {addr:#x} failed: injecting an abort");
                    let event = Event::new(0x9200_0010, addr)?;
                    let done = sea.inject(&event, strategy)?;
                    println!(
                        "sea-vmm: injected with {}, lost {}",
                        done.strategy, done.lost
                    );
                }
                VcpuExit::MmioWrite(addr, data) if (REPORT..REPORT + 32).contains(&addr) => {
                    let value = u64::from_le_bytes(data.try_into()?);
                    let i = ((addr - REPORT) / 8) as usize;
                    if i == 3 {
                        break;
                    }
                    report[i] = value;
                }
                other => return Err(format!("unexpected exit {other:?}").into()),
            }
        }

        let [esr, far, elr] = report;
        println!(
            "sea-vmm: the guest's handler ran: ESR_EL1 {esr:#x} FAR_EL1 {far:#x} ELR_EL1 {elr:#x}"
        );
        println!("sea-vmm:   {}", kvmsea::esr::Esr::decode(esr));
        let events = events.load(Ordering::Relaxed);
        let st = ctx.stats();
        println!(
            "sea-vmm: stats: sea_exits {} sigbus_ar {} injected {}; poisoned ranges {}",
            st.sea_exits,
            st.sigbus_ar,
            st.injected,
            ctx.poison().len()
        );
        // A DABT_CUR with FSC 0x10 at the load; FAR the byte, except for a
        // SIGBUS, which knows no guest virtual address (FnV set).
        let dabt = esr >> 26 == 0x25 && esr & 0x3f == 0x10 && elr == LOAD_PC;
        let ok = match args.bad {
            Bad::Mmio => dabt && far == bad && events == 0,
            Bad::Devmem(_) => dabt && far == bad && events == 1 && st.sea_exits == 1,
            Bad::Poison => {
                // The VMM's own madvise was recorded for the VM.
                let own = ctx.next_error();
                if let Some(ev) = &own {
                    println!("sea-vmm: the VMM's own: {ev}");
                }
                let own_ok = own.is_some_and(|e| {
                    e.source() == Source::SigbusAr
                        && e.page().and_then(|p| p.gpa) == Some(POISON_PAGE)
                });
                dabt && esr & (1 << 10) != 0 && events == 1 && st.sigbus_ar == 2 && own_ok
            }
        };
        if !ok {
            return Err(format!(
                "expected a DABT_CUR with FSC 0x10 at ELR {LOAD_PC:#x} (FAR {bad:#x}, or FnV for \
                 a SIGBUS) and the events of this mode; got {events} event(s)"
            )
            .into());
        }
        Ok(())
    }
}
