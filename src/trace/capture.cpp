#include "trace/capture.h"

#include <algorithm>
#include <cstring>

namespace bootmortem::trace {

void StreamCapture::append(const char* data, size_t n) {
  total_ += n;
  if (head_.size() < limit_) {
    size_t take = std::min(n, limit_ - head_.size());
    head_.append(data, take);
    data += take;
    n -= take;
  }
  if (n == 0) return;
  if (n >= limit_) {  // the new bytes alone fill the tail
    tail_.assign(data + n - limit_, limit_);
    tail_start_ = 0;
    return;
  }
  if (tail_.size() < limit_) {
    size_t take = std::min(n, limit_ - tail_.size());
    tail_.append(data, take);
    data += take;
    n -= take;
  }
  while (n > 0) {  // ring overwrite of the oldest bytes: two copies at most
    size_t take = std::min(n, limit_ - tail_start_);
    std::memcpy(tail_.data() + tail_start_, data, take);
    tail_start_ = (tail_start_ + take) % limit_;
    data += take;
    n -= take;
  }
}

Captured StreamCapture::finish() const {
  Captured c;
  c.head = head_;
  c.tail = tail_.substr(tail_start_) + tail_.substr(0, tail_start_);
  c.total = total_;
  c.dropped = total_ - c.head.size() - c.tail.size();
  return c;
}

std::string Captured::text() const {
  if (dropped == 0) return head + tail;
  return head + "\n[... " + std::to_string(dropped) + " bytes not kept ...]\n" + tail;
}

}  // namespace bootmortem::trace
