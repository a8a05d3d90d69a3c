//! The safe CPER and GHES API: every field of the Rust types reaches the
//! record (checked at its offset, from the specifications: ACPI 6.5
//! 18.3.2.7-8, UEFI 2.10 appendix N, as tests/cper/cper-test.h has them),
//! the buffer contract on slices, the errors, and the read-ack protocol
//! against a guest that does what Linux's ghes.c does. The C suite
//! (tests/cper) covers the builders and the checker in depth.

use kvmsea::cper::{self, MemError, MemErrorFlags, Severity};
use kvmsea::ghes::{self, AcpiIds, ErrorSource, Layout, Notify, Status};
use kvmsea::{Errno, Error, Event};

const BASE: u64 = 0x47fd_0000;
// Offsets in a block: the 20-byte status header, then each entry's
// 72-byte header and its section.
const BLK_STATUS: usize = 0;
const BLK_DATA_LENGTH: usize = 12;
const BLK_SEVERITY: usize = 16;
const ENTRY0: usize = 20;
const ENT_SEVERITY: usize = 16;
const ENT_VALID: usize = 22;
const ENT_FLAGS: usize = 23;
const ENT_TIMESTAMP: usize = 64;
const ENT_SECTION: usize = 72;
const MEM_ENTRY: usize = 72 + 80;

fn le(b: &[u8], at: usize, bytes: usize) -> u64 {
    b[at..at + bytes]
        .iter()
        .rev()
        .fold(0, |v, &x| v << 8 | u64::from(x))
}

fn load_error() -> MemError {
    MemError {
        gpa: 0x5000_0128,
        page_size: 4096,
        flags: MemErrorFlags::CONSUMED,
        esr: 0x9200_0010,
        ..MemError::default()
    }
}

#[test]
fn every_field_reaches_the_record() {
    let mut e = load_error();
    let rec = e.record(0, 1).unwrap();
    assert_eq!(
        rec.len(),
        cper::STATUS_SIZE + cper::ENTRY_SIZE + cper::MEMORY_SIZE
    );
    assert_eq!(le(&rec, BLK_STATUS, 4), 0x11); // uncorrectable, one entry
    assert_eq!(le(&rec, BLK_DATA_LENGTH, 4), 152);
    assert_eq!(le(&rec, ENTRY0 + ENT_SECTION + 16, 8), 0x5000_0128);
    assert_eq!(le(&rec, ENTRY0 + ENT_SECTION + 24, 8), !0xfff);
    assert_eq!(rec[ENTRY0 + ENT_FLAGS], 0x01); // primary
    assert_eq!(rec[ENTRY0 + ENT_VALID], 0); // no timestamp

    // Severity, time, latent (no CONSUMED).
    e.severity = Severity::Corrected;
    e.time = 1_796_119_200; // 2026-12-01 10:00 UTC
    e.flags = MemErrorFlags::empty();
    let rec = e.record(0, 1).unwrap();
    assert_eq!(le(&rec, BLK_SEVERITY, 4), 2);
    assert_eq!(le(&rec, ENTRY0 + ENT_SEVERITY, 4), 2);
    assert_eq!(rec[ENTRY0 + ENT_VALID], 0x04);
    assert_eq!(
        rec[ENTRY0 + ENT_TIMESTAMP..][..8],
        [0x00, 0x00, 0x10, 0, 0x01, 0x12, 0x26, 0x20]
    );
    assert_eq!(rec[ENTRY0 + ENT_FLAGS], 0x21); // primary, latent

    // A 16 KiB host page under a 4 KiB guest: four sections, the
    // faulting page first, then the others, lowest first.
    let e = MemError {
        gpa: 0x4000_6128,
        page_size: 0x4000,
        guest_page_size: 0x1000,
        ..load_error()
    };
    assert_eq!(e.sections(), Ok(4));
    let rec = e.record(0, 4).unwrap();
    let pa: Vec<u64> = (0..4)
        .map(|i| le(&rec, ENTRY0 + i * MEM_ENTRY + ENT_SECTION + 16, 8))
        .collect();
    assert_eq!(pa, [0x4000_6128, 0x4000_4000, 0x4000_5000, 0x4000_7000]);
    // Parts of it: sections 2 and 3 alone.
    let part = e.record(2, 2).unwrap();
    assert_eq!(le(&part, ENTRY0 + ENT_SECTION + 16, 8), 0x4000_5000);

    // The ARM section, after the memory ones, with MIDR, MPIDR and VA.
    let e = MemError {
        flags: MemErrorFlags::CONSUMED
            | MemErrorFlags::ARM
            | MemErrorFlags::VA_VALID
            | MemErrorFlags::MPIDR_VALID,
        midr: 0x410f_d0c1,
        mpidr: 0x8000_0003,
        va: 0xffff_8000_1234_5128,
        ..load_error()
    };
    let rec = e.record(0, 1).unwrap();
    let arm = ENTRY0 + MEM_ENTRY + ENT_SECTION;
    assert_eq!(rec.len(), arm + cper::ARM_SIZE);
    assert_eq!(le(&rec, arm + 16, 8), 0x8000_0003);
    assert_eq!(le(&rec, arm + 24, 8), 0x410f_d0c1);
    assert_eq!(le(&rec, arm + 40 + 16, 8), 0xffff_8000_1234_5128);
    assert_eq!(le(&rec, arm + 40 + 24, 8), 0x5000_0128);
    assert_eq!(le(&rec, arm + 40 + 32 + 10, 8), 0x9200_0010); // ESR_EL2
}

#[test]
fn builders_write_all_or_nothing_into_slices() {
    let e = load_error();
    let want = e.record(0, 1).unwrap();
    let mut buf = [0x5au8; 200];
    assert_eq!(
        e.build(0, 1, &mut buf[..want.len() - 1]),
        Err(Error::TooSmall { needed: want.len() })
    );
    assert!(
        buf.iter().all(|&b| b == 0x5a),
        "a short buffer stays untouched"
    );
    assert_eq!(
        e.build(0, 1, &mut []),
        Err(Error::TooSmall { needed: want.len() })
    );
    assert_eq!(Error::TooSmall { needed: 1 }.errno(), Errno::ERANGE);
    assert_eq!(e.build(0, 1, &mut buf), Ok(want.len()));
    assert_eq!(buf[..want.len()], want[..]);
    assert!(buf[want.len()..].iter().all(|&b| b == 0x5a));

    let layout = Layout::new(7, Notify::Sea, BASE, 1024).unwrap();
    let mut src = [0xa5u8; ghes::SOURCE_SIZE + 1];
    assert_eq!(
        layout.build_source(&mut src[..ghes::SOURCE_SIZE - 1]),
        Err(Error::TooSmall {
            needed: ghes::SOURCE_SIZE
        })
    );
    assert_eq!(layout.build_source(&mut src), Ok(ghes::SOURCE_SIZE));
    assert_eq!(src[ghes::SOURCE_SIZE], 0xa5);
    let hest = ghes::hest(&[layout], None).unwrap();
    let mut t = vec![0u8; hest.len()];
    assert_eq!(
        ghes::build_hest(&[layout], None, &mut t[..hest.len() - 1]),
        Err(Error::TooSmall { needed: hest.len() })
    );
    assert_eq!(ghes::build_hest(&[layout], None, &mut t), Ok(hest.len()));
    assert_eq!(t, hest);
}

#[test]
fn bad_errors_are_refused() {
    let bad = [
        MemError {
            gpa: 1 << 52,
            ..load_error()
        },
        MemError {
            page_size: 0x3000,
            ..load_error()
        },
        MemError {
            guest_page_size: 0x2000,
            ..load_error()
        },
        MemError {
            flags: MemErrorFlags::from_bits(1 << 7),
            ..load_error()
        },
        // ARM without CONSUMED; VA_VALID without ARM; ARM for an HVC.
        MemError {
            flags: MemErrorFlags::ARM,
            ..load_error()
        },
        MemError {
            flags: MemErrorFlags::CONSUMED | MemErrorFlags::VA_VALID,
            ..load_error()
        },
        MemError {
            flags: MemErrorFlags::CONSUMED | MemErrorFlags::ARM,
            esr: 0x5a00_0000,
            ..load_error()
        },
        MemError {
            time: 253_402_300_800, // the year 10000
            ..load_error()
        },
    ];
    for e in bad {
        assert_eq!(e.sections().err(), Some(Error::Os(Errno::EINVAL)), "{e:?}");
        assert_eq!(
            e.record(0, 1).err(),
            Some(Error::Os(Errno::EINVAL)),
            "{e:?}"
        );
    }
    let e = load_error();
    assert_eq!(e.record(0, 0).err(), Some(Error::Os(Errno::EINVAL)));
    assert_eq!(e.record(1, 1).err(), Some(Error::Os(Errno::EINVAL)));
    // 16 GiB under a 4 KiB guest: 4 Mi sections; more than 1023 entries
    // in one record is beyond what Block Status can count.
    let huge = MemError {
        page_size: 1 << 34,
        ..load_error()
    };
    assert_eq!(huge.sections(), Ok(1 << 22));
    assert_eq!(huge.record(0, 1024).err(), Some(Error::Os(Errno::E2BIG)));
    // An event with no guest physical address gives no error record.
    let ev = Event::new(0x9200_0010, 0x5000_0128).unwrap();
    assert_eq!(MemError::from_event(&ev), Err(Error::Os(Errno::ENODATA)));
}

#[test]
fn the_checker_and_the_formatter() {
    let rec = load_error().record(0, 1).unwrap();
    assert_eq!(cper::check(&rec, rec.len()), Ok(()));
    assert_eq!(
        cper::check(&rec, rec.len() - 1),
        Err(Error::Os(Errno::EMSGSIZE))
    );
    assert_eq!(
        cper::check(&rec[..rec.len() - 1], 4096),
        Err(Error::Os(Errno::EMSGSIZE))
    );
    assert_eq!(cper::check(&[0; 172], 172), Err(Error::Os(Errno::ENODATA)));
    let mut bad = rec.clone();
    bad[BLK_SEVERITY] = 7; // Linux would take it as fatal
    assert_eq!(cper::check(&bad, 4096), Err(Error::Os(Errno::EINVAL)));
    assert_eq!(cper::check(&[], 0), Err(Error::Os(Errno::EINVAL)));

    let text = cper::format(&rec);
    assert!(
        text.starts_with("CPER block: 172 bytes, severity recoverable"),
        "{text}"
    );
    assert!(
        text.contains("physical address: 0x0000000050000128"),
        "{text}"
    );
    assert!(text.lines().count() > 5);
    // Malformed input: decoded as far as it goes, and said so.
    let cut = cper::format(&rec[..30]);
    assert!(cut.lines().count() >= 1 && cut.len() < text.len(), "{cut}");
    assert!(!cper::format(&[]).is_empty());
}

#[test]
fn layouts_sources_and_the_hest() {
    let l = Layout::new(7, Notify::Sea, BASE, 1024).unwrap();
    assert_eq!(
        (l.status_address, l.read_ack_address, l.block_address),
        (BASE, BASE + 8, BASE + ghes::REGS_SIZE as u64)
    );
    assert_eq!(
        (l.notify, l.poll_interval_ms, l.vector),
        (Notify::Sea, 0, 0)
    );
    let polled = Layout::new(1, Notify::Polled, BASE, 4096).unwrap();
    assert_eq!(polled.poll_interval_ms, 1000);
    let mut g = [0u8; ghes::SOURCE_SIZE];
    let gsiv = Layout {
        vector: 45,
        ..Layout::new(2, Notify::Gsiv, BASE, 65536).unwrap()
    };
    gsiv.build_source(&mut g).unwrap();
    assert_eq!((le(&g, 0, 2), le(&g, 2, 2)), (10, 2)); // GHESv2, its id
    assert_eq!((g[32], le(&g, 40, 4)), (10, 45)); // GSIV, its vector
    assert_eq!(le(&g, 60, 4), 65536);

    for (l, why) in [
        (Layout::new(0, Notify::Sea, BASE + 4, 1024), "not 8-aligned"),
        (Layout::new(0, Notify::Sea, 0, 1024), "at 0"),
        (
            Layout::new(0, Notify::Sea, BASE, 171),
            "no room for a record",
        ),
        (Layout::new(0, Notify::Sea, BASE, 65537), "beyond 64 KiB"),
        (Layout::new(0, Notify::Other(2), BASE, 1024), "unknown type"),
    ] {
        assert_eq!(l, Err(Error::Os(Errno::EINVAL)), "{why}");
    }
    let mut buf = [0u8; 256];
    let sea_with_interval = Layout {
        poll_interval_ms: 5,
        ..l
    };
    assert_eq!(
        sea_with_interval.build_source(&mut buf),
        Err(Error::Os(Errno::EINVAL))
    );

    let ids = AcpiIds {
        oem_id: *b"BOCHS ",
        oem_table_id: *b"BXPC    ",
        oem_revision: 1,
        creator_id: *b"BXPC",
        creator_revision: 1,
    };
    let other = Layout::new(1, Notify::Gpio, BASE + 2048, 1024).unwrap();
    let t = ghes::hest(&[l, other], Some(&ids)).unwrap();
    assert_eq!(t.len(), 40 + 2 * ghes::SOURCE_SIZE);
    assert_eq!(&t[..4], b"HEST");
    assert_eq!(le(&t, 4, 4), t.len() as u64);
    assert_eq!(&t[10..24], b"BOCHS BXPC    ");
    assert_eq!(t.iter().map(|&b| u32::from(b)).sum::<u32>() % 256, 0);
    assert_eq!(le(&t, 36, 4), 2);
    let mut src = [0u8; ghes::SOURCE_SIZE];
    other.build_source(&mut src).unwrap();
    assert_eq!(t[40 + ghes::SOURCE_SIZE..], src);
    assert_eq!(&ghes::hest(&[l], None).unwrap()[10..24], b"KVMSEAKVMSEA  ");
    let same_id = Layout {
        source_id: l.source_id,
        ..other
    };
    assert_eq!(
        ghes::hest(&[l, same_id], None),
        Err(Error::Os(Errno::EINVAL))
    );
    assert_eq!(ghes::hest(&[], None), Err(Error::Os(Errno::EINVAL)));
}

/// A source's memory: the two registers and a block, 8-aligned.
#[repr(C, align(8))]
struct Mem([u8; ghes::REGS_SIZE + 1024]);

/// What Linux's ghes_proc() does: reads and checks the record, clears
/// Block Status, acknowledges ((ack & preserve) | write). Returns the
/// record's first physical address.
fn guest_consumes(source: &mut ErrorSource<'_>) -> u64 {
    let mem = source.memory_mut();
    let ack = le(mem, 8, 8);
    assert_eq!(ack & 1, 0, "a record waits: not acknowledged");
    let block = &mem[ghes::REGS_SIZE..];
    let len = cper::STATUS_SIZE + le(block, BLK_DATA_LENGTH, 4) as usize;
    assert_eq!(cper::check(&block[..len], 1024), Ok(()));
    let pa = le(block, ENTRY0 + ENT_SECTION + 16, 8);
    mem[ghes::REGS_SIZE..][..4].fill(0);
    mem[8..16].copy_from_slice(&((ack & !1) | 1).to_le_bytes());
    pa
}

#[test]
fn the_read_ack_protocol() {
    let mut mem = Mem([0xa5; ghes::REGS_SIZE + 1024]);
    let layout = Layout::new(0, Notify::Sea, BASE, 1024).unwrap();
    let mut s = ErrorSource::new(&layout, &mut mem.0, BASE, 4).unwrap();
    // The initial state: the register points at the block, which is free
    // (acknowledged) and empty.
    assert_eq!(le(s.memory(), 0, 8), BASE + 16);
    assert_eq!(le(s.memory(), 8, 8), 1);
    assert!(s.memory()[16..].iter().all(|&b| b == 0));
    assert_eq!(s.poll(), Status::Idle);

    let e1 = load_error();
    let e2 = MemError {
        gpa: 0x6000_0000,
        ..load_error()
    };
    assert_eq!(s.report(&e1), Ok(Status::Posted));
    let want = e1.record(0, 1).unwrap();
    assert_eq!(s.memory()[16..16 + want.len()], want[..]);
    assert_eq!(le(s.memory(), 8, 8), 0); // Read Ack cleared
    assert_eq!(s.report(&e2), Ok(Status::Queued));
    assert_eq!(s.poll(), Status::Busy);
    let st = s.stats();
    assert_eq!(
        (st.reported, st.posted, st.acked, st.waiting, st.unacked),
        (2, 1, 0, 1, true)
    );
    assert_eq!(guest_consumes(&mut s), 0x5000_0128);
    assert_eq!(s.poll(), Status::Posted);
    assert_eq!(guest_consumes(&mut s), 0x6000_0000);
    assert_eq!(s.poll(), Status::Idle);
    let st = s.stats();
    assert_eq!(
        (st.posted, st.acked, st.waiting, st.unacked),
        (2, 2, 0, false)
    );

    // A storm: one written (not acknowledged) and queue + 1 waiting, then
    // refused.
    assert_eq!(s.report(&e1), Ok(Status::Posted));
    for _ in 0..5 {
        assert_eq!(s.report(&e1), Ok(Status::Queued));
    }
    assert_eq!(s.report(&e1), Err(Error::Os(Errno::ENOSPC)));
    let st = s.stats();
    assert_eq!((st.dropped, st.waiting, st.unacked), (1, 5, true));
    assert_eq!(
        s.report(&MemError { gpa: 1 << 52, ..e1 }),
        Err(Error::Os(Errno::EINVAL))
    );
    // A reset drops the waiting ones and frees the block.
    s.reset();
    let st = s.stats();
    assert_eq!((st.dropped, st.waiting, st.unacked), (6, 0, false));
    assert_eq!(le(s.memory(), 8, 8), 1);
    assert_eq!(s.report(&e2), Ok(Status::Posted));
    drop(s);
    // The guest memory is left as it was.
    assert_eq!(le(&mem.0, 16 + ENTRY0 + ENT_SECTION + 16, 8), 0x6000_0000);
}

#[test]
fn an_error_source_needs_memory_that_holds_it() {
    let mut mem = Mem([0; ghes::REGS_SIZE + 1024]);
    let layout = Layout::new(0, Notify::Sea, BASE, 1024).unwrap();
    // Too short, not 8-aligned, or at the wrong guest address.
    assert!(ErrorSource::new(&layout, &mut mem.0[..1000], BASE, 4).is_err());
    assert_eq!(
        ErrorSource::new(&layout, &mut mem.0[4..], BASE - 4, 4).err(),
        Some(Error::Os(Errno::EINVAL))
    );
    assert_eq!(
        ErrorSource::new(&layout, &mut mem.0, BASE + 8, 4).err(),
        Some(Error::Os(Errno::EINVAL))
    );
    assert_eq!(
        ErrorSource::new(&layout, &mut mem.0, BASE, u32::MAX).err(),
        Some(Error::Os(Errno::EINVAL))
    );
    // A block too small for even one section of a record with the ARM
    // section: the first part does not fit.
    let small = Layout::new(0, Notify::Sea, BASE, 172).unwrap();
    let mut s = ErrorSource::new(&small, &mut mem.0, BASE, 0).unwrap();
    let arm = MemError {
        flags: MemErrorFlags::CONSUMED | MemErrorFlags::ARM,
        ..load_error()
    };
    assert_eq!(s.report(&arm), Err(Error::Os(Errno::EMSGSIZE)));
    assert_eq!(s.report(&load_error()), Ok(Status::Posted));
}
