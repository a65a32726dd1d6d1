#include "trace/procfs.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace bootmortem::trace;

TEST_CASE("supervisord's -c as getopt reads it") {
  CHECK(config_arg({"-n", "-c", "/etc/s.conf"}) == "/etc/s.conf");
  CHECK(config_arg({"-c/etc/s.conf"}) == "/etc/s.conf");
  CHECK(config_arg({"--configuration=/x.conf"}) == "/x.conf");
  CHECK(config_arg({"--configuration", "/x.conf"}) == "/x.conf");
  CHECK(config_arg({"--conf=/y.conf"}) == "/y.conf");
  CHECK_FALSE(config_arg({"-n"}).has_value());
  CHECK_FALSE(config_arg({"--childlogdir=/tmp"}).has_value());
}

TEST_CASE("identity lines of our own process") {
  std::string id = proc_identity(getpid());
  CHECK(id.find("Uid:") != std::string::npos);
  CHECK(id.find("Groups:") != std::string::npos);
  CHECK(id.find("SigIgn:") != std::string::npos);
}

namespace {

// A stand-in supervisord: a Python script named supervisord that sleeps, so
// /proc/<pid>/cmdline reads `/usr/bin/python3 <dir>/bin/supervisord ARGS`
// exactly as a real one does (`/usr/bin/python3 /usr/bin/supervisord -c ...`).
struct FakeSupervisord {
  std::string dir;
  pid_t pid = -1;
  int hold = -1;  // the pipe's write end: the script reads until it closes

  explicit FakeSupervisord(const std::vector<std::string>& args) {
    char tmpl[] = "/tmp/bootmortem-procfs-XXXXXX";
    dir = mkdtemp(tmpl);
    std::filesystem::create_directories(dir + "/bin");
    std::filesystem::create_directories(dir + "/etc");
    std::ofstream(dir + "/bin/supervisord") << "import time\ntime.sleep(120)\n";
    std::filesystem::permissions(dir + "/bin/supervisord", std::filesystem::perms::owner_all);
    std::ofstream(dir + "/etc/supervisord.conf") << "[supervisord]\n";
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    hold = fds[1];
    pid = fork();
    if (pid == 0) {
      dup2(fds[0], 0);
      close(fds[0]);
      close(fds[1]);
      std::vector<std::string> argv = {"/usr/bin/python3", dir + "/bin/supervisord"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> av;
      for (auto& a : argv) av.push_back(a.data());
      av.push_back(nullptr);
      std::string pwd = "PWD=" + dir;
      char* envp[] = {pwd.data(), nullptr};
      if (chdir(dir.c_str()) != 0) _exit(127);
      execve("/usr/bin/python3", av.data(), envp);
      _exit(127);
    }
    close(fds[0]);
    // Until the child has exec'd, its cmdline is still the test's.
    for (int i = 0; i < 2000 && !read_live_supervisord(pid); ++i) usleep(1000);
  }
  ~FakeSupervisord() {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(hold);
    std::filesystem::remove_all(dir);
  }
};

}  // namespace

TEST_CASE("a supervisord is found by -c, by its pidfile, and by its default search path") {
  SUBCASE("-c, relative to its launch directory") {
    FakeSupervisord sd({"-n", "-c", "etc/supervisord.conf"});
    auto live = read_live_supervisord(sd.pid);
    REQUIRE(live);
    CHECK(live->config == sd.dir + "/etc/supervisord.conf");
    CHECK(live->found_by == "cmdline");
    CHECK(live->environ.get("PWD") == sd.dir);
    auto found = find_live_supervisord(sd.dir + "/etc/../etc/supervisord.conf");
    REQUIRE(found);
    CHECK(found->pid == sd.pid);
    bool listed = false;
    for (const auto& l : list_live_supervisords()) listed = listed || l.pid == sd.pid;
    CHECK(listed);
    CHECK_FALSE(find_live_supervisord(sd.dir + "/bin/supervisord"));
  }
  SUBCASE("no -c: <X>/etc/supervisord.conf with X = dirname(dirname(argv[0]))") {
    FakeSupervisord sd({"-n"});
    auto live = read_live_supervisord(sd.pid);
    REQUIRE(live);
    CHECK(live->found_by == "default-path");
    CHECK(live->config == sd.dir + "/etc/supervisord.conf");
    CHECK(find_live_supervisord(sd.dir + "/etc/supervisord.conf"));
  }
  SUBCASE("the pidfile names it, whatever its command line says") {
    FakeSupervisord sd({"-c", "/nonexistent.conf"});
    std::ofstream(sd.dir + "/sd.pid") << sd.pid << "\n";
    auto found = find_live_supervisord(sd.dir + "/etc/supervisord.conf", sd.dir + "/sd.pid");
    REQUIRE(found);
    CHECK(found->found_by == "pidfile");
    // A stale pidfile naming a process that is no supervisord does not count.
    std::ofstream(sd.dir + "/sd.pid") << getpid() << "\n";
    CHECK_FALSE(find_live_supervisord(sd.dir + "/etc/supervisord.conf", sd.dir + "/sd.pid"));
  }
}
