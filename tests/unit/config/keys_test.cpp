// The [program:x] key table must agree with ProcessConfig's defaults and
// with supervisor's reading order (ccache's "tables agree" test).
#include <doctest/doctest.h>

#include <set>

#include "config/config.h"
#include "config/datatypes.h"
#include "config/keys.h"

using namespace bootmortem::config;

TEST_CASE("keys: every default converts to ProcessConfig's default") {
  const ProcessConfig d;
  auto dflt = [](const char* name) { return std::string(*find_program_key(name)->default_value); };
  CHECK(integer(dflt("priority")) == d.priority);
  CHECK(boolean(dflt("autostart")) == d.autostart);
  CHECK(auto_restart(dflt("autorestart")) == d.autorestart);
  CHECK(integer(dflt("startsecs")) == d.startsecs);
  CHECK(integer(dflt("startretries")) == d.startretries);
  CHECK(signal_number(dflt("stopsignal")) == d.stopsignal);
  CHECK(integer(dflt("stopwaitsecs")) == d.stopwaitsecs);
  CHECK(boolean(dflt("stopasgroup")) == d.stopasgroup);
  CHECK(boolean(dflt("killasgroup")) == d.killasgroup);
  CHECK(list_of_exitcodes(dflt("exitcodes")) == d.exitcodes);
  CHECK(boolean(dflt("redirect_stderr")) == d.redirect_stderr);
  CHECK(integer(dflt("numprocs")) == d.numprocs);
  CHECK(integer(dflt("numprocs_start")) == d.numprocs_start);
  CHECK(dflt("process_name") == d.process_name_template);
  CHECK(dflt("stdout_logfile") == d.stdout_logfile);
  CHECK(dflt("stderr_logfile") == d.stderr_logfile);
  CHECK(byte_size(dflt("stdout_logfile_maxbytes")) == d.stdout_logfile_maxbytes);
  CHECK(integer(dflt("stdout_logfile_backups")) == d.stdout_logfile_backups);
  CHECK(byte_size(dflt("stderr_capture_maxbytes")) == d.stderr_capture_maxbytes);
  CHECK_FALSE(find_program_key("command")->default_value.has_value());
  CHECK_FALSE(find_program_key("user")->default_value.has_value());
  CHECK_FALSE(d.user.has_value());
  CHECK_FALSE(d.umask.has_value());
  CHECK_FALSE(d.directory.has_value());
  CHECK_FALSE(d.serverurl.has_value());
}

TEST_CASE("keys: one entry per key, section keys before process keys") {
  std::set<std::string_view> seen;
  bool in_process = false;
  for (const auto& k : program_keys()) {
    CHECK(seen.insert(k.name).second);
    if (k.scope == KeyScope::Process) in_process = true;
    else CHECK_FALSE(in_process);  // supervisor reads all section keys first
  }
  CHECK(program_keys().size() == 32);
  // Only the log file names are expanded twice; environment and process_name
  // are expanded later, per process.
  for (const auto& k : program_keys()) {
    CAPTURE(k.name);
    CHECK((k.expansion == Expansion::Twice) == (k.type == KeyType::LogFile));
    CHECK((k.expansion == Expansion::Raw) == (k.name == "environment" || k.name == "process_name"));
  }
  CHECK(find_program_key("enviroment") == nullptr);  // typos are simply unknown, as in supervisor
}
