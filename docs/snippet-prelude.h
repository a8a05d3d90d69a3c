/* SPDX-License-Identifier: MIT */
/*
 * docs/check-snippets.py: what the docs' C snippets take from the program
 * around them. Each name is one a snippet uses without declaring it; the
 * last group is the VMM shapes of docs/integration.md (QEMU, kvmtool).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/kvm.h>

#include <libkvmsea/libkvmsea.h>

/* The function a snippet's statements go in: a VMM's, with its own names. */
#define SNIPPET_FUNCTION int snippet(FILE *log_file __attribute__((unused)))

/* The VMM's descriptors, its kvm_run and its memory. */
extern int kvm_fd, vm_fd, vcpu_fd;
extern struct kvm_run *run;
extern uint32_t vcpu_index;
extern void *ram;
extern uint64_t ram_size;
extern uint32_t slot, flags;
extern uint64_t gpa, size, hva;
extern uint64_t dma_gpa, dma_len;

/* The library's handles and an event, as a handler or the loop has them. */
extern struct kvmsea_ctx *sea;
extern struct kvmsea_vcpu *vcpu, *sv, *my_vcpu, *this_thread_vcpu;
extern const struct kvmsea_event *event, *ev;
extern struct kvmsea_ghes *sea_source;
extern uint64_t esr, far, addr, midr, host_page_size;
extern siginfo_t *si;
extern _Thread_local bool in_kvm_run;

/* The VMM's own functions the snippets call. */
void stop_vm(void);
void log_storm(void);
void log_line(void *log, const char *line);
extern void *my_log;
uint64_t hva_to_gpa(uint64_t hva);
void chain_to_previous_handler(int sig, siginfo_t *si, void *uc);
void chain_to_the_previous_handler(int sig, siginfo_t *si, void *uc);

/* docs/integration.md: a QEMU-shaped and a kvmtool-shaped vCPU. */
#define EXCP_HALTED 0x10003
struct cpu {
	struct kvmsea_vcpu *sea;
};
struct vm {
	struct kvmsea_ctx *sea;
};
struct kvm_cpu {
	int vcpu_fd, kvm_fd, cpu_index;
	struct kvm_run *kvm_run;
	struct kvmsea_vcpu *sea;
	bool is_running;
};
extern struct vm *vm;
extern struct kvm_cpu *cpu;
extern bool el1_32bit;
extern int ret;
void request_vm_stop(struct cpu *cpu, const char *why);
void die_perror(const char *what);
