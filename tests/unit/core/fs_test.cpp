#include <doctest/doctest.h>

#include <sys/stat.h>

#include "core/fs.h"

using namespace bootmortem::core;

TEST_CASE("may_access reads the owner's, the group's or the others' bits; root needs an x bit only to execute") {
  const FileStat script{S_IFREG | 0750, 0, 50};
  CHECK(may_access(script, 0, {0}, 01));
  CHECK(may_access(script, 1001, {1001, 50}, 05));
  CHECK_FALSE(may_access(script, 1001, {1001, 50}, 02));
  CHECK_FALSE(may_access(script, 1001, {1001}, 01));
  CHECK(may_access(FileStat{S_IFREG | 0700, 1001, 1001}, 1001, {1001}, 07));
  // The owner's bits decide for the owner, even when the others' would allow.
  CHECK_FALSE(may_access(FileStat{S_IFREG | 0007, 1001, 1001}, 1001, {1001}, 04));
  CHECK_FALSE(may_access(FileStat{S_IFREG | 0644, 0, 0}, 0, {0}, 01));
  CHECK(may_access(FileStat{S_IFDIR | 0700, 5, 5}, 0, {0}, 03));
}
