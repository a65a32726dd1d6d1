#include "rules/log_scan.h"

#include <doctest/doctest.h>

#include <cstring>

using namespace bootmortem;
using rules::LogScanner;
using rules::ScanOptions;

namespace {

std::string lines(int from, int to, const std::string& word = "ordinary") {
  std::string s;
  for (int i = from; i <= to; ++i) s += word + " line " + std::to_string(i) + "\n";
  return s;
}

std::vector<uint64_t> line_numbers(const evidence::LogScan& s) {
  std::vector<uint64_t> out;
  for (const auto& e : s.excerpts) out.push_back(e.line);
  return out;
}

ScanOptions small(size_t block) {
  ScanOptions o;
  o.block_bytes = block;
  o.min_block_bytes = 16;
  o.tail_bytes = 40;
  return o;
}

}  // namespace

TEST_CASE("counts bytes and lines; the matching line is kept whole with its number") {
  LogScanner s({"Permission denied: '(?P<p>[^']+)'"});
  std::string text = lines(1, 9) + "PermissionError: [Errno 13] Permission denied: '/root/.cache'\n" + lines(11, 20);
  auto r = s.scan_text(text);
  CHECK(r.bytes == text.size());
  CHECK(r.lines == 20);
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].line == 10);
  CHECK(r.excerpts[0].text == "PermissionError: [Errno 13] Permission denied: '/root/.cache'");
  CHECK(r.excerpts[0].offset == lines(1, 9).size());
  CHECK(r.excerpts[0].end == r.excerpts[0].offset + r.excerpts[0].text.size());
  CHECK(r.tail == text);  // smaller than the tail: all of it
  CHECK(r.tail_offset == 0);
}

TEST_CASE("blocks are cut at newlines: a line across where a block would end is found whole, numbered right") {
  const std::string hit = "gunicorn: Reason: Worker failed to boot.\n";
  // The hit starts at byte 50 and would straddle a cut at byte 64.
  std::string text = std::string(49, 'x') + "\n" + hit + lines(3, 40);
  for (size_t block : {64, 70, 100, 4096}) {
    CAPTURE(block);
    LogScanner s({"Worker failed to boot"}, small(block));
    auto r = s.scan_text(text);
    REQUIRE(r.excerpts.size() == 1);
    CHECK(r.excerpts[0].line == 2);
    CHECK(r.excerpts[0].text == "gunicorn: Reason: Worker failed to boot.");
    CHECK(r.lines == 40);
    CHECK(r.bytes == text.size());
  }
}

TEST_CASE("reads that return a byte at a time change nothing") {
  std::string text = lines(1, 30) + "bind(): Address already in use\n" + lines(32, 60);
  LogScanner s({"Address already in use"}, small(128));
  size_t at = 0;
  auto r = s.scan([&](char* buf, size_t n) {
    if (at == text.size() || n == 0) return size_t{0};
    buf[0] = text[at++];
    return size_t{1};
  });
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].line == 31);
  CHECK(r.lines == 60);
}

TEST_CASE("a file without a trailing newline: its last line counts and can match") {
  LogScanner s({"GAME OVER"}, small(64));
  std::string text = lines(1, 10) + "*** no app loaded. GAME OVER ***";
  auto r = s.scan_text(text);
  CHECK(r.lines == 11);
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].line == 11);
  CHECK(r.excerpts[0].text == "*** no app loaded. GAME OVER ***");
  CHECK(r.excerpts[0].end == text.size());
  CHECK(r.tail.ends_with("GAME OVER ***"));
}

TEST_CASE("an empty file") {
  LogScanner s({"x"});
  auto r = s.scan_text("");
  CHECK(r.bytes == 0);
  CHECK(r.lines == 0);
  CHECK(r.excerpts.empty());
  CHECK(r.tail.empty());
}

TEST_CASE("kept lines are bounded: the first and the last few matches of each pattern") {
  ScanOptions o = small(256);
  o.keep_first = 2;
  o.keep_last = 3;
  LogScanner s({"timed out", "refused"}, o);
  std::string text;
  for (int i = 1; i <= 1000; ++i) text += "request " + std::to_string(i) + (i % 2 ? " timed out\n" : " ok\n");
  text += "connect refused\n";
  auto r = s.scan_text(text);
  CHECK(r.lines == 1001);
  // timed out: lines 1 and 3 first, 995, 997, 999 last; refused: line 1001.
  CHECK(line_numbers(r) == std::vector<uint64_t>{1, 3, 995, 997, 999, 1001});
  CHECK(r.excerpts[4].text == "request 999 timed out");
}

TEST_CASE("a match over several lines keeps them all, as one excerpt") {
  LogScanner s({R"(is not writable\.\s+Bundler will use)"}, small(4096));
  std::string text = lines(1, 3) + "`/root` is not writable.\nBundler will use `/tmp/bundler` as your home\n" + lines(6, 8);
  auto r = s.scan_text(text);
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].line == 4);
  CHECK(r.excerpts[0].text == "`/root` is not writable.\nBundler will use `/tmp/bundler` as your home");
}

TEST_CASE("two patterns on one line, or overlapping lines, make one excerpt") {
  LogScanner s({"Errno 13", "Permission denied", R"('/root/\.cache'\s+The Python egg cache)"});
  std::string text = "a\n[Errno 13] Permission denied: '/root/.cache'\nThe Python egg cache directory\nb\n";
  auto r = s.scan_text(text);
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].line == 2);
  CHECK(r.excerpts[0].text == "[Errno 13] Permission denied: '/root/.cache'\nThe Python egg cache directory");
}

TEST_CASE("the tail is the end of the file from a line start") {
  LogScanner s({}, small(64));
  std::string text = lines(1, 20);
  auto r = s.scan_text(text);
  CHECK(r.lines == 20);
  CHECK(r.tail == "ordinary line 19\nordinary line 20\n");  // the last 40 bytes start inside line 18
  CHECK(r.tail_offset == text.size() - r.tail.size());
}

TEST_CASE("a long line is cut in the excerpt and says so by its length") {
  ScanOptions o = small(1 << 16);
  o.max_excerpt_bytes = 10;
  LogScanner s({"needle"}, o);
  std::string line = std::string(100, 'a') + " needle " + std::string(100, 'b');
  auto r = s.scan_text("x\n" + line + "\ny\n");
  REQUIRE(r.excerpts.size() == 1);
  CHECK(r.excerpts[0].text == std::string(10, 'a'));
  CHECK(r.excerpts[0].end - r.excerpts[0].offset == line.size());
}

TEST_CASE("when the set's DFA runs out of memory the block is split, and the answer is the same") {
  std::string text = lines(1, 200) + "Too many open files\n" + lines(202, 400) + "[Errno 24] again\n";
  ScanOptions o = small(1 << 20);
  LogScanner plain({"Too many open files|\\[Errno 24\\]", "never matches"}, o);
  o.simulate_dfa_failure_from = 1;  // every pass fails, down to each pattern alone
  LogScanner failing({"Too many open files|\\[Errno 24\\]", "never matches"}, o);
  auto a = plain.scan_text(text);
  auto b = failing.scan_text(text);
  CHECK(plain.dfa_failures() == 0);
  CHECK(failing.dfa_failures() > 0);
  CHECK(line_numbers(a) == std::vector<uint64_t>{201, 401});
  CHECK(line_numbers(b) == line_numbers(a));
  CHECK(b.lines == a.lines);
}

TEST_CASE("a bad pattern is an input error") {
  CHECK_THROWS_AS(LogScanner({"(unclosed"}), core::InputError);
}

TEST_CASE("the pack's output patterns: stderr, stdout and output, each once, never spawnerr") {
  rules::RulePack pack = rules::RulePack::load_dir(BOOTMORTEM_SOURCE_DIR "/rules");
  auto out = rules::output_patterns(pack);
  CHECK(out.size() > 50);
  size_t spawnerr_only = 0;
  for (const auto& p : pack.text_patterns())
    if (p.field == "spawnerr" && std::find(out.begin(), out.end(), p.pattern) == out.end()) ++spawnerr_only;
  CHECK(spawnerr_only > 0);
  LogScanner s(out);  // the whole pack fits one set
  CHECK(s.size() == out.size());
}
