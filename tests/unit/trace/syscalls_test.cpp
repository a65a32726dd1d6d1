#include "trace/syscalls.h"

#include <doctest/doctest.h>
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
