#include "core/command.h"

#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

using namespace bootmortem::core;

TEST_CASE("output, exit code and environment of a helper") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"/bin/sh", "-c", "echo out; echo err >&2; echo \"$X\"; exit 4"};
  Env env;
  env.set("X", "from-env");
  s.env = env;
  auto res = r.run(s);
  CHECK(res.started);
  CHECK(res.exit_code == 4);
  CHECK(res.out == "out\nfrom-env\n");
  CHECK(res.err == "err\n");
  CHECK_FALSE(res.timed_out);
}

TEST_CASE("a helper that hangs is killed at the timeout") {
  RealCommandRunner r;
  CommandSpec s;
  // exec: the helper itself hangs (a sleep it forked would outlive the test;
  // own_session is what ends those, tested below)
  s.argv = {"/bin/sh", "-c", "echo before; exec sleep 3600"};
  s.timeout_s = 0.3;
  auto t0 = std::chrono::steady_clock::now();
  auto res = r.run(s);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(res.timed_out);
  CHECK(res.out == "before\n");
  CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("a helper that floods keeps only max_output, and stdin is /dev/null") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"/bin/sh", "-c", "read line; echo \"read:$?\"; head -c 5000000 /dev/zero"};
  s.max_output = 1000;
  auto res = r.run(s);
  CHECK(res.exit_code == 0);
  CHECK(res.out.size() == 1000);
  CHECK(res.out.starts_with("read:1\n"));
  CHECK(res.truncated);
}

TEST_CASE("a missing command is reported, not thrown") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"no-such-command-bootmortem"};
  auto res = r.run(s);
  CHECK_FALSE(res.started);
  CHECK(res.error.find("not found") != std::string::npos);
}

TEST_CASE("keep_tail keeps the last max_output bytes: an answer after a flood survives") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"/bin/sh", "-c", "head -c 3000000 /dev/zero; echo; echo the-answer"};
  s.max_output = 1000;
  s.keep_tail = true;
  auto res = r.run(s);
  CHECK(res.exit_code == 0);
  CHECK(res.truncated);
  CHECK(res.out.size() == 1000);
  CHECK(res.out.ends_with("\nthe-answer\n"));
}

namespace {
// Running, not a zombie its new parent has yet to reap.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}
}  // namespace

TEST_CASE("own_session: no controlling tty, and what it left behind is ended") {
  RealCommandRunner r;
  CommandSpec s;
  // a background job that would outlive the helper, with its pipes closed
  s.argv = {"/bin/sh", "-c",
            "sleep 3600 >/dev/null 2>&1 & echo $!; if (: </dev/tty) 2>/dev/null; then echo tty; else echo no-tty; fi"};
  s.own_session = true;
  auto t0 = std::chrono::steady_clock::now();
  auto res = r.run(s);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK(res.exit_code == 0);
  CHECK_FALSE(res.timed_out);
  pid_t bg = std::stoi(res.out);
  CHECK(res.out.find("no-tty") != std::string::npos);
  // SIGKILL is delivered at once, but the zombie is reaped by its new parent
  for (int i = 0; i < 100 && alive(bg); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(alive(bg));
}

TEST_CASE("own_session: a helper that hangs in a grandchild is ended whole at the timeout") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"/bin/sh", "-c", "sh -c 'echo $$; exec sleep 3600'"};
  s.own_session = true;
  s.timeout_s = 0.5;
  auto res = r.run(s);
  CHECK(res.timed_out);
  pid_t grandchild = std::stoi(res.out);
  for (int i = 0; i < 100 && alive(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(alive(grandchild));
}

TEST_CASE("a helper that exits while a daemon it started holds the pipes is not a timeout") {
  RealCommandRunner r;
  CommandSpec s;
  s.argv = {"/bin/sh", "-c", "sleep 3600 & echo started; exit 5"};
  s.own_session = true;  // and so the sleep is ended too
  s.timeout_s = 10;
  auto t0 = std::chrono::steady_clock::now();
  auto res = r.run(s);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK_FALSE(res.timed_out);
  CHECK(res.exit_code == 5);
  CHECK(res.out == "started\n");
}
