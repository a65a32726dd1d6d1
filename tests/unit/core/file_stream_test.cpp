#include "core/file_stream.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.h"

using bootmortem::core::FileStream;
using bootmortem::core::InputError;

TEST_CASE("a file comes back in the pieces asked for, then 0") {
  char name[] = "/tmp/bootmortem-file-stream-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(name) << "hello, world\n";
  FileStream in(name);
  CHECK(in.size() == 13);
  std::string got;
  char buf[5];
  while (size_t n = in.read(buf, sizeof buf)) got.append(buf, n);
  CHECK(got == "hello, world\n");
  in.seek(7);
  char rest[16];
  CHECK(std::string(rest, in.read(rest, sizeof rest)) == "world\n");
  std::remove(name);
}

TEST_CASE("a missing file or a directory is an input error naming it") {
  CHECK_THROWS_WITH_AS(FileStream("/nonexistent/bootmortem.log"),
                       "/nonexistent/bootmortem.log: No such file or directory", InputError);
  CHECK_THROWS_WITH_AS(FileStream("/"), "/: Is a directory", InputError);
}
