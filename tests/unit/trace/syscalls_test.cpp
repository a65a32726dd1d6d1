#include "trace/syscalls.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <seccomp.h>

#include <cstring>

using namespace bootmortem::trace;

TEST_CASE("every trapped call is found by its number, and nothing else") {
  for (const auto& d : traced_syscalls()) {
    int nr = seccomp_syscall_resolve_name(d.name);
    if (nr < 0) continue;
    const SyscallDesc* found = find_syscall(nr);
    REQUIRE(found != nullptr);
    CHECK(std::strcmp(found->name, d.name) == 0);
  }
  CHECK(find_syscall(seccomp_syscall_resolve_name("read")) == nullptr);
  CHECK(find_syscall(seccomp_syscall_resolve_name("mmap")) == nullptr);
  CHECK(find_syscall(-1) == nullptr);
  CHECK(find_syscall(1 << 20) == nullptr);
}

TEST_CASE("the AT_EMPTY_PATH exception names a flags argument") {
  for (const auto& d : traced_syscalls()) {
    if (d.empty_path_flags < 0) continue;
    REQUIRE(d.empty_path_flags < d.nargs);
    CHECK(d.args[d.empty_path_flags] == ArgKind::Int);
  }
  CHECK(build_seccomp_filter().count() > 0);
}

TEST_CASE("trapped_call: the filter's decision without a filter") {
  const uint32_t native = seccomp_arch_native();
  const uint64_t plain[6] = {};
  const uint64_t empty_path[6] = {3, 0, 0, AT_EMPTY_PATH, 0, 0};
  const auto nr = [](const char* name) { return static_cast<uint64_t>(seccomp_syscall_resolve_name(name)); };
  REQUIRE(trapped_call(native, nr("openat"), plain) != nullptr);
  CHECK(std::strcmp(trapped_call(native, nr("openat"), plain)->name, "openat") == 0);
  CHECK(trapped_call(native, nr("read"), plain) == nullptr);
  // fstat in disguise goes through, as the filter lets it
  CHECK(trapped_call(native, nr("newfstatat"), plain) != nullptr);
  CHECK(trapped_call(native, nr("newfstatat"), empty_path) == nullptr);
  // another architecture's numbers (a 32-bit program) are not the table's
  CHECK(trapped_call(native ^ 1, nr("openat"), plain) == nullptr);
  CHECK(trapped_call(native, ~0ull, plain) == nullptr);
}
