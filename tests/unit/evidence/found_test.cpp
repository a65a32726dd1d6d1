#include "evidence/found.h"

#include <doctest/doctest.h>

using namespace bootmortem;

namespace {

evidence::Evidence ev_with(std::vector<std::string> argv, const std::string& err) {
  evidence::Evidence ev;
  ev.spec.argv = std::move(argv);
  ev.spec.source = {"/srv/app/deploy/supervisord.conf", 3};
  ev.spec.cwd = "/";
  ev.spec.user_home = "/home/app";
  ev.trace.err.head = err;
  ev.values["login_command"] = "";
  ev.values["module_dir"] = "";
  return ev;
}

}  // namespace

TEST_CASE("login_command: the program as the login's PATH finds it, quoted for command=") {
  core::FakeFs fs;
  fs.files["/srv/app/venv/bin/gunicorn"] = core::FileStat{0100755, 0, 0};
  fs.files["/srv/app/venv/bin"] = core::FileStat{040755, 0, 0};
  auto ev = ev_with({"gunicorn", "-b", "127.0.0.1:80", "app:app", "--name", "my app", "50%"}, "");
  ev.login.env.set("PATH", "relative/bin:/usr/bin:/srv/app/venv/bin");
  evidence::add_found_values(ev, fs);
  CHECK(ev.values["login_command"] == "/srv/app/venv/bin/gunicorn -b 127.0.0.1:80 app:app --name \"my app\" 50%%");
  // An absolute command, or one the login does not find either: nothing.
  auto abs = ev_with({"/usr/bin/gunicorn"}, "");
  abs.login.env.set("PATH", "/srv/app/venv/bin");
  evidence::add_found_values(abs, fs);
  CHECK(abs.values["login_command"].empty());
  auto none = ev_with({"uwsgi"}, "");
  none.login.env.set("PATH", "/srv/app/venv/bin");
  evidence::add_found_values(none, fs);
  CHECK(none.values["login_command"].empty());
}

TEST_CASE("module_dir: where the module Python could not import lives") {
  core::FakeFs fs;
  fs.files["/srv/app/deploy/uwsgi.ini"] = core::FileStat{0100644, 0, 0};
  fs.files["/srv/app/project"] = core::FileStat{040755, 0, 0};
  fs.files["/srv/app/project/myapp/__init__.py"] = core::FileStat{0100644, 0, 0};
  auto ev = ev_with({"/usr/bin/uwsgi", "--ini", "/srv/app/deploy/uwsgi.ini", "--chdir=/srv/app/project"},
                    "ModuleNotFoundError: No module named 'myapp'\n");
  evidence::add_found_values(ev, fs);
  CHECK(ev.values["module_dir"] == "/srv/app/project");
  // Not from the directory it already ran in.
  auto same = ev_with({"/usr/bin/uwsgi", "--chdir=/srv/app/project"}, "No module named 'myapp'\n");
  same.spec.cwd = "/srv/app/project";
  evidence::add_found_values(same, fs);
  CHECK(same.values["module_dir"].empty());
  CHECK(evidence::command_word("a\"b") == "\"a\\\"b\"");
}
