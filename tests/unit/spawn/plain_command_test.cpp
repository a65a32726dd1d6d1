#include "spawn/plain_command.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cerrno>

using namespace bootmortem;

namespace {

struct World {
  core::FakeFs fs;
  core::Env env;
  World() {
    fs.working_dir = "/home/me";
    fs.files["/usr/bin/python3"] = {S_IFREG | 0755, 0, 0};
    fs.files["/usr/local/bin/python3"] = {S_IFREG | 0644, 0, 0};  // not executable
    fs.files["/opt/tool"] = {S_IFDIR | 0755, 0, 0};                 // a directory
    fs.files["/opt/bin/tool"] = {S_IFREG | 0755, 0, 0};
    fs.files["/home/me/run.sh"] = {S_IFREG | 0755, 1000, 1000};
    env.set("PATH", "/usr/local/bin:/usr/bin");
  }
  spawn::ExecvpLookup find(const std::string& name) {
    return spawn::lookup_like_execvp(name, env, fs.cwd(), fs);
  }
};

}  // namespace

TEST_CASE("execvp's PATH search: the first executable file wins, unrunnable ones are passed over") {
  World w;
  auto l = w.find("python3");
  CHECK(l.err == 0);
  CHECK(l.filename == "/usr/bin/python3");
}

TEST_CASE("a name with a slash is not searched, and resolves against the cwd") {
  World w;
  CHECK(w.find("./run.sh").err == 0);
  CHECK(w.find("./run.sh").filename == "./run.sh");
  CHECK(w.find("/usr/bin/python3").err == 0);
  CHECK(w.find("/no/such").err == ENOENT);
  CHECK(w.find("/usr/local/bin/python3").err == EACCES);
  CHECK(w.find("/opt/tool").err == EACCES);
}

TEST_CASE("nothing found is ENOENT; only unrunnable files found is EACCES, as execvp says") {
  World w;
  CHECK(w.find("nosuch").err == ENOENT);
  w.env.set("PATH", "/opt:/usr/local/bin");
  CHECK(w.find("tool").err == EACCES);
  CHECK(w.find("python3").err == EACCES);
}

TEST_CASE("an empty PATH entry is the cwd; no PATH is /bin:/usr/bin") {
  World w;
  w.env.set("PATH", ":/usr/bin");
  CHECK(w.find("run.sh").filename == "run.sh");
  w.env = {};
  CHECK(w.find("python3").filename == "/usr/bin/python3");
  CHECK(w.find("run.sh").err == ENOENT);
}

TEST_CASE("the spec: the invoker's environment, cwd, umask and uid; no user switch") {
  World w;
  spawn::BaseEnv base;
  base.env = w.env;
  base.env.set("SECRET_TOKEN", "x");
  base.cwd = "/home/me";
  base.umask = 027;
  base.uid = 1000;
  auto p = spawn::plain_spawn_spec({"python3", "-c", "pass"}, base, w.fs);
  CHECK_FALSE(p.spec.spawnerr);
  CHECK(p.spec.argv == std::vector<std::string>{"python3", "-c", "pass"});
  CHECK(p.spec.filename == "/usr/bin/python3");
  CHECK(p.spec.env == base.env);
  CHECK(p.spec.base.cwd == "/home/me");
  CHECK(p.spec.cwd == "/home/me");
  CHECK_FALSE(p.spec.directory);
  CHECK(p.spec.effective_umask == 027);
  CHECK(p.spec.uid == 1000);
  CHECK_FALSE(p.spec.switch_user);
  CHECK_FALSE(p.spec.child_error);
  CHECK(p.spec.name == "python3");

  auto missing = spawn::plain_spawn_spec({"nosuch"}, base, w.fs);
  CHECK(missing.spec.spawnerr == "nosuch: command not found");
  CHECK(missing.lookup.err == ENOENT);
  auto path_missing = spawn::plain_spawn_spec({"/no/such"}, base, w.fs);
  CHECK(path_missing.spec.spawnerr == "/no/such: No such file or directory");
  auto denied = spawn::plain_spawn_spec({"/opt/tool"}, base, w.fs);
  CHECK(denied.spec.spawnerr == "/opt/tool: Permission denied");
  CHECK(denied.lookup.err == EACCES);
  CHECK(spawn::plain_spawn_spec({}, base, w.fs).spec.spawnerr == "no command given");
}
