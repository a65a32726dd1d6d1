// What the kernel half of the eBPF backend (tracer.bpf.c) and the user half
// (ebpf_tracer.cpp) exchange: map sizes, the per-syscall layout userspace
// fills in, and the ring buffer's records. Plain C, shared by both.
#pragma once

#include <linux/types.h>

#define BM_MAX_PROCS 8192        // live processes of the tree at once
#define BM_MAX_NR 512            // syscall numbers
#define BM_MAX_DISTINCT 16384    // distinct failures counted in the kernel
// Failure records are bounded in the kernel (max_records, max_bytes) to fit
// in half of it whatever the reader does; fork, exec and exit records share
// the rest with the reader woken at a quarter. Its pages are allocated,
// zeroed, charged and mapped twice at every start: 8 MiB cost 2.5 ms more.
#define BM_RINGBUF_BYTES (2u << 20)
#define BM_STR_MAX 4096          // PATH_MAX
#define BM_SOCKADDR_MAX 128      // sizeof(struct sockaddr_storage)

enum bm_event_kind {
  BM_EV_FAIL = 1,  // a watched call failed (bm_fail)
  BM_EV_OK,        // a watched call with report_success returned >= 0 (bm_fail)
  BM_EV_FORK,      // bm_proc: tgid was forked by ppid
  BM_EV_EXEC,      // bm_fail with s1 = the executed file
  BM_EV_EXIT,      // bm_proc: tgid ended, code as in a wait status
};

enum bm_stat {
  BM_STAT_LOST = 0,       // events the ring buffer had no room for
  BM_STAT_DISTINCT_FULL,  // failures not counted in the kernel (map full)
  BM_STAT_PROCS_FULL,     // forked processes that could not be followed
  BM_STAT_FAILED,         // failures of watched calls, all of them
  BM_STAT_COUNT,
};

// Which arguments of a syscall the kernel reads when it fails: the index of
// a string argument (or -1), a second one, and for a sockaddr the index of
// its length argument (then str1 is the sockaddr).
struct bm_layout {
  __u8 watched;
  __u8 report_success;
  __s8 str1;
  __s8 str2;
  __s8 sockaddr_len;
  __u8 pad[3];
};

struct bm_fail {
  __u32 kind;
  __u32 tgid;
  __u32 tid;
  __u32 nr;
  __s32 ret;
  __u16 len1;
  __u16 len2;
  __u64 ts;         // bpf_ktime_get_ns: CLOCK_MONOTONIC
  __u64 args[6];
  __u32 aggregated; // counted in the `counts` map from now on, under key
  __u32 pad;
  __u64 h1;         // FNV-1a of s1's len1 bytes, of s2's len2 bytes (the key)
  __u64 h2;
  char s1[BM_STR_MAX];
  char s2[BM_STR_MAX];
};
#define BM_FAIL_HEAD __builtin_offsetof(struct bm_fail, s1)

struct bm_proc {
  __u32 kind;
  __u32 tgid;
  __u32 ppid;
  __s32 code;
  __u64 ts;
};

// How often a distinct failure happened, and in how many processes (a new
// pid after another counts again: exact for one process after another).
struct bm_count {
  __u64 count;
  __u32 last_tgid;
  __u32 pids;
};

// A distinct failure: the call, its result and its strings' hashes.
struct bm_key {
  __u32 nr;
  __s32 ret;
  __u16 len1;
  __u16 len2;
  __u32 pad;
  __u64 h1;
  __u64 h2;
};
