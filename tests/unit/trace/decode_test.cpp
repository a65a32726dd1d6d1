#include "trace/decode.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

using namespace bootmortem::trace;

TEST_CASE("sockaddr_in in strace's notation") {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(80);
  inet_pton(AF_INET, "0.0.0.0", &sin.sin_addr);
  SockAddr sa = decode_sockaddr(std::string(reinterpret_cast<char*>(&sin), sizeof sin));
  CHECK(sa.port == 80);
  CHECK(sa.text == "0.0.0.0:80");
  CHECK(sa.strace == "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"0.0.0.0\")}");
}

TEST_CASE("sockaddr_un, path and abstract") {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/run/app.sock");
  CHECK(decode_sockaddr(std::string(reinterpret_cast<char*>(&sun), sizeof sun)).text == "/run/app.sock");
  sockaddr_un abs{};
  abs.sun_family = AF_UNIX;
  std::memcpy(abs.sun_path, "\0hidden", 7);
  CHECK(decode_sockaddr(std::string(reinterpret_cast<char*>(&abs), offsetof(sockaddr_un, sun_path) + 7)).text ==
        "@hidden");
}

TEST_CASE("open flags") {
  CHECK(format_open_flags(O_RDONLY | O_CLOEXEC) == "O_RDONLY|O_CLOEXEC");
  CHECK(format_open_flags(O_WRONLY | O_CREAT | O_TRUNC) == "O_WRONLY|O_CREAT|O_TRUNC");
}

TEST_CASE("strings are read from a process's memory and quoted as strace does") {
  std::string s = "/root/.cache/Python-Eggs";
  auto got = read_string(getpid(), reinterpret_cast<uint64_t>(s.c_str()));
  REQUIRE(got);
  CHECK(*got == s);
  CHECK(quote_string("a\"b\n") == "\"a\\\"b\\n\"");
}

TEST_CASE("relative paths resolve against the process's cwd") {
  char cwd[4096];
  REQUIRE(getcwd(cwd, sizeof cwd));
  CHECK(resolve_at(getpid(), AT_FDCWD, "x/../y") == std::string(cwd) + "/y");
  CHECK(resolve_at(getpid(), AT_FDCWD, "/a//b/") == "/a/b");
}
