#include "core/command.h"

#include <doctest/doctest.h>

#include <chrono>

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
  s.argv = {"/bin/sh", "-c", "echo before; sleep 3600"};
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
