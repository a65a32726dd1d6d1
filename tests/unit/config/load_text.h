// Loading a config from text for the loader's tests: a fake user database
// (root, nobody) and a small, fixed supervisord environment.
#pragma once

#include <string>

#include "config/config.h"

namespace bootmortem::config::testing {

inline core::FakeUserDb& users() {
  static core::FakeUserDb db = [] {
    core::FakeUserDb d;
    d.users.push_back(core::Passwd{"root", 0, 0, "/root", "/bin/bash"});
    d.users.push_back(core::Passwd{"nobody", 65534, 65534, "/nonexistent", "/usr/sbin/nologin"});
    return d;
  }();
  return db;
}

inline LoadContext context() {
  LoadContext ctx;
  ctx.environ.set("PATH", "/usr/bin:/bin");
  ctx.environ.set("HOME", "/root");
  ctx.host_node_name = "vm";
  ctx.cwd = "/";
  ctx.users = &users();
  return ctx;
}

inline Config load(const std::string& text) { return load_config_text(text, "/etc/sv/sd.conf", context()); }

// The error's what() ("file:line: message"), or "<no error>".
inline std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace bootmortem::config::testing
