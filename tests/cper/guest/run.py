#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The CPER guest test: libkvmsea's records against a real Linux guest.

  run.py QEMU BIOS KERNEL INITRD CPER-HOST

Boots the arm64 guest (UEFI, ACPI, -M virt,ras=on) with guest.c as its
last /init step, and drives three parties: the guest (commands on its
console), QEMU (QMP: inject-ghes-v2-error writes a raw CPER block into its
GHES source 1 and raises the guest's GPIO notification; HMP xp reads guest
memory), and cper-host (libkvmsea's builders and read-ack state machine).
Each check prints "CPER PASS name: ..." or "CPER FAIL name: ..."; the exit
status is 1 when any failed. See tests/cper/README.md.
"""
import base64
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = float(os.environ.get("KVMSEA_CPER_TIMEOUT", "120"))
failures = 0

# Lines by which Linux refuses (part of) a record. For a record with an ARM
# processor section one warning is expected: Linux's ghes recovers only
# cache errors with a physical address from that section (ghes.c:
# ghes_handle_arm_hw_error()); the memory section does the recovery.
REJECT = re.compile(r"Firmware Bug|Firmware Warn|Failed to read|Invalid|too small|"
                    r"incorrect|Truncated|not recovered|Unknown|unknown, ")
ARM_WARN = "[Firmware Warn]: GHES: Unhandled processor error type 0x08: bus error"


def verdict(ok, name, detail):
    global failures
    print(f"CPER {'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
    if not ok:
        failures += 1
    return ok


class Guest:
    """QEMU with the guest's console on its stdin/stdout."""

    def __init__(self, qemu, bios, kernel, initrd, qmp_path):
        self.p = subprocess.Popen(
            [qemu, "-M", "virt,ras=on,gic-version=3", "-cpu", "max", "-smp", "1",
             "-m", "1024", "-display", "none", "-nic", "none", "-no-reboot",
             "-serial", "stdio", "-monitor", "none",
             "-qmp", f"unix:{qmp_path},server=on,wait=off",
             "-bios", bios, "-kernel", kernel, "-initrd", initrd,
             "-append", "console=ttyAMA0 panic=-1 rdinit=/init loglevel=1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b""
        self.log = []

    def line(self, timeout=TIMEOUT):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise TimeoutError("no line from the guest")
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError("the guest is gone")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\n", 1)
        text = raw.decode("utf-8", "replace").rstrip("\r")
        self.log.append(text)
        return text

    def wait_for(self, marker, timeout=TIMEOUT):
        # The firmware's screen control sequences may precede it.
        while True:
            text = self.line(timeout)
            if marker in text:
                return text

    def cmd(self, text, timeout=TIMEOUT):
        """Send a command; its answer lines, up to its DONE."""
        self.p.stdin.write(text.encode() + b"\n")
        self.p.stdin.flush()
        done = "DONE " + text.split()[0]
        lines = []
        while True:
            t = self.line(timeout)
            if t == done:
                return lines
            lines.append(t)

    def kmsg(self):
        return [t[5:] for t in self.cmd("kmsg") if t.startswith("KMSG ")]


class Qmp:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r or "error" in r:
                return r

    def read64(self, gpa):
        out = self.cmd("human-monitor-command", **{"command-line": f"xp /1gx {gpa:#x}"})
        return int(out["return"].split(":")[1], 16)


class Host:
    """cper-host: libkvmsea behind a line protocol."""

    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)

    def ask(self, text):
        self.p.stdin.write(text + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def text(self, block):
        self.p.stdin.write("format " + block.hex() + "\n")
        self.p.stdin.flush()
        lines = []
        while (t := self.p.stdout.readline().rstrip("\n")) != "END":
            lines.append(t[5:])
        return lines


def blob(answer, want=None):
    tag, _, hexdata = answer.partition(" ")
    if want and tag != want:
        raise RuntimeError(f"cper-host answered {answer[:80]!r}, not {want}")
    return tag, bytes.fromhex(hexdata) if hexdata else b""


class Test:
    def __init__(self, guest, qmp, host):
        self.g, self.q, self.h = guest, qmp, host
        self.last_inject = [0.0, 0.0]
        self.retired = []   # PFNs that must never come back

    # -- the source ------------------------------------------------------
    def hest(self):
        """QEMU's HEST from the guest, compared field by field with the one
        libkvmsea builds for the same layout."""
        qemu = bytes.fromhex("".join(t[5:] for t in self.g.cmd("hest") if t.startswith("HEST ")))
        count = int.from_bytes(qemu[36:40], "little")
        self.sources = []
        for i in range(count):
            s = qemu[40 + 92 * i: 40 + 92 * (i + 1)]
            status = int.from_bytes(s[24:32], "little")
            src = dict(id=int.from_bytes(s[2:4], "little"), notify=s[32],
                       status=status, ack=int.from_bytes(s[68:76], "little"),
                       length=int.from_bytes(s[60:64], "little"),
                       block=self.q.read64(status))
            self.sources.append(src)
            self.h.ask(f"layout {status:#x} {src['ack']:#x} {src['block']:#x} "
                       f"{src['length']} {src['notify']} {src['id']}")
        tag, ours = blob(self.h.ask("hest BOCHS BXPC BXPC"))
        fields = [("signature", 0, 4), ("length", 4, 4), ("revision", 8, 1),
                  ("checksum", 9, 1), ("OEM ID", 10, 6), ("OEM table ID", 16, 8),
                  ("OEM revision", 24, 4), ("creator ID", 28, 4),
                  ("creator revision", 32, 4), ("error source count", 36, 4)]
        ghes = [("type", 0, 2), ("source id", 2, 2), ("related source id", 4, 2),
                ("flags", 6, 1), ("enabled", 7, 1), ("records to preallocate", 8, 4),
                ("max sections per record", 12, 4), ("max raw data length", 16, 4),
                ("error status address GAS", 20, 12), ("notification structure", 32, 28),
                ("error status block length", 60, 4), ("read ack register GAS", 64, 12),
                ("read ack preserve", 76, 8), ("read ack write", 84, 8)]
        for i in range(count):
            fields += [(f"source {i} {n}", 40 + 92 * i + o, size) for n, o, size in ghes]
        # Ours differs where libkvmsea says what it does instead of a
        # placeholder; the checksum follows.
        expected = {
            "max sections per record": "QEMU says 1; libkvmsea the sections that fit",
            "max raw data length": "QEMU says its block size; libkvmsea 0, it writes no raw data",
            "checksum": "follows the two fields above",
        }
        ok = tag == "HEST" and len(ours) == len(qemu)
        for name, off, size in fields:
            a, b = qemu[off:off + size], ours[off:off + size]
            why = next((w for k, w in expected.items() if name.endswith(k)), None)
            state = "same" if a == b else f"differs ({why})" if why else "DIFFERS"
            ok &= a == b or why is not None
            print(f"  HEST {name:42} QEMU {a.hex():>24}  libkvmsea {b.hex():>24}  {state}")
        sums = sum(qemu) % 256, sum(ours) % 256
        verdict(ok and sums == (0, 0), "hest-compare",
                f"{count} GHESv2 sources, every field equal but the expected ones; "
                f"both checksums valid")
        self.qmp_source = next(i for i, s in enumerate(self.sources) if s["notify"] == 7)
        return self.sources[self.qmp_source]

    def inject(self, block, src):
        """One block into QEMU's QMP source; returns the guest's new log
        lines once it has acknowledged the block."""
        # Linux prints at most 2 uncorrected records every 5 s
        # (ghes_print_estatus()): keep to that, so each one is in the log.
        wait = self.last_inject[0] + 5.2 - time.time()
        if wait > 0:
            time.sleep(wait)
        self.last_inject = self.last_inject[1:] + [time.time()]
        r = self.q.cmd("inject-ghes-v2-error", cper=base64.b64encode(block).decode())
        if "error" in r:
            raise RuntimeError(f"QMP refused the block: {r['error']['desc']}")
        end = time.time() + 20
        while not self.q.read64(src["ack"]) & 1:
            if time.time() > end:
                raise TimeoutError("the guest did not acknowledge the record")
            time.sleep(0.1)
        # Mirror the guest's acknowledgement into the state machine's view
        # of the source (cper-host's shadow of the register).
        self.h.ask(f"ack {self.q.read64(src['ack']):#x}")
        time.sleep(0.3)  # the memory_failure() work runs after the ack
        return self.g.kmsg()

    # -- checks ----------------------------------------------------------
    def expect_decoded(self, name, block, log, arm=False):
        """The kernel's decoding shows every field libkvmsea set, and no
        rejection."""
        ours = self.h.text(block)
        want = []
        for t in ours:
            t = t.strip()
            for field in ("physical address: ", "physical address mask: "):
                if t.startswith(field):
                    want.append(field.strip().replace(" ", "_") + " " + t[len(field):])
            if t.startswith("error status: "):
                want.append(f"error_status: A read was issued to data that has been poisoned ({t[14:]})")
            if t.startswith("memory error type: 0"):
                want.append("error_type: 0, unknown")
            if t.startswith("timestamp: "):
                want.append("imprecise tstamp: " + t[11:30])
            if arm and t.startswith("ESR_EL2: "):
                want.append("register context type: Misc. system register structure")
            if arm and t.startswith("physical fault address: "):
                want.append(t)
            if arm and t.startswith("virtual fault address: "):
                want.append(t)
        if arm:
            want += ["section_type: ARM processor error", "error_type: 0x08: bus error",
                     "transaction type: Data Access", "PC is precise",
                     "address space: External Memory Access", "access mode: normal"]
        want.append("section_type: memory error")
        text = "\n".join(log)
        missing = [w for w in want if w not in text]
        bad = [t for t in log if REJECT.search(t) and not (arm and t == ARM_WARN)]
        verdict(not missing and not bad, name + "-decoded",
                f"{len(want)} fields in the guest's log as libkvmsea set them"
                if not missing and not bad else f"missing {missing}, rejected {bad}")

    def expect_recovered(self, name, log, pfns, kind):
        """memory_failure() says "recovered" for every page: as @kind (the
        owner's page) or, once the owner died of an earlier page of the
        same error and freed the rest, as a free page."""
        pattern = re.compile(r"Memory failure: (0x[0-9a-f]+): recovery action for (.*): Recovered$")
        end = time.time() + 10
        while True:
            seen = {}
            for t in log:
                m = pattern.search(t)
                if m:
                    seen[int(m.group(1), 16)] = m.group(2)
            missing = [p for p in pfns if p not in seen]
            if not missing or time.time() > end:
                break
            time.sleep(0.5)  # memory_failure() runs from a work queue
            log += self.g.kmsg()
        kinds = sorted({seen[p] for p in pfns if p in seen})
        verdict(not missing and kind in kinds and set(kinds) <= {kind, "free buddy page"},
                name + "-recovered",
                f"memory_failure() recovered {len(pfns)} page(s): {', '.join(kinds)}"
                if not missing else f"no recovery for {[hex(p) for p in missing[:4]]}; "
                f"lines: {[t for t in log if 'Memory failure' in t][:4]}")

    def expect_poisoned(self, name, pfns):
        out = self.g.cmd("poisoned " + " ".join(hex(p) for p in pfns))
        flags = [t.split()[2] for t in out if t.startswith("POISONED")]
        verdict(flags == ["1"] * len(pfns), name + "-poisoned",
                f"{len(pfns)} page(s) flagged HWPOISON in /proc/kpageflags")
        self.retired += pfns

    def expect_killed(self, name, pid, code):
        out = self.g.cmd(f"wait {pid} 10")
        sigbus = [t for t in self.g.log if t.startswith(f"SIGBUS {pid} ")]
        ok = f"EXIT {pid} signal 7" in out and sigbus and sigbus[-1].split()[2] == str(code)
        verdict(ok, name + "-killed",
                f"the owner (pid {pid}) died of SIGBUS, si_code {code} "
                f"({'BUS_MCEERR_AR' if code == 4 else 'BUS_MCEERR_AO'}): {sigbus[-1] if sigbus else out}")

    def own(self, n, early=False):
        out = self.g.cmd(f"own {n}{' early' if early else ''}")
        pages = [t.split() for t in out if t.startswith("OWN ")]
        if len(pages) != n:
            raise RuntimeError(f"own {n}: {out}")
        return int(pages[0][1]), [int(p[3], 16) for p in pages]


def error(pa, size=4096, flags=1, esr=0, va=0, when=None):
    return f"{pa:#x} {size:#x} {flags} {esr:#x} {va:#x} {int(when or time.time())}"


def scenarios(t):
    src = t.hest()
    host = t.h
    ans = host.ask(f"source {t.qmp_source}")
    verdict(ans == "IDLE", "source", f"QEMU's QMP source {src['id']} (GPIO notification) "
            f"driven by kvmsea_ghes: status {src['status']:#x}, ack {src['ack']:#x}, "
            f"block {src['block']:#x}, {src['length']} bytes")

    # 1. A 4 KiB page a process owns, consumed (late kill): the process
    # dies when it touches the page again.
    pid, (pa,) = t.own(1)
    tag, block = blob(host.ask("report " + error(pa + 0x128)), "POSTED")
    log = t.inject(block, src)
    t.expect_decoded("4k", block, log)
    t.expect_recovered("4k", log, [pa >> 12], "dirty LRU page")
    t.expect_killed("4k", pid, 4)
    t.expect_poisoned("4k", [pa >> 12])

    # 2. Latent (BUS_MCEERR_AO, not consumed), early-kill owner.
    pid, (pa,) = t.own(1, early=True)
    tag, block = blob(host.ask("report " + error(pa, flags=0)), "POSTED")
    log = t.inject(block, src)
    t.expect_decoded("latent", block, log)
    t.expect_recovered("latent", log, [pa >> 12], "dirty LRU page")
    t.expect_killed("latent", pid, 5)
    t.expect_poisoned("latent", [pa >> 12])

    # 3. With the ARM processor section: the ESR, the VA, the bus error.
    pid, (pa,) = t.own(1)
    tag, block = blob(host.ask("report " + error(pa + 0x40, flags=0xf, esr=0x92000050,
                                                 va=0xffff000012345040)), "POSTED")
    log = t.inject(block, src)
    t.expect_decoded("arm", block, log, arm=True)
    verdict(any(x.endswith("bus error, operation type: Data write") for x in log),
            "arm-esr", "the store's WnR became 'Data write'; ESR 0x92000050 in the context")
    t.expect_recovered("arm", log, [pa >> 12], "dirty LRU page")
    t.expect_killed("arm", pid, 4)
    t.expect_poisoned("arm", [pa >> 12])

    # 4. A 64 KiB host page under this 4 KiB guest: 16 sections, in three
    # records of QEMU's 1 KiB block, each written when the guest has
    # acknowledged the last (the state machine, against Linux's acks).
    pid, pas = t.own(16)
    base = pas[0]
    log, records, ans = [], 0, host.ask("report " + error(base + 0x5008, size=65536))
    while ans.startswith("POSTED"):
        tag, block = blob(ans)
        part = t.inject(block, src)
        t.expect_decoded(f"64k-part{records}", block, part)
        log += part
        records += 1
        ans = host.ask("poll")
    stats = host.ask("stats")
    verdict(records == 3 and ans == "IDLE", "64k-parts",
            f"{records} records (6 + 6 + 4 sections), each after the guest's ack; {stats}")
    t.expect_recovered("64k", log, [p >> 12 for p in pas], "dirty LRU page")
    t.expect_killed("64k", pid, 4)
    t.expect_poisoned("64k", [p >> 12 for p in pas])

    # 5. Blocks the library refuses to build: libkvmsea's checker and the
    # guest both reject each one.
    malformed(t, src)

    # 6. Never handed out again: allocate most of the memory, and none of
    # the retired pages is among it.
    out = t.g.cmd("corrupted")
    kb = int(out[0].split()[1]) if out and out[0].startswith("CORRUPTED") else -1
    verdict(kb >= 4 * len(t.retired), "corrupted",
            f"HardwareCorrupted {kb} kB (at least the {len(t.retired)} pages retired on purpose)")
    out = t.g.cmd("sweep 640 " + " ".join(hex(p) for p in t.retired), timeout=300)
    verdict(any(x.startswith("SWEEP") and x.endswith(" hits 0") for x in out), "sweep",
            f"{out[-1] if out else 'no answer'}: none of the {len(t.retired)} retired pages "
            f"came back")

    # 7. Last, since it ends the guest: an unknown severity, which the
    # library refuses (-EINVAL) and Linux takes as fatal.
    tag, block = blob(host.ask("build " + error(0x7f000000) + " 0 1"))
    bad = bytearray(block)
    bad[16:20] = (4).to_bytes(4, "little")
    check = host.ask(f"check {bytes(bad).hex()} 1024")
    t.q.cmd("inject-ghes-v2-error", cper=base64.b64encode(bytes(bad)).decode())
    panic = ""
    try:
        while "Kernel panic" not in panic:
            panic = t.g.line(30)
    except (TimeoutError, EOFError):
        pass
    verdict(check == "CHECK -22" and "Fatal hardware error" in panic, "severity-4",
            f"libkvmsea: {check}; the guest: {panic.strip()}")


# (name, what to do to a good block, the guest's line, the checker's errno)
def mutations():
    def u32(b, off, v):
        b[off:off + 4] = v.to_bytes(4, "little")
        return b

    def short_memory(b):
        # A consistent block whose memory section is 8 bytes too short.
        b = b[:20 + 72 + 72] + b[20 + 152:]
        u32(b, 12, len(b) - 20)
        return u32(b, 20 + 24, 72)

    arm = 20 + 152 + 72  # the ARM section
    return [
        ("data-short", lambda b: u32(b, 12, len(b) - 21), "Failed to read error status block", -22),
        ("longer-than-source", lambda b: u32(b, 12, 1100), "Invalid error status block length", -90),
        ("truncated", lambda b: u32(u32(b, 8, 8), 4, 0), "Truncated error status block", -22),
        ("raw-inside-data", lambda b: u32(u32(b, 8, 8), 4, 20), "Invalid CPER header", -22),
        ("memory-short", short_memory, "error section length is too small", -22),
        ("arm-context-type", lambda b: b[:arm + 74] + (9).to_bytes(2, "little") + b[arm + 76:],
         "Invalid context type: 9", -22),
        ("arm-unpadded", lambda b: u32(b, arm + 8, 90), "firmware-generated error record is incorrect", -22),
    ]


def malformed(t, src):
    for i, (name, mutate, line, errno) in enumerate(mutations()):
        pa = 0x7e000000 + i * 0x10000  # a free page each: no owner to disturb
        tag, good = blob(t.h.ask("build " + error(pa, flags=0xb, esr=0x92000010) + " 0 1"))
        bad = bytes(mutate(bytearray(good)))
        check = t.h.ask(f"check {bad.hex()} 1024")
        log = t.inject(bad, src)
        seen = [x for x in log if line in x]
        verdict(check == f"CHECK {errno}" and seen, "malformed-" + name,
                f"libkvmsea's check says {check.split()[1]}, the guest: {seen[0] if seen else log[-5:]}")


def main(argv):
    qemu, bios, kernel, initrd, host_tool = argv
    with tempfile.TemporaryDirectory() as work:
        qmp_path = os.path.join(work, "qmp.sock")
        g = Guest(qemu, bios, kernel, initrd, qmp_path)
        try:
            t0 = time.time()
            g.wait_for("CPER-GUEST READY")
            boot = g.kmsg()
            print(f"cper-guest: booted in {time.time() - t0:.0f}s: "
                  f"{next((x for x in boot if x.startswith('Linux version')), '?')[:60]}")
            t = Test(g, Qmp(qmp_path), Host(host_tool))
            scenarios(t)
        except (TimeoutError, EOFError, RuntimeError) as e:
            verdict(False, "run", f"{e}; the last console lines: {g.log[-15:]}")
        finally:
            g.p.kill()
            g.p.wait()
    print(f"cper-guest: {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
