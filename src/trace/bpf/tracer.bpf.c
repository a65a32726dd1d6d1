// Kernel half of the eBPF backend. Raw tracepoints (no tracefs needed):
// sys_exit turns the failed watched calls of the replay's tasks into events;
// sched_process_fork/exec/exit keep the set of traced processes and report
// the tree's life. Everything is filtered here: any system call on the
// machine costs one read of its number and one array lookup; only a watched
// call that failed (or a chdir) also looks its process up. Failed calls are
// aggregated here too: the first occurrence of a (call, errno, path) goes to
// the ring buffer, the rest only count in a map.
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
// only counted (BM_STAT_FAILED), not sent.
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

// Counters userspace reads at the end: BM_STAT_*.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, BM_STAT_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} stats SEC(".maps");

static __always_inline void bump(__u32 which) {
  __u64 *v = bpf_map_lookup_elem(&stats, &which);
  if (v) *v += 1;
}

static __always_inline __u64 rb_flags(void) {
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > BM_RINGBUF_BYTES / 4 ? BPF_RB_FORCE_WAKEUP
                                                                              : BPF_RB_NO_WAKEUP;
}

static __always_inline int traced(__u32 tgid) { return bpf_map_lookup_elem(&procs, &tgid) != 0; }

// A record of size bytes of e (at most all of it); counted as lost when the
// ring buffer has no room.
static __always_inline void send(struct bm_fail *e, __u64 size) {
  if (size > sizeof(*e)) size = sizeof(*e);
  if (bpf_ringbuf_output(&events, e, size, rb_flags()) != 0) bump(BM_STAT_LOST);
}

static __always_inline void send_proc(__u32 kind, __u32 tgid, __u32 ppid, __s32 code) {
  struct bm_proc *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    bump(BM_STAT_LOST);
    return;
  }
  e->kind = kind;
  e->tgid = tgid;
  e->ppid = ppid;
  e->code = code;
  e->ts = bpf_ktime_get_ns();
  bpf_ringbuf_submit(e, rb_flags());
}


static __always_inline void read_arg(struct bm_fail *e, __s8 idx, int second, __s8 len_idx) {
  if (idx < 0 || idx > 5) return;
  const void *ptr = (const void *)e->args[idx & 7];
  if (!ptr) return;
  long n;
  if (len_idx >= 0 && len_idx <= 5) {  // a sockaddr of the given length
    __u64 len = e->args[len_idx & 7];
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
// step. Through bpf_loop: the verifier checks the step once instead of
// walking up to 4096 iterations at every load.
struct fnv_ctx {
  const char *s;
  __u32 len;
  __u64 h;
};

static long fnv_step(__u32 i, void *data) {
  struct fnv_ctx *c = data;
  __u32 at = (i * 8) & (BM_STR_MAX - 8);
  __u64 word = 0;
  if (bpf_probe_read_kernel(&word, sizeof word, c->s + at) != 0) return 1;
  if (c->len - i * 8 < 8) word &= (1ull << ((c->len - i * 8) * 8)) - 1;  // the bytes past len are old
  c->h ^= word;
  c->h *= 1099511628211ull;
  return 0;
}

static __always_inline __u64 fnv(const char *s, __u32 len) {
  struct fnv_ctx c = {.s = s, .len = len, .h = 14695981039346656037ull ^ len};
  if (len > BM_STR_MAX) len = BM_STR_MAX;
  bpf_loop((len + 7) / 8, fnv_step, &c, 0);
  return c.h;
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
  __u32 zero = 0;
  struct bm_fail *e = bpf_map_lookup_elem(&scratch, &zero);
  if (!e) return 0;
  e->kind = failed ? BM_EV_FAIL : BM_EV_OK;
  e->tgid = id >> 32;
  e->tid = (__u32)id;
  e->nr = nr;
  e->ret = (__s32)ret;
  e->ts = bpf_ktime_get_ns();
  e->len1 = 0;
  e->len2 = 0;
  e->aggregated = 0;
  e->h1 = e->h2 = 0;
  for (int i = 0; i < 6; ++i) e->args[i] = read_u64(regs, off_regs[i]);
  read_arg(e, l->str1, 0, l->sockaddr_len);
  read_arg(e, l->str2, 1, -1);

  if (failed) {
    bump(BM_STAT_FAILED);
    // Keyed by hashes of the whole strings: two long paths that differ
    // only at the end are two failures.
    e->h1 = fnv(e->s1, e->len1);
    e->h2 = fnv(e->s2, e->len2);
    struct bm_key key = {};
    key.nr = nr;
    key.ret = (__s32)ret;
    key.len1 = e->len1;
    key.len2 = e->len2;
    key.h1 = e->h1;
    key.h2 = e->h2;
    struct bm_count *c = bpf_map_lookup_elem(&counts, &key);
    if (c) {
      __sync_fetch_and_add(&c->count, 1);
      if (c->last_tgid != e->tgid) {
        c->last_tgid = e->tgid;
        __sync_fetch_and_add(&c->pids, 1);
      }
      return 0;
    }
    if (records_full || sent_records >= max_records || sent_bytes >= max_bytes) return 0;
    __sync_fetch_and_add(&sent_records, 1);
    __sync_fetch_and_add(&sent_bytes, (__u64)e->len1 + e->len2);
    struct bm_count first = {.count = 1, .last_tgid = e->tgid, .pids = 1};
    if (bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST) == 0) e->aggregated = 1;
    else bump(BM_STAT_DISTINCT_FULL);
  }
  // s2 starts after s1's whole buffer: send it only when there is one.
  send(e, e->len2 ? BM_FAIL_HEAD + BM_STR_MAX + e->len2 : BM_FAIL_HEAD + e->len1);
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
  __u8 one = 1;
  if (bpf_map_update_elem(&procs, &ctgid, &one, BPF_ANY) != 0) {
    bump(BM_STAT_PROCS_FULL);
    return 0;
  }
  send_proc(BM_EV_FORK, ctgid, ptgid, 0);
  return 0;
}

SEC("raw_tracepoint/sched_process_exec")
int bm_exec(struct bpf_raw_tracepoint_args *ctx) {
  const void *p = (const void *)ctx->args[0];
  __u32 tgid = read_s32(p, off_task_tgid);
  if (!traced(tgid)) return 0;
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
  send(e, BM_FAIL_HEAD + e->len1);
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
  bpf_map_delete_elem(&procs, &tgid);
  send_proc(BM_EV_EXIT, tgid, read_s32((const void *)read_u64(p, off_task_real_parent), off_task_tgid),
            read_s32(p, off_task_exit_code));
  return 0;
}
