#include "rules/log_scan.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <set>

#include <re2/re2.h>
#include <re2/set.h>

#include "core/error.h"

namespace bootmortem::rules {

namespace {

// The compiled patterns: each alone, and all of them as one set.
struct Compiled {
  ScanOptions o;
  std::vector<std::unique_ptr<RE2>> res;
  std::unique_ptr<RE2::Set> set;
  size_t dfa_failures = 0;
};

// Where a kept match lies: whole lines, numbered.
struct Occurrence {
  uint64_t offset = 0, end = 0, line = 0;
  std::string text;
  bool cut = false;
};

struct PatternState {
  std::vector<Occurrence> first;
  std::deque<Occurrence> last;  // after every one of first
};

// Newlines in b[from, to), eight bytes at a time: counting them must not
// cost a tenth of the set's pass over the same bytes (std::count does, at -O2).
size_t count_newlines(std::string_view b, size_t from, size_t to) {
  constexpr uint64_t k_ones = 0x0101010101010101ULL, k_low7 = 0x7f7f7f7f7f7f7f7fULL;
  const char* p = b.data() + from;
  const char* end = b.data() + to;
  size_t n = 0;
  for (; end - p >= 8; p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    w ^= k_ones * '\n';  // a newline is now a zero byte
    // High bit set exactly in the zero bytes (no borrow across bytes).
    const uint64_t zero = ~(((w & k_low7) + k_low7) | w | k_low7);
    // One bit per byte moved to its low end; the multiply sums the bytes
    // into the top one (no popcount instruction in baseline x86-64).
    n += static_cast<size_t>(((zero >> 7) * k_ones) >> 56);
  }
  for (; p < end; ++p) n += *p == '\n';
  return n;
}

// One file's scan: the state that outlives a block.
class Scan {
 public:
  explicit Scan(Compiled& im) : im_(im), o_(im.o), patterns_(im.res.size()) {}

  void block(std::string_view b) {
    block_ = b;
    block_newlines_ = count_newlines(b, 0, b.size());
    cursor_ = 0;
    cursor_line_ = line_;
    std::set<int> hits;
    if (!im_.res.empty()) matching(b, hits);
    for (int p : hits) collect(p);
    keep_tail(b);
    out_.bytes += b.size();
    offset_ += b.size();
    line_ += block_newlines_;
    out_.lines += block_newlines_;
    last_byte_ = b.back();
  }

  evidence::LogScan finish() {
    if (out_.bytes > 0 && last_byte_ != '\n') ++out_.lines;
    out_.tail_offset = out_.bytes - tail_.size();
    // A cut tail starts at the next whole line (when there is one).
    if (out_.tail_offset > 0) {
      size_t nl = tail_.find('\n');
      if (nl != std::string::npos && nl + 1 < tail_.size()) {
        tail_.erase(0, nl + 1);
        out_.tail_offset += nl + 1;
      }
    }
    out_.tail = std::move(tail_);
    std::vector<Occurrence> all;
    for (auto& s : patterns_) {
      for (auto& occ : s.first) all.push_back(std::move(occ));
      for (auto& occ : s.last) all.push_back(std::move(occ));
    }
    std::sort(all.begin(), all.end(), [](const Occurrence& a, const Occurrence& b) {
      return a.offset != b.offset ? a.offset < b.offset : a.end > b.end;
    });
    std::vector<Occurrence> merged;
    for (auto& occ : all) {
      if (!merged.empty() && occ.offset <= merged.back().end) {  // the same lines, or overlapping ones
        Occurrence& m = merged.back();
        if (occ.end > m.end) {
          if (!m.cut && !occ.cut) m.text += occ.text.substr(m.end - occ.offset);
          else m.cut = true;
          m.end = occ.end;
        }
        continue;
      }
      merged.push_back(std::move(occ));
    }
    for (auto& m : merged) out_.excerpts.push_back({m.line, m.offset, m.end, std::move(m.text)});
    return std::move(out_);
  }

 private:
  // Which patterns match somewhere in b: one set pass; when the DFA runs out
  // of memory, the halves, and at the smallest size each pattern alone (RE2
  // then falls back to its NFA).
  void matching(std::string_view b, std::set<int>& hits) {
    std::vector<int> v;
    RE2::Set::ErrorInfo info{RE2::Set::kNoError};
    const bool simulated = o_.simulate_dfa_failure_from && b.size() >= o_.simulate_dfa_failure_from;
    if (!simulated) {
      if (im_.set->Match(re2::StringPiece(b.data(), b.size()), &v, &info) || info.kind == RE2::Set::kNoError) {
        hits.insert(v.begin(), v.end());
        return;
      }
    }
    ++im_.dfa_failures;
    if (b.size() > o_.min_block_bytes)
      if (size_t cut = split_point(b)) {
        matching(b.substr(0, cut), hits);
        matching(b.substr(cut), hits);
        return;
      }
    for (size_t p = 0; p < im_.res.size(); ++p)
      if (RE2::PartialMatch(re2::StringPiece(b.data(), b.size()), *im_.res[p])) hits.insert(static_cast<int>(p));
  }

  // After a newline near the middle; 0 when b is one line (a line is never
  // split: its matches would be lost).
  static size_t split_point(std::string_view b) {
    size_t mid = b.size() / 2;
    size_t nl = b.find('\n', mid);
    if (nl != std::string_view::npos && nl + 1 < b.size()) return nl + 1;
    nl = mid > 0 ? b.rfind('\n', mid - 1) : std::string_view::npos;
    return nl == std::string_view::npos ? 0 : nl + 1;
  }

  // The next match of pattern p at or after pos: [start, end) in the block.
  bool find(int p, size_t pos, size_t* start, size_t* end) const {
    re2::StringPiece m;
    if (!im_.res[p]->Match(re2::StringPiece(block_.data(), block_.size()), pos, block_.size(), RE2::UNANCHORED,
                           &m, 1))
      return false;
    *start = static_cast<size_t>(m.data() - block_.data());
    *end = *start + m.size();
    return true;
  }

  // 1-based number of the line that starts at block position pos; counts
  // from the cursor or from the block's end, whichever is nearer.
  uint64_t line_at(size_t pos) {
    if (pos >= cursor_ && pos - cursor_ <= block_.size() - pos) {
      cursor_line_ += count_newlines(block_, cursor_, pos);
    } else {
      cursor_line_ = line_ + block_newlines_ - count_newlines(block_, pos, block_.size());
    }
    cursor_ = pos;
    return cursor_line_;
  }

  // The whole lines of the match [ms, me); *next is where the next search starts.
  Occurrence occurrence(size_t ms, size_t me, size_t* next) {
    size_t ls = 0;
    if (ms > 0) {
      size_t nl = block_.rfind('\n', ms - 1);
      ls = nl == std::string_view::npos ? 0 : nl + 1;
    }
    size_t last = me > ms ? me - 1 : ms;
    size_t le = last < block_.size() ? block_.find('\n', last) : std::string_view::npos;
    if (le == std::string_view::npos) le = block_.size();
    Occurrence occ;
    occ.offset = offset_ + ls;
    occ.end = offset_ + le;
    occ.line = line_at(ls);
    occ.cut = le - ls > o_.max_excerpt_bytes;
    occ.text = std::string(block_.substr(ls, std::min(le - ls, o_.max_excerpt_bytes)));
    *next = le + 1;
    return occ;
  }

  void collect(int p) {
    PatternState& s = patterns_[p];
    size_t pos = 0, ms, me;
    while (s.first.size() < o_.keep_first && pos < block_.size()) {
      if (!find(p, pos, &ms, &me)) return;
      s.first.push_back(occurrence(ms, me, &pos));
    }
    if (pos >= block_.size() || o_.keep_last == 0) return;
    for (auto& occ : last_matches(p, pos)) {
      s.last.push_back(std::move(occ));
      if (s.last.size() > o_.keep_last) s.last.pop_front();
    }
  }

  // The last keep_last matches at or after lo: searched in growing windows
  // at the block's end, so a pattern that matches every line costs a window,
  // not the block.
  std::deque<Occurrence> last_matches(int p, size_t lo) {
    for (size_t window = 64 << 10;; window *= 8) {
      size_t start = block_.size() > window ? block_.size() - window : 0;
      if (start > lo) {
        size_t nl = block_.rfind('\n', start - 1);
        start = nl == std::string_view::npos ? 0 : nl + 1;
      }
      start = std::max(start, lo);
      std::deque<Occurrence> found;
      size_t pos = start, ms, me;
      while (pos < block_.size() && find(p, pos, &ms, &me)) {
        found.push_back(occurrence(ms, me, &pos));
        if (found.size() > o_.keep_last) found.pop_front();
      }
      if (found.size() >= o_.keep_last || start == lo) return found;
    }
  }

  void keep_tail(std::string_view b) {
    if (b.size() >= o_.tail_bytes) {
      tail_.assign(b.substr(b.size() - o_.tail_bytes));
      return;
    }
    tail_.append(b);
    if (tail_.size() > o_.tail_bytes) tail_.erase(0, tail_.size() - o_.tail_bytes);
  }

  Compiled& im_;
  const ScanOptions& o_;
  std::vector<PatternState> patterns_;
  evidence::LogScan out_;
  std::string tail_;
  uint64_t offset_ = 0;  // file offset of the block
  uint64_t line_ = 1;    // number of the block's first line
  char last_byte_ = '\n';

  std::string_view block_;
  size_t block_newlines_ = 0;
  size_t cursor_ = 0;          // line_at's memory: a line start in the block
  uint64_t cursor_line_ = 1;   // and its number
};

}  // namespace

struct LogScanner::Impl : Compiled {};

LogScanner::LogScanner(const std::vector<std::string>& patterns, ScanOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->o = options;
  if (impl_->o.block_bytes == 0) impl_->o.block_bytes = 1;
  RE2::Options ro;
  ro.set_log_errors(false);
  for (const auto& p : patterns) {
    auto re = std::make_unique<RE2>(p, ro);
    if (!re->ok()) throw core::InputError(core::Origin{"<pattern>", 0}, "bad regex '" + p + "': " + re->error());
    impl_->res.push_back(std::move(re));
  }
  ro.set_max_mem(impl_->o.max_mem);
  impl_->set = std::make_unique<RE2::Set>(ro, RE2::UNANCHORED);
  for (const auto& p : patterns) impl_->set->Add(p, nullptr);
  if (!patterns.empty() && !impl_->set->Compile())
    throw core::InputError("the " + std::to_string(patterns.size()) +
                           " patterns do not fit RE2's memory budget of " + std::to_string(impl_->o.max_mem) +
                           " bytes as one set");
}

LogScanner::~LogScanner() = default;
LogScanner::LogScanner(LogScanner&&) noexcept = default;
LogScanner& LogScanner::operator=(LogScanner&&) noexcept = default;

size_t LogScanner::size() const { return impl_->res.size(); }
size_t LogScanner::dfa_failures() const { return impl_->dfa_failures; }

evidence::LogScan LogScanner::scan(const ReadFn& read) const {
  Scan scan(*impl_);
  std::string buf(impl_->o.block_bytes, '\0');
  size_t have = 0;
  bool eof = false;
  while (!eof || have > 0) {
    while (!eof && have < buf.size()) {
      size_t n = read(buf.data() + have, buf.size() - have);
      if (n == 0) eof = true;
      have += n;
    }
    if (have == 0) break;
    // A block ends at its last newline; the rest starts the next one. A
    // line longer than a block is cut where the block ends.
    size_t cut = have;
    if (!eof)
      if (const void* nl = memrchr(buf.data(), '\n', have)) cut = static_cast<const char*>(nl) - buf.data() + 1;
    scan.block(std::string_view(buf.data(), cut));
    std::memmove(buf.data(), buf.data() + cut, have - cut);
    have -= cut;
  }
  return scan.finish();
}

evidence::LogScan LogScanner::scan_text(std::string_view text) const {
  size_t at = 0;
  return scan([&](char* buf, size_t n) {
    n = std::min(n, text.size() - at);
    std::memcpy(buf, text.data() + at, n);
    at += n;
    return n;
  });
}

std::vector<std::string> output_patterns(const RulePack& pack) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& p : pack.text_patterns())
    if (p.field != "spawnerr" && seen.insert(p.pattern).second) out.push_back(p.pattern);
  return out;
}

}  // namespace bootmortem::rules
