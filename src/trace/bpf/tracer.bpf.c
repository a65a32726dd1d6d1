// Kernel half of the eBPF backend. Raw tracepoints (no tracefs needed):
// sys_exit turns the failed watched calls of the replay's tasks into events;
// sched_process_fork/exec/exit keep the set of traced processes and report
// the tree's life. Everything is filtered here: any system call on the
// machine costs one read of its number and one array lookup; only a watched
// call that failed (or a chdir) also looks its process up. Failed calls are
// aggregated here too: the first occurrence of a (call, errno, path) goes to
// the ring buffer, the rest only count in a map.
//
// A failure seen before costs the copy of its strings, their hash and one
// map update; a new one past the records kept, the copy and the hash (the
// `seen` slots say it is new without a lookup). On a storm of 1,000,000
// failing stat(2) calls, timed by the program itself: 75-85 ns a call on
// distinct paths, 120-150 on one path; by the kernel's statistics 258 and
// 276 ns a run, where it was 660 and 372 (bench/README.md).
//
// The arguments are read at the call's exit from the registers saved at its
// entry (pt_regs: the x86-64 calls watched here never write them back), so
// there is no program on sys_enter and no table of calls in flight: nothing
// to pay on every system call's entry, nothing to evict.
//
// No vmlinux.h and no CO-RE relocation: the few kernel fields read are at
// offsets userspace looked up in the kernel's BTF (ebpf_offsets.cpp) and
// sets before loading, so loading never parses the kernel's 5 MB of BTF.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "trace/bpf/events.h"

char LICENSE[] SEC("license") = "GPL";

// Records are sent without waking the reader (BPF_RB_NO_WAKEUP): it drains
// the ring buffer every few milliseconds instead of being woken for each of
// a Python boot's thousand failed lookups; once a quarter of the buffer is
// waiting, it is woken at once so that a flood does not overrun it.

const volatile __u32 off_regs[6] = {};           // pt_regs: di, si, dx, r10, r8, r9
const volatile __u32 off_orig_ax = 0;            // pt_regs: the syscall number
const volatile __u32 off_task_pid = 0;
const volatile __u32 off_task_tgid = 0;
const volatile __u32 off_task_real_parent = 0;
const volatile __u32 off_task_signal = 0;
const volatile __u32 off_task_exit_code = 0;
const volatile __u32 off_signal_live = 0;        // signal_struct.live.counter
const volatile __u32 off_bprm_filename = 0;

// Set by userspace once it keeps no new distinct failure: then new ones are
// only counted (bm_stats.failed), not sent.
volatile __u32 records_full = 0;
// And a bound of the kernel's own: at most max_records new failures, and
// their strings at most max_bytes, are ever sent, so that a flood of long
// distinct paths cannot outrun the reader and overrun the ring buffer.
volatile __u32 max_records = 0;
volatile __u64 max_bytes = 0;
__u32 sent_records = 0;
__u64 sent_bytes = 0;

static __always_inline __u64 read_u64(const void *base, __u32 off) {
  __u64 v = 0;
  bpf_probe_read_kernel(&v, sizeof v, (const char *)base + off);
  return v;
}
static __always_inline __s32 read_s32(const void *base, __u32 off) {
  __s32 v = 0;
  bpf_probe_read_kernel(&v, sizeof v, (const char *)base + off);
  return v;
}

// Processes (thread group ids) of the replay's tree.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, BM_MAX_PROCS);  // preallocated: a fork storm never meets ENOMEM
  __type(key, __u32);
  __type(value, __u8);
} procs SEC(".maps");

// Per watched syscall number: which arguments to read (userspace fills it).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, BM_MAX_NR);
  __type(key, __u32);
  __type(value, struct bm_layout);
} layout SEC(".maps");

// Occurrences of each distinct failure seen so far.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, BM_MAX_DISTINCT);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct bm_key);
  __type(value, struct bm_count);
} counts SEC(".maps");

// Which slots hold a key of `counts` (events.h: BM_SEEN_SLOTS).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct bm_seen);
} seen SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, BM_RINGBUF_BYTES);
} events SEC(".maps");

// Per CPU: the event being built (too big for the BPF stack).
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct bm_fail);
} scratch SEC(".maps");

// Counters userspace sums over the CPUs at the end.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct bm_stats);
} stats SEC(".maps");

// The tree's events are counted, and one in BM_TIME_EVERY timed: what
// tracing takes from the program (TracerCost), measured where it is spent.
static __always_inline struct bm_stats *stats_begin(__u64 *t0) {
  __u32 zero = 0;
  struct bm_stats *st = bpf_map_lookup_elem(&stats, &zero);
  *t0 = st && st->events % BM_TIME_EVERY == 0 ? bpf_ktime_get_ns() : 0;
  return st;
}
static __always_inline void stats_end(struct bm_stats *st, __u64 t0) {
  if (!st) return;
  st->events += 1;
  if (t0) {
    st->timed += 1;
    st->timed_ns += bpf_ktime_get_ns() - t0;
  }
}

static __always_inline __u64 rb_flags(void) {
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > BM_RINGBUF_BYTES / 4 ? BPF_RB_FORCE_WAKEUP
                                                                              : BPF_RB_NO_WAKEUP;
}

static __always_inline int traced(__u32 tgid) { return bpf_map_lookup_elem(&procs, &tgid) != 0; }

// A record of size bytes of e (at most all of it); counted as lost when the
// ring buffer has no room.
static __always_inline void send(struct bm_fail *e, __u64 size, struct bm_stats *st) {
  if (size > sizeof(*e)) size = sizeof(*e);
  if (bpf_ringbuf_output(&events, e, size, rb_flags()) != 0 && st) st->lost += 1;
}

static __always_inline void send_proc(__u32 kind, __u32 tgid, __u32 ppid, __s32 code, struct bm_stats *st) {
  struct bm_proc *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    if (st) st->lost += 1;
    return;
  }
  e->kind = kind;
  e->tgid = tgid;
  e->ppid = ppid;
  e->code = code;
  e->ts = bpf_ktime_get_ns();
  bpf_ringbuf_submit(e, rb_flags());
}

// The syscall's argument idx (0-5), from the registers saved at its entry.
static __always_inline __u64 arg(const void *regs, __s8 idx) { return read_u64(regs, off_regs[idx & 7]); }

// Copies argument idx's string (or, with len_idx, its sockaddr of that
// length) into s1 or s2; its length without the NUL.
static __always_inline void read_arg(struct bm_fail *e, const void *regs, __s8 idx, int second, __s8 len_idx) {
  if (idx < 0 || idx > 5) return;
  const void *ptr = (const void *)arg(regs, idx);
  if (!ptr) return;
  long n;
  if (len_idx >= 0 && len_idx <= 5) {  // a sockaddr of the given length
    __u64 len = arg(regs, len_idx);
    if (len > BM_SOCKADDR_MAX) len = BM_SOCKADDR_MAX;
    n = bpf_probe_read_user(second ? e->s2 : e->s1, len & (BM_SOCKADDR_MAX * 2 - 1), ptr) == 0 ? (long)len : -1;
  } else {
    n = bpf_probe_read_user_str(second ? e->s2 : e->s1, BM_STR_MAX, ptr);
    if (n > 0) n -= 1;  // without the NUL
  }
  if (n < 0) n = 0;
  if (second) e->len2 = (__u16)n;
  else e->len1 = (__u16)n;
}

// FNV-1a over the first len bytes of a BM_STR_MAX buffer, eight bytes a
// step, the bytes past len (an earlier string's) masked off. The first
// BM_HASH_INLINE bytes, which hold nearly every path, are read straight from
// the map value in a loop the verifier walks once at load; a longer string's
// rest goes through bpf_loop (checked once, however long), a helper call a
// step. A failed call's hashing took two bpf_loops with a helper call per
// eight bytes before: 530 ns a call on a storm of distinct paths in all.
#define FNV_PRIME 1099511628211ull
#define BM_HASH_INLINE 256

static __always_inline __u64 fnv_word(__u64 h, __u64 word, __u32 left) {
  if (left < 8) word &= (1ull << (left * 8)) - 1;
  return (h ^ word) * FNV_PRIME;
}

struct fnv_ctx {
  const char *s;
  __u32 len;
  __u64 h;
};

static long fnv_step(__u32 i, void *data) {
  struct fnv_ctx *c = data;
  __u32 at = (BM_HASH_INLINE + i * 8) & (BM_STR_MAX - 8);
  __u64 word = 0;
  if (bpf_probe_read_kernel(&word, sizeof word, c->s + at) != 0) return 1;
  c->h = fnv_word(c->h, word, c->len - at);
  return 0;
}

static __always_inline __u64 fnv(const char *s, __u32 len) {
  if (len > BM_STR_MAX) len = BM_STR_MAX;
  __u64 h = 14695981039346656037ull ^ len;
  for (__u32 at = 0; at < BM_HASH_INLINE; at += 8) {
    if (at >= len) return h;
    h = fnv_word(h, *(const __u64 *)(s + at), len - at);
  }
  if (len > BM_HASH_INLINE) {
    struct fnv_ctx c = {.s = s, .len = len, .h = h};
    bpf_loop((len - BM_HASH_INLINE + 7) / 8, fnv_step, &c, 0);
    h = c.h;
  }
  return h;
}

// One more occurrence of a failure counted in the kernel; false when the
// key is not there.
static __always_inline int count_again(struct bm_key *key, __u64 id, struct bm_stats *st) {
  struct bm_count *c = bpf_map_lookup_elem(&counts, key);
  if (!c) return 0;
  __sync_fetch_and_add(&c->count, 1);
  if (c->last_tgid != (__u32)(id >> 32)) {
    c->last_tgid = id >> 32;
    __sync_fetch_and_add(&c->pids, 1);
  }
  if (st) st->counted += 1;
  return 1;
}

// A failed watched call (failed) or a chdir that worked, of a traced process.
// A failure seen before costs its strings' copy, their hash and one map
// update; only a failure's first occurrence is sent, with all its arguments.
static __always_inline void on_call(const void *regs, struct bm_layout *l, __u32 nr, long ret, int failed,
                                    __u64 id, struct bm_stats *st) {
  __u32 zero = 0;
  struct bm_fail *e = bpf_map_lookup_elem(&scratch, &zero);
  if (!e) return;
  e->len1 = 0;
  e->len2 = 0;
  read_arg(e, regs, l->str1, 0, l->sockaddr_len);
  read_arg(e, regs, l->str2, 1, -1);
  e->aggregated = 0;
  e->h1 = e->h2 = 0;
  if (failed) {
    if (st) st->failed += 1;
    // Keyed by hashes of the whole strings: two long paths that differ
    // only at the end are two failures.
    struct bm_key key = {};
    key.nr = nr;
    key.ret = (__s32)ret;
    key.len1 = e->len1;
    key.len2 = e->len2;
    key.h1 = fnv(e->s1, e->len1);
    key.h2 = e->len2 ? fnv(e->s2, e->len2) : 0;
    // Its slot is set before the key goes in: an event on another CPU that
    // finds it clear meanwhile takes the same path, and whichever insert
    // comes second finds the key there and counts.
    struct bm_seen *seen_slots = bpf_map_lookup_elem(&seen, &zero);
    if (!seen_slots) return;
    __u64 mix = key.h1 ^ (key.h2 * FNV_PRIME) ^ ((__u64)nr << 32) ^ (__u32)ret;
    __u8 *slot = &seen_slots->slot[(mix ^ (mix >> 31)) & (BM_SEEN_SLOTS - 1)];
    if (*slot) {
      if (count_again(&key, id, st)) return;
    } else if (st) {
      st->unseen += 1;
    }
    if (records_full || sent_records >= max_records || sent_bytes >= max_bytes) return;
    *slot = 1;
    struct bm_count first = {.count = 1, .last_tgid = id >> 32, .pids = 1};
    long err = bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST);
    if (err == -17 /* EEXIST */ && count_again(&key, id, st)) return;
    __sync_fetch_and_add(&sent_records, 1);
    __sync_fetch_and_add(&sent_bytes, (__u64)e->len1 + e->len2);
    if (err == 0) e->aggregated = 1;
    else if (st) st->distinct_full += 1;
    e->h1 = key.h1;
    e->h2 = key.h2;
  }
  e->kind = failed ? BM_EV_FAIL : BM_EV_OK;
  e->tgid = id >> 32;
  e->tid = (__u32)id;
  e->nr = nr;
  e->ret = (__s32)ret;
  e->ts = bpf_ktime_get_ns();
  for (int i = 0; i < 6; ++i) e->args[i] = arg(regs, i);
  // s2 starts after s1's whole buffer: send it only when there is one.
  send(e, e->len2 ? BM_FAIL_HEAD + BM_STR_MAX + e->len2 : BM_FAIL_HEAD + e->len1, st);
}

SEC("raw_tracepoint/sys_exit")
int bm_sys_exit(struct bpf_raw_tracepoint_args *ctx) {
  // Every system call on the machine comes here: the cheapest tests first.
  const void *regs = (const void *)ctx->args[0];
  __u32 nr = (__u32)read_u64(regs, off_orig_ax);
  struct bm_layout *l = bpf_map_lookup_elem(&layout, &nr);
  if (!l || !l->watched) return 0;
  long ret = (long)ctx->args[1];
  int failed = ret < 0 && ret >= -4095;
  if (!failed && !l->report_success) return 0;
  __u64 id = bpf_get_current_pid_tgid();
  if (!traced(id >> 32)) return 0;
  __u64 t0;
  struct bm_stats *st = stats_begin(&t0);
  on_call(regs, l, nr, ret, failed, id, st);
  stats_end(st, t0);
  return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int bm_fork(struct bpf_raw_tracepoint_args *ctx) {
  const void *parent = (const void *)ctx->args[0];
  const void *child = (const void *)ctx->args[1];
  __u32 ptgid = read_s32(parent, off_task_tgid);
  if (!traced(ptgid)) return 0;
  __u32 ctgid = read_s32(child, off_task_tgid);
  if (ctgid == ptgid) return 0;  // a thread
  __u64 t0;
  struct bm_stats *st = stats_begin(&t0);
  __u8 one = 1;
  if (bpf_map_update_elem(&procs, &ctgid, &one, BPF_ANY) != 0) {
    if (st) st->procs_full += 1;
  } else {
    send_proc(BM_EV_FORK, ctgid, ptgid, 0, st);
  }
  stats_end(st, t0);
  return 0;
}

SEC("raw_tracepoint/sched_process_exec")
int bm_exec(struct bpf_raw_tracepoint_args *ctx) {
  const void *p = (const void *)ctx->args[0];
  __u32 tgid = read_s32(p, off_task_tgid);
  if (!traced(tgid)) return 0;
  __u64 t0;
  struct bm_stats *st = stats_begin(&t0);
  const void *bprm = (const void *)ctx->args[2];
  __u32 zero = 0;
  struct bm_fail *e = bpf_map_lookup_elem(&scratch, &zero);
  if (!e) return 0;
  e->kind = BM_EV_EXEC;
  e->tgid = tgid;
  e->tid = read_s32(p, off_task_pid);
  e->nr = 0;
  e->ret = 0;
  e->ts = bpf_ktime_get_ns();
  e->len2 = 0;
  e->aggregated = 0;
  const char *filename = (const char *)read_u64(bprm, off_bprm_filename);
  long n = bpf_probe_read_kernel_str(e->s1, BM_STR_MAX, filename);
  e->len1 = n > 0 ? (__u16)(n - 1) : 0;
  send(e, BM_FAIL_HEAD + e->len1, st);
  stats_end(st, t0);
  return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int bm_exit(struct bpf_raw_tracepoint_args *ctx) {
  const void *p = (const void *)ctx->args[0];
  __u32 tgid = read_s32(p, off_task_tgid);
  if (!traced(tgid)) return 0;
  // The thread group ends with its last thread.
  const void *signal = (const void *)read_u64(p, off_task_signal);
  if (read_s32(signal, off_signal_live) != 0) return 0;
  __u64 t0;
  struct bm_stats *st = stats_begin(&t0);
  bpf_map_delete_elem(&procs, &tgid);
  send_proc(BM_EV_EXIT, tgid, read_s32((const void *)read_u64(p, off_task_real_parent), off_task_tgid),
            read_s32(p, off_task_exit_code), st);
  stats_end(st, t0);
  return 0;
}
