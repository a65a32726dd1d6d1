// ServerOptions.read_config and realize() (supervisor 4.2.5): the main file,
// [include], the [supervisord] keys, the HTTP servers and the server URL.
// The order of the steps is supervisor's, so the first error reported for a
// broken config is the one supervisord would print.
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/environment.h"
#include "config/loader.h"

namespace bootmortem::config {

core::Origin Loader::origin_of(const std::string& section, const std::string& option) const {
  if (const IniValue* v = doc.get(section, option)) return v->origin;
  if (const IniSection* s = doc.section(section)) return s->origin;
  return core::Origin{configfile, 0};
}

std::optional<std::string> Loader::get(const std::string& section, const std::string& option,
                                       std::optional<std::string> dflt, const Expansions& extra,
                                       bool do_expand) const {
  const IniValue* v = doc.get(section, option);
  if (!v) return dflt;  // supervisor's defaults hold no '%': expanding them changes nothing
  if (!do_expand) return v->value;
  Expansions combined = environ;
  combined.update(extra);
  return at(section, option, [&] { return expand(v->value, combined, section + "." + option); });
}

namespace {

std::optional<std::string> read_text_file(const std::string& path, const LoadContext& ctx) {
  if (auto it = ctx.overrides.find(path); it != ctx.overrides.end()) return it->second;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// glob.glob(pattern): '*', '?', '[...]', no escapes, hidden names only when
// the pattern starts with '.'. glob(3) without GLOB_PERIOD agrees.
std::vector<std::string> glob_files(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_NOESCAPE | GLOB_NOSORT, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  return out;
}

// tempfile.gettempdir(): the first usable of TMPDIR, TEMP, TMP, /tmp,
// /var/tmp, /usr/tmp, the cwd. Without a filesystem seam the first named one.
std::string gettempdir(const LoadContext& ctx) {
  std::vector<std::string> candidates;
  for (const char* name : {"TMPDIR", "TEMP", "TMP"})
    if (auto v = ctx.environ.get(name); v && !v->empty()) candidates.push_back(*v);
  for (const char* dir : {"/tmp", "/var/tmp", "/usr/tmp"}) candidates.emplace_back(dir);
  candidates.push_back(ctx.cwd);
  for (const auto& c : candidates) {
    const std::string abs = core::absolute_path(c, ctx.cwd);
    if (!ctx.fs) return abs;
    if (auto st = ctx.fs->stat(abs); st && st->is_dir()) return abs;
  }
  return ctx.cwd;
}

void read_includes(Loader& L, const Expansions& expansions) {
  L.doc.expand_here(L.here);
  if (!L.doc.get("include", "files"))
    throw LocatedError(L.origin_of("include", "files"), ".ini file has [include] section, but no files setting");
  const std::string files =
      L.at("include", "files", [&] { return expand(L.doc.get("include", "files")->value, expansions, "include.files"); });
  for (const auto& written : py_split(files)) {
    const std::string pattern = py_join(L.here, written);
    auto matches = glob_files(pattern);
    if (matches.empty()) {
      L.config.parse_warnings.push_back("No file matches via include \"" + pattern + "\"");
      continue;
    }
    std::sort(matches.begin(), matches.end());
    for (const auto& filename : matches) {
      L.config.parse_infos.push_back("Included extra file \"" + filename + "\" during parsing");
      // An unreadable file is skipped without a word, as RawConfigParser.read() does.
      if (auto text = read_text_file(filename, L.ctx)) {
        L.doc.read(*text, filename);
        L.config.included.push_back(filename);
      }
      L.doc.expand_here(core::absolute_path(py_dirname(filename), L.ctx.cwd));
    }
  }
}

void read_supervisord_section(Loader& L) {
  SupervisordConfig& sd = L.config.supervisord;
  const Expansions here{{"here", L.here}};
  auto get = [&](const char* key, std::optional<std::string> dflt) { return L.get("supervisord", key, dflt, here); };
  auto at = [&](const char* key, auto f) { return L.at("supervisord", key, f); };

  sd.minfds = at("minfds", [&] { return integer(*get("minfds", "1024")); });
  sd.minprocs = at("minprocs", [&] { return integer(*get("minprocs", "200")); });
  // What a host-dependent check leaves when it is recorded, not thrown.
  const PathCheck unchecked{nullptr, L.paths.home, L.paths.cwd};
  auto host = [&](const char* key, auto f, auto fallback) {
    return L.host_dependent(sd.host_problems, "supervisord", key, "", f, fallback);
  };
  if (auto dir = get("directory", std::nullopt))
    sd.directory = host("directory", [&] { return existing_directory(*dir, L.paths); },
                        [&] { return existing_directory(*dir, unchecked); });
  sd.user = get("user", std::nullopt);
  sd.umask = at("umask", [&] { return octal_type(*get("umask", "022")); });
  const std::string logfile = *get("logfile", "supervisord.log");
  sd.logfile = host("logfile", [&] { return existing_dirpath(logfile, L.paths); },
                    [&] { return existing_dirpath(logfile, unchecked); });
  sd.logfile_maxbytes = at("logfile_maxbytes", [&] { return byte_size(*get("logfile_maxbytes", "50MB")); });
  sd.logfile_backups = static_cast<int>(at("logfile_backups", [&] { return integer(*get("logfile_backups", "10")); }));
  sd.loglevel = at("loglevel", [&] { return logging_level(*get("loglevel", "info")); });
  const std::string pidfile = *get("pidfile", "supervisord.pid");
  sd.pidfile = host("pidfile", [&] { return existing_dirpath(pidfile, L.paths); },
                    [&] { return existing_dirpath(pidfile, unchecked); });
  sd.identifier = *get("identifier", "supervisor");
  sd.nodaemon = at("nodaemon", [&] { return boolean(*get("nodaemon", "false")); });
  sd.silent = at("silent", [&] { return boolean(*get("silent", "false")); });
  const std::string tempdir = gettempdir(L.ctx);
  const std::string childlogdir = *get("childlogdir", tempdir);
  sd.childlogdir = host("childlogdir", [&] { return existing_directory(childlogdir, L.paths); },
                        [&] { return existing_directory(childlogdir, unchecked); });
  sd.nocleanup = at("nocleanup", [&] { return boolean(*get("nocleanup", "false")); });
  sd.strip_ansi = at("strip_ansi", [&] { return boolean(*get("strip_ansi", "false")); });

  // Expanded twice in 4.2.5 (saneget, then expand() again with
  // host_node_name), so a literal '%' needs '%%%%' here (fixed after 4.3.0).
  const std::string once = *get("environment", "");
  Expansions second{{"here", L.here}, {"host_node_name", L.ctx.host_node_name}};
  second.update(L.environ);
  sd.environment = L.at("supervisord", "environment",
                        [&] { return dict_of_key_value_pairs(expand(once, second, "environment")); });
  for (const auto& [k, v] : sd.environment.entries()) L.environ.set("ENV_" + k, v);

  if (const IniSection* s = L.doc.section("supervisord")) sd.source = s->origin;
  for (const auto& key : L.doc.options("supervisord")) sd.key_origins[key] = L.origin_of("supervisord", key);
}

// Plugins are Python objects; bootmortem cannot import them, but the
// missing-factory error and the expansion of every extra key are supervisor's.
void check_rpcinterfaces(Loader& L) {
  const std::string factory_key = "supervisor.rpcinterface_factory";
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("rpcinterface:")) continue;
    if (!L.get(section, factory_key, std::nullopt, {}))
      throw LocatedError(L.origin_of(section, factory_key),
                         "section [" + section + "] does not specify a " + factory_key);
    for (const auto& key : L.doc.options(section))
      if (key != factory_key) L.get(section, key, std::nullopt, {});
  }
}

void check_auth(Loader& L, const std::string& section) {
  const bool user = L.get(section, "username", std::nullopt, {}).has_value();
  const bool pass = L.get(section, "password", std::nullopt, {}).has_value();
  if (user != pass)
    throw LocatedError(L.origin_of(section, user ? "username" : "password"),
                       "Section [" + section +
                           "] contains incomplete authentication: If a username or a password is specified, both "
                           "the username and password must be specified");
}

// ServerOptions.server_configs_from_parser and the fallback URL of realize():
// the first unix socket wins over any inet server.
void read_servers(Loader& L) {
  std::optional<std::string> inet_url, unix_url;
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("inet_http_server")) continue;
    check_auth(L, section);
    const auto port = L.get(section, "port", std::nullopt, {});
    if (!port) throw LocatedError(L.origin_of(section, "port"), "section [" + section + "] has no port value");
    const auto [host, number] = L.at(section, "port", [&] { return inet_address(*port); });
    if (!inet_url) inet_url = "http://" + (host.empty() ? std::string("localhost") : host) + ":" + std::to_string(number);
  }
  for (const auto& section : L.doc.sections()) {
    if (!section.starts_with("unix_http_server")) continue;
    const auto file = L.get(section, "file", std::nullopt, Expansions{{"here", L.here}});
    if (!file) throw LocatedError(L.origin_of(section, "file"), "section [" + section + "] has no file value");
    const std::string path =
        core::absolute_path(py_expanduser(py_strip(*file), L.ctx.environ.get("HOME")), L.ctx.cwd);
    check_auth(L, section);
    if (auto chown = L.get(section, "chown", std::nullopt, {})) {
      L.host_dependent(
          L.config.supervisord.host_problems, section, "chown", "",
          [&] {
            try {
              return colon_separated_user_group(*chown, L.users);
            } catch (const ValueError&) {
              throw ValueError("Invalid sockchown value " + *chown);
            }
          },
          [] { return std::pair<uid_t, gid_t>{0, 0}; });
    }
    if (auto chmod = L.get(section, "chmod", std::nullopt, {})) {
      L.at(section, "chmod", [&] {
        try {
          return octal_type(*chmod);
        } catch (const ValueError&) {
          throw ValueError("Invalid chmod value " + *chmod);
        }
      });
    }
    if (!unix_url) {
      unix_url = "unix://" + path;
      L.config.supervisord.unix_socket = path;
    }
  }
  L.config.supervisord.server_url = unix_url ? unix_url : inet_url;
}

// What realize() does after read_config: resolve user=, make the log and
// pid file names absolute.
void realize(Loader& L) {
  SupervisordConfig& sd = L.config.supervisord;
  if (sd.user)
    sd.uid = L.host_dependent(
        sd.host_problems, "supervisord", "user", "",
        [&]() -> std::optional<uid_t> { return name_to_uid(*sd.user, L.users); },
        []() -> std::optional<uid_t> { return std::nullopt; });
  auto normalize = [&](const std::string& p) {
    return core::absolute_path(py_expanduser(p, L.ctx.environ.get("HOME")), L.ctx.cwd);
  };
  sd.logfile_path = sd.logfile == "syslog" ? sd.logfile : normalize(sd.logfile);
  sd.pidfile_path = normalize(sd.pidfile);
}

void read_config(Loader& L, const std::string& text) {
  L.doc.read(text, L.configfile);
  Expansions expansions{{"here", L.here}, {"host_node_name", L.ctx.host_node_name}};
  expansions.update(L.environ);
  if (L.doc.has_section("include")) read_includes(L, expansions);
  if (!L.doc.has_section("supervisord"))
    throw LocatedError(core::Origin{L.configfile, 0}, ".ini file does not include supervisord section");
  read_supervisord_section(L);
  check_rpcinterfaces(L);
  process_groups_from_parser(L);
  for (auto& proc : L.config.processes) {
    core::Env env = L.config.supervisord.environment;
    env.update(proc.environment);
    proc.environment = env;
  }
  read_servers(L);
  realize(L);
}

}  // namespace

Config load_config_text(const std::string& text, const std::string& path, const LoadContext& ctx) {
  static const core::SystemUserDb system_users;
  Config config;
  config.path = core::absolute_path(path, ctx.cwd);
  config.here = core::absolute_path(py_dirname(path), ctx.cwd);
  Loader L{ctx, ctx.users ? *ctx.users : system_users, config, path, config.here, {}, {}, {}};
  L.paths = PathCheck{ctx.fs, ctx.environ.get("HOME"), ctx.cwd};
  for (const auto& [k, v] : ctx.environ.entries()) L.environ.set("ENV_" + k, v);
  try {
    read_config(L, text);
  } catch (const LocatedError& e) {
    throw core::InputError(e.origin, e.what());
  } catch (const ValueError& e) {
    throw core::InputError(core::Origin{path, 0}, e.what());
  }
  return config;
}

Config load_config_file(const std::string& path, const LoadContext& ctx) {
  const std::string abs = core::absolute_path(path, ctx.cwd);
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) throw core::InputError(core::Origin{path, 0}, "could not find config file " + path);
  auto text = read_text_file(abs, ctx);
  if (!text) throw core::InputError(core::Origin{path, 0}, "could not read config file " + path);
  return load_config_text(*text, path, ctx);
}

}  // namespace bootmortem::config
