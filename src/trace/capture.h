// Bounded capture of one output stream: the first and the last `limit` bytes
// are kept, the middle is counted. Memory stays at 2 × limit whatever the
// child writes.
#pragma once

#include <string>

#include "trace/trace.h"

namespace bootmortem::trace {

class StreamCapture {
 public:
  explicit StreamCapture(size_t limit) : limit_(limit) {}
  void append(const char* data, size_t n);
  Captured finish() const;

 private:
  size_t limit_;
  std::string head_;
  std::string tail_;  // a ring once full: tail_start_ marks the oldest byte
  size_t tail_start_ = 0;
  uint64_t total_ = 0;
};

}  // namespace bootmortem::trace
