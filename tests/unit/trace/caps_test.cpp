#include "trace/caps.h"

#include <doctest/doctest.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "trace/trace.h"
#include "tracer_helpers.h"

using namespace bootmortem::trace;

namespace {

Caps with(std::initializer_list<Cap> caps) {
  Caps c;
  c.known = true;
  for (Cap x : caps) c.effective |= uint64_t{1} << static_cast<int>(x);
  return c;
}

// Docker's default set: no CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON or CAP_SYS_PTRACE.
const Caps k_docker = with({Cap::Setgid, Cap::Setuid});

}  // namespace

TEST_CASE("the numbers are the kernel's") {
  CHECK(static_cast<int>(Cap::Setgid) == CAP_SETGID);
  CHECK(static_cast<int>(Cap::Setuid) == CAP_SETUID);
  CHECK(static_cast<int>(Cap::SysPtrace) == CAP_SYS_PTRACE);
  CHECK(static_cast<int>(Cap::SysAdmin) == CAP_SYS_ADMIN);
  CHECK(std::string(cap_name(Cap::SysAdmin)) == "CAP_SYS_ADMIN");
}

TEST_CASE("own_caps agrees with /proc/self/status CapEff") {
  std::ifstream in("/proc/self/status");
  std::string line, eff;
  while (std::getline(in, line))
    if (line.starts_with("CapEff:")) eff = line.substr(line.find_first_not_of(" \t", 7));
  const Caps caps = own_caps();
  REQUIRE(caps.known);
  CHECK(caps.effective == std::stoull(eff, nullptr, 16));
}

TEST_CASE("eBPF: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON; else what is missing") {
  CHECK(ebpf_missing_caps(with({Cap::SysAdmin})) == "");
  CHECK(ebpf_missing_caps(with({Cap::Bpf, Cap::Perfmon})) == "");
  CHECK(ebpf_missing_caps(with({Cap::Bpf})) == "CAP_PERFMON/CAP_SYS_ADMIN");
  CHECK(ebpf_missing_caps(k_docker) == "CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN");
  CHECK(ebpf_missing_caps(Caps{}) == "");  // unknown: the kernel decides
}

TEST_CASE("ptrace: a filter with CAP_SYS_ADMIN; root without it, none rather than no_new_privs") {
  CHECK(ptrace_stops(0, with({Cap::SysAdmin})).stops == PtraceStops::SeccompFilter);
  CHECK(ptrace_stops(0, with({Cap::SysAdmin})).note == "");
  const PtraceMode docker = ptrace_stops(0, k_docker);
  CHECK(docker.stops == PtraceStops::EverySyscall);
  CHECK(docker.note.starts_with(
      "no seccomp filter: CAP_SYS_ADMIN missing and no_new_privs would change the program"));
  CHECK(ptrace_stops(0, with({})).stops == PtraceStops::EverySyscall);
  // Not root, nothing to gain at exec under this tracer: the filter with no_new_privs, as before.
  CHECK(ptrace_stops(1000, with({})).stops == PtraceStops::SeccompNoNewPrivs);
  CHECK(ptrace_stops(1000, with({})).note.starts_with("not root: no_new_privs was set for the filter"));
  // ... unless no_new_privs would take something away.
  CHECK(ptrace_stops(1000, with({Cap::Setuid})).stops == PtraceStops::EverySyscall);
  CHECK(ptrace_stops(1000, with({Cap::SysPtrace})).stops == PtraceStops::EverySyscall);
  CHECK(ptrace_stops(1000, with({Cap::SysAdmin})).stops == PtraceStops::SeccompFilter);
}

TEST_CASE("a refused mount namespace names the capability, or a policy") {
  CHECK(mount_refused_why(EPERM, k_docker) ==
        "CAP_SYS_ADMIN is missing from the effective capability set, as in a container's default one");
  CHECK(mount_refused_why(EPERM, with({Cap::SysAdmin})).find("seccomp profile") != std::string::npos);
  CHECK(mount_refused_why(ENOENT, k_docker) == "No such file or directory");
}

TEST_CASE("root without CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON: ptrace without a filter, and why; no network namespace") {
  if (geteuid() != 0) return;  // as another user, there is nothing to drop
  int p[2];
  REQUIRE(pipe(p) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // This process only, and only its effective set: as a container's root.
    struct __user_cap_header_struct header {};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    syscall(SYS_capget, &header, data);
    data[0].effective &= ~(1u << CAP_SYS_ADMIN);
    data[1].effective &= ~((1u << (38 - 32)) | (1u << (39 - 32)));  // CAP_PERFMON, CAP_BPF
    std::string out = syscall(SYS_capset, &header, data) == 0 ? "" : "capset failed\n";
    try {
      auto choice = choose_tracer(TracerKind::Auto);
      out += choice.name + "\n" + choice.why + "\n";
      TraceOptions opt;
      opt.wait_for_exit = true;
      auto log = choice.tracer->run(bootmortem::testing::shell("grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"),
                                    opt);
      out += log.backend + "\n" + log.out.text();
      try {
        opt.private_network = true;
        choice.tracer->run(bootmortem::testing::shell("true"), opt);
        out += "a network namespace of its own\n";
      } catch (const std::exception& e) {
        out += std::string(e.what()) + "\n";
      }
      choose_tracer(TracerKind::Ebpf);
      out += "--tracer ebpf accepted\n";
    } catch (const std::exception& e) {
      out += std::string(e.what()) + "\n";
    }
    (void)!write(p[1], out.data(), out.size());
    _exit(0);
  }
  close(p[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(out ==
        "ptrace\n"
        "no CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN in the effective capability set (a container?): ptrace without a "
        "seccomp filter\n"
        "ptrace\n"
        "NoNewPrivs:\t0\nSeccomp:\t0\n"
        "unshare(CLONE_NEWNET): Operation not permitted (CAP_SYS_ADMIN is missing from the effective capability set, "
        "as in a container's default one)\n"
        "eBPF: Operation not permitted (no CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN in the effective capability set (a "
        "container?); --tracer ptrace works without them)\n");
}
