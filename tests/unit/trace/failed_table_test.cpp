#include "trace/failed_table.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <string>

using namespace bootmortem::trace;

namespace {

FailedTable::Key key(const char* call, int err, std::string_view path, std::string_view path2 = {},
                     std::string_view addr = {}) {
  return {call, err, path, path2, addr};
}

}  // namespace

TEST_CASE("a call failing again is counted in its record, which is made once") {
  FailedTable t(16);
  FailedSyscall* f = t.add(key("newfstatat", ENOENT, "/x"), 100);
  REQUIRE(f != nullptr);
  CHECK(f->call == "newfstatat");
  CHECK(f->path == "/x");
  CHECK(f->pid == 100);
  CHECK(f->seq == 1);
  for (int i = 0; i < 999; ++i) CHECK(t.add(key("newfstatat", ENOENT, "/x"), 100) == nullptr);
  auto records = t.take();
  REQUIRE(records.size() == 1);
  CHECK(records[0].count == 1000);
  CHECK(records[0].pids == 1);
  CHECK(t.total() == 1000);
  CHECK(t.dropped() == 0);
}

TEST_CASE("call, errno, both paths and the address each make a record distinct; the pid does not") {
  FailedTable t(64);
  CHECK(t.add(key("openat", ENOENT, "/a"), 1));
  CHECK(t.add(key("newfstatat", ENOENT, "/a"), 1));
  CHECK(t.add(key("openat", EACCES, "/a"), 1));
  CHECK(t.add(key("openat", ENOENT, "/b"), 1));
  CHECK(t.add(key("rename", ENOENT, "/a", "/b"), 1));
  CHECK(t.add(key("rename", ENOENT, "/a", "/c"), 1));
  CHECK(t.add(key("rename", ENOENT, "/ab", ""), 1));  // lengths are part of the key
  CHECK(t.add(key("bind", EADDRINUSE, "", "", "0.0.0.0:80"), 1));
  CHECK(t.add(key("bind", EADDRINUSE, "", "", "0.0.0.0:81"), 1));
  CHECK_FALSE(t.add(key("openat", ENOENT, "/a"), 2));
  CHECK(t.size() == 9);
  auto records = t.take();
  CHECK(records[0].count == 2);
  CHECK(records[0].pids == 2);
  CHECK(records[0].pid == 1);
  for (size_t i = 0; i < records.size(); ++i) CHECK(records[i].seq == i + 1);
}

TEST_CASE("ten thousand processes failing the same call make one record with their count") {
  FailedTable t(16);
  for (int pid = 1000; pid < 11000; ++pid) t.add(key("access", ENOENT, "/etc/ld.so.preload"), pid);
  auto records = t.take();
  REQUIRE(records.size() == 1);
  CHECK(records[0].count == 10000);
  CHECK(records[0].pids == 10000);
  CHECK(records[0].pid == 1000);
}

TEST_CASE("interleaved workers are counted once each") {
  FailedTable t(16);
  for (int round = 0; round < 100; ++round)
    for (int pid : {11, 12, 13, 14}) t.add(key("newfstatat", EACCES, "/root/.cache"), pid);
  auto records = t.take();
  CHECK(records[0].count == 400);
  CHECK(records[0].pids == 4);
}

TEST_CASE("past max_records new calls are counted as dropped, known ones still counted") {
  FailedTable t(100);
  for (int i = 0; i < 1000; ++i) t.add(key("newfstatat", ENOENT, "/missing/" + std::to_string(i)), 7);
  CHECK(t.add(key("newfstatat", ENOENT, "/missing/5"), 7) == nullptr);
  CHECK(t.size() == 100);
  CHECK(t.total() == 1001);
  CHECK(t.dropped() == 900);
  auto records = t.take();
  CHECK(records[5].count == 2);
  CHECK(records.back().path == "/missing/99");
}

TEST_CASE("long paths stop new records at the byte budget") {
  FailedTable t(4096, 1 << 20);
  const std::string long_dir(4000, 'd');
  for (int i = 0; i < 4096; ++i) t.add(key("mkdir", EACCES, "/" + long_dir + "/" + std::to_string(i)), 1);
  CHECK(t.size() < 200);
  CHECK(t.size() > 100);
  CHECK(t.dropped() == 4096 - t.size());
}

TEST_CASE("the hash mixes every field") {
  auto h = FailedTable::hash;
  CHECK(h(key("openat", ENOENT, "/a")) == h(key("openat", ENOENT, "/a")));
  CHECK(h(key("openat", ENOENT, "/a")) != h(key("openat", EACCES, "/a")));
  CHECK(h(key("openat", ENOENT, "/a", "b")) != h(key("openat", ENOENT, "/ab")));
  CHECK(h(key("openat", ENOENT, "", "", "x")) != h(key("openat", ENOENT, "x")));
}
