// Failed calls aggregated by (call, errno, path, path2, address): a call that
// fails a million times is one record with a count, and ten thousand
// processes failing the same call are one record with a pid count. A call
// already seen costs a hash and a compare, never an allocation; only a new
// record allocates, and there are at most max_records of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "trace/trace.h"

namespace bootmortem::trace {

class FailedTable {
 public:
  struct Key {
    const char* call;
    int err;
    std::string_view path;
    std::string_view path2;
    std::string_view addr;
  };

  // Records also stop when their text passes max_bytes, so that long paths
  // cannot add up to more than the memory bound either.
  static constexpr size_t k_default_max_bytes = 4 << 20;
  explicit FailedTable(size_t max_records, size_t max_bytes = k_default_max_bytes);

  // One failure of key by pid. Returns the record when this is its first
  // failure (the caller fills args, port and at_ms), else nullptr: counted
  // in an existing record, or dropped when no new record fits.
  FailedSyscall* add(const Key& key, int pid);

  // For failures counted elsewhere (the eBPF backend counts in the kernel):
  // the index of key's record, then n more failures by more_pids further
  // processes added to it; or n failures whose record did not fit.
  std::optional<size_t> index_of(const Key& key) const;
  void add_to(size_t index, uint64_t n, uint64_t more_pids);
  void add_dropped(uint64_t n) {
    total_ += n;
    dropped_ += n;
  }

  // No new record of any size fits any more (then a caller that has to
  // work to build a key can stop doing so: the failure is dropped anyway).
  bool full() const { return records_.size() >= max_records_ || bytes_ + k_largest_cost > max_bytes_; }
  static constexpr size_t k_largest_cost = 4 * 4096 + 256 + 128;  // two PATH_MAX paths, an address

  uint64_t total() const { return total_; }
  uint64_t dropped() const { return dropped_; }
  size_t size() const { return records_.size(); }
  // The records in order of first failure.
  std::vector<FailedSyscall> take() { return std::move(records_); }

  static uint64_t hash(const Key& key);

 private:
  static constexpr size_t k_ring = 8;
  struct Pids {
    int32_t recent[k_ring] = {};  // the last distinct pids, a ring
    uint8_t next = 0;
    uint8_t used = 0;
  };
  struct Slot {
    uint32_t hash_hi = 0;
    uint32_t index = k_empty;
  };
  static constexpr uint32_t k_empty = UINT32_MAX;

  bool same(const FailedSyscall& f, const Key& key) const;
  void count_pid(size_t index, int pid);

  size_t max_records_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::vector<Slot> slots_;  // open addressing, linear probing; never rehashed
  std::vector<FailedSyscall> records_;
  std::vector<Pids> pids_;
  uint64_t total_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace bootmortem::trace
