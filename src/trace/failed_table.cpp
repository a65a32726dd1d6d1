#include "trace/failed_table.h"

#include <algorithm>

namespace bootmortem::trace {
namespace {

// FNV-1a, 64 bits; lengths are mixed in so that ("ab", "c") and ("a", "bc") differ.
struct Fnv {
  uint64_t h = 14695981039346656037ull;
  void bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  }
  void field(std::string_view s) {
    uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }
};

size_t table_size(size_t max_records) {
  size_t n = 16;
  while (n < 2 * max_records) n <<= 1;  // load factor at most 1/2
  return n;
}

}  // namespace

FailedTable::FailedTable(size_t max_records, size_t max_bytes)
    : max_records_(max_records), max_bytes_(max_bytes), slots_(table_size(max_records)) {
  records_.reserve(std::min<size_t>(max_records, 1024));
  pids_.reserve(std::min<size_t>(max_records, 1024));
}

uint64_t FailedTable::hash(const Key& key) {
  Fnv f;
  f.field(key.call);
  f.bytes(&key.err, sizeof key.err);
  f.field(key.path);
  f.field(key.path2);
  f.field(key.addr);
  return f.h;
}

bool FailedTable::same(const FailedSyscall& f, const Key& key) const {
  return f.err == key.err && f.path == key.path && f.path2 == key.path2 && f.addr == key.addr &&
         f.call == key.call;
}

void FailedTable::count_pid(size_t index, int pid) {
  Pids& p = pids_[index];
  for (uint8_t i = 0; i < p.used; ++i)
    if (p.recent[i] == pid) return;
  ++records_[index].pids;
  p.recent[p.next] = pid;
  p.next = static_cast<uint8_t>((p.next + 1) % k_ring);
  if (p.used < k_ring) ++p.used;
}

std::optional<size_t> FailedTable::index_of(const Key& key) const {
  const uint64_t h = hash(key);
  const uint32_t hi = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(h) & mask; slots_[i].index != k_empty; i = (i + 1) & mask)
    if (slots_[i].hash_hi == hi && same(records_[slots_[i].index], key)) return slots_[i].index;
  return std::nullopt;
}

void FailedTable::add_to(size_t index, uint64_t n, uint64_t more_pids) {
  total_ += n;
  records_[index].count += n;
  records_[index].pids += more_pids;
}

FailedSyscall* FailedTable::add(const Key& key, int pid) {
  ++total_;
  const uint64_t h = hash(key);
  const uint32_t hi = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(h) & mask;
  for (; slots_[i].index != k_empty; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash_hi == hi && same(records_[s.index], key)) {
      ++records_[s.index].count;
      count_pid(s.index, pid);
      return nullptr;
    }
  }
  // An estimate of what the record will hold: its paths twice (once quoted
  // in args), the address, and the rest of the argument text.
  const size_t cost = 2 * (key.path.size() + key.path2.size()) + key.addr.size() + 128;
  if (records_.size() >= max_records_ || bytes_ + cost > max_bytes_) {
    ++dropped_;
    return nullptr;
  }
  bytes_ += cost;
  slots_[i] = Slot{hi, static_cast<uint32_t>(records_.size())};
  FailedSyscall& f = records_.emplace_back();
  f.pid = pid;
  f.call = key.call;
  f.err = key.err;
  f.path = key.path;
  f.path2 = key.path2;
  f.addr = key.addr;
  f.seq = records_.size();
  Pids& p = pids_.emplace_back();
  p.recent[0] = pid;
  p.next = 1;
  p.used = 1;
  return &f;
}

}  // namespace bootmortem::trace
