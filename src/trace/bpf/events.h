// What the kernel half of the eBPF backend (tracer.bpf.c) and the user half
// (ebpf_tracer.cpp) exchange: map sizes, the per-syscall layout userspace
// fills in, and the ring buffer's records. Plain C, shared by both.
#pragma once

#include <linux/types.h>

#define BM_MAX_PROCS 8192        // live processes of the tree at once
#define BM_MAX_NR 512            // syscall numbers
#define BM_MAX_DISTINCT 4096     // distinct failures counted in the kernel (TraceOptions::max_failed)
// A byte per slot, set for a key in `counts` (slot: a hash of the key). A
// failure whose slot is clear is new: no lookup of the map, whose buckets a
// storm of distinct paths reads all over (a cache miss each). 32 KiB: at
// most 4,096 keys set 12 % of the slots.
#define BM_SEEN_SLOTS 32768
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

// Counters the programs keep per CPU and userspace sums at the end: one
// struct, so that an event looks them up once.
struct bm_stats {
  __u64 lost;           // events the ring buffer had no room for
  __u64 distinct_full;  // failures not counted in the kernel (map full)
  __u64 procs_full;     // forked processes that could not be followed
  __u64 failed;         // failures of watched calls, all of them
  __u64 counted;        // of which counted in the kernel only (a key seen before)
  __u64 unseen;         // of which new by the `seen` slots, without a lookup
  __u64 events;         // the tree's events the programs handled
  // One event in BM_TIME_EVERY is timed (bpf_ktime_get_ns at its start and
  // end): a clock read costs 30-80 ns in a VM, a failed call's whole
  // handling a few hundred. The time of all is estimated from these.
  __u64 timed;
  __u64 timed_ns;
};
#define BM_TIME_EVERY 16

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

struct bm_seen {
  __u8 slot[BM_SEEN_SLOTS];
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
