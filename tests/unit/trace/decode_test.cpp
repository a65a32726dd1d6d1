#include "trace/decode.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "core/fs.h"

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

TEST_CASE("normalize_path_into is core::normalize_path without allocating") {
  const char* cases[] = {"",        "/",          "//",        "/..",        "/../a",    "a/..",
                         "a/../..", "../a/..",    "./",        ".",          "a//b/./c/", "/a/b/../../..",
                         "x/y/..",  "../../x",    "/tmp/./a/", "a/b/c/../../d", "..", "/a/.b/..c/...",
                         "socket:[123]/x/../y"};
  for (const char* c : cases) {
    std::string in(c);
    std::string out(in.size() + 2, '\0');
    std::vector<uint16_t> parts(in.size() / 2 + 2);
    size_t n = normalize_path_into(in, out.data(), parts.data());
    CHECK_MESSAGE(out.substr(0, n) == bootmortem::core::normalize_path(in), "input: '" << in << "'");
  }
  // and on generated paths over the characters that matter
  const char alphabet[] = {'/', '.', 'a', '/', '.'};
  uint32_t seed = 12345;
  for (int i = 0; i < 20000; ++i) {
    std::string in;
    size_t len = (seed >> 7) % 12;
    for (size_t k = 0; k < len; ++k) {
      seed = seed * 1103515245 + 12345;
      in += alphabet[(seed >> 16) % sizeof alphabet];
    }
    seed = seed * 1103515245 + 12345;
    std::string out(in.size() + 2, '\0');
    std::vector<uint16_t> parts(in.size() / 2 + 2);
    size_t n = normalize_path_into(in, out.data(), parts.data());
    REQUIRE_MESSAGE(out.substr(0, n) == bootmortem::core::normalize_path(in), "input: '" << in << "'");
  }
}

TEST_CASE("sockaddr_text_into is SockAddr::text") {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(8080);
  inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(443);
  inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strcpy(sun.sun_path, "/run/app.sock");
  sockaddr_un abs{};
  abs.sun_family = AF_UNIX;
  std::memcpy(abs.sun_path, "\0hidden\0rest", 12);
  const std::string raws[] = {
      std::string(reinterpret_cast<char*>(&sin), sizeof sin),
      std::string(reinterpret_cast<char*>(&sin), 8),  // too short for AF_INET
      std::string(reinterpret_cast<char*>(&sin6), sizeof sin6),
      std::string(reinterpret_cast<char*>(&sun), sizeof sun),
      std::string(reinterpret_cast<char*>(&abs), offsetof(sockaddr_un, sun_path) + 12),
      std::string(reinterpret_cast<char*>(&abs), offsetof(sockaddr_un, sun_path) + 7),
      std::string(reinterpret_cast<char*>(&sun), 2),  // unnamed
      std::string("\x10\x00", 2),                     // AF_NETLINK
      std::string("\x02", 1),
  };
  for (const auto& raw : raws) {
    char out[k_sockaddr_text_max];
    size_t n = sockaddr_text_into(raw.data(), raw.size(), out);
    CHECK(std::string(out, n) == decode_sockaddr(raw).text);
  }
  CHECK(decode_sockaddr(raws[0]).text == "127.0.0.1:8080");
  CHECK(decode_sockaddr(raws[2]).text == "[::1]:443");
  CHECK(decode_sockaddr(raws[4]).text == "@hidden");
}

TEST_CASE("CallKeyReader reads the paths decode_call resolves") {
  // This process stands in for a stopped tracee: process_vm_readv and
  // /proc/self work on it alike.
  const SyscallDesc openat{"openat", {ArgKind::DirFd, ArgKind::Path, ArgKind::OpenFlags, ArgKind::Mode}, 4};
  const SyscallDesc renameat{"renameat", {ArgKind::DirFd, ArgKind::Path, ArgKind::DirFd, ArgKind::Path}, 4};
  const SyscallDesc symlink{"symlink", {ArgKind::Path, ArgKind::Path}, 2};
  const SyscallDesc bind{"bind", {ArgKind::Fd, ArgKind::Sockaddr, ArgKind::Int}, 3};
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(80);
  const uint64_t sin_addr = reinterpret_cast<uint64_t>(&sin);
  int dirfd = open("/usr/lib", O_RDONLY | O_DIRECTORY);
  REQUIRE(dirfd >= 0);
  std::string a = "x/../y", b = "/etc//passwd/", c = "", long_path(5000, 'p');
  auto addr = [](const std::string& s) { return reinterpret_cast<uint64_t>(s.c_str()); };
  CallKeyReader reader;
  struct Case {
    const SyscallDesc* desc;
    uint64_t args[6];
  } cases[] = {
      {&openat, {static_cast<uint64_t>(AT_FDCWD), addr(a), 0, 0, 0, 0}},
      {&openat, {static_cast<uint64_t>(dirfd), addr(a), 0, 0, 0, 0}},
      {&openat, {static_cast<uint64_t>(AT_FDCWD), addr(b), 0, 0, 0, 0}},
      {&openat, {static_cast<uint64_t>(AT_FDCWD), addr(c), 0, 0, 0, 0}},
      {&openat, {static_cast<uint64_t>(AT_FDCWD), 0, 0, 0, 0, 0}},     // NULL
      {&openat, {static_cast<uint64_t>(AT_FDCWD), 8, 0, 0, 0, 0}},     // unmapped
      {&openat, {static_cast<uint64_t>(9999), addr(a), 0, 0, 0, 0}},  // a closed dirfd
      {&openat, {static_cast<uint64_t>(AT_FDCWD), addr(long_path), 0, 0, 0, 0}},
      {&renameat, {static_cast<uint64_t>(dirfd), addr(a), static_cast<uint64_t>(AT_FDCWD), addr(b), 0, 0}},
      {&symlink, {addr(a), addr(a), 0, 0, 0, 0}},
      {&bind, {3, sin_addr, sizeof sin, 0, 0, 0}},
      {&bind, {3, sin_addr, 4, 0, 0, 0}},
      {&bind, {3, 0, sizeof sin, 0, 0, 0}},
  };
  for (const auto& k : cases) {
    DecodedCall d = decode_call(getpid(), *k.desc, k.args);
    CallKey key = reader.read(getpid(), *k.desc, k.args);
    CHECK(key.path == d.path);
    CHECK(key.path2 == d.path2);
    CHECK(key.addr == d.addr);
  }
  close(dirfd);
}
