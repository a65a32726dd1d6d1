// The [program:x] key table. Defaults are supervisor 4.2.5's (exitcodes is
// "0" since 4.0; 3.x had "0,2"). killasgroup defaults to stopasgroup's value,
// which a table cannot say: the loader handles that one key by name.
#include "config/keys.h"

namespace bootmortem::config {

namespace {

// The table's words, unqualified (what `using enum` says, for g++ 10).
constexpr auto String = KeyType::String;
constexpr auto Integer = KeyType::Integer;
constexpr auto Boolean = KeyType::Boolean;
constexpr auto AutoRestart = KeyType::AutoRestart;
constexpr auto Signal = KeyType::Signal;
constexpr auto ExitCodes = KeyType::ExitCodes;
constexpr auto ByteSize = KeyType::ByteSize;
constexpr auto Octal = KeyType::Octal;
constexpr auto User = KeyType::User;
constexpr auto ServerUrl = KeyType::ServerUrl;
constexpr auto ProcessName = KeyType::ProcessName;
constexpr auto Environment = KeyType::Environment;
constexpr auto LogFile = KeyType::LogFile;
constexpr auto Section = KeyScope::Section;
constexpr auto Process = KeyScope::Process;
constexpr auto Raw = Expansion::Raw;
constexpr auto Once = Expansion::Once;
constexpr auto Twice = Expansion::Twice;

const std::vector<ProgramKey> kProgramKeys{
    // Read once per section, before any process exists.
    {"priority", Integer, "999", Section, Once, false},
    {"autostart", Boolean, "true", Section, Once, false},
    {"autorestart", KeyType::AutoRestart, "unexpected", Section, Once, false},
    {"startsecs", Integer, "1", Section, Once, false},
    {"startretries", Integer, "3", Section, Once, false},
    {"stopsignal", Signal, "TERM", Section, Once, false},
    {"stopwaitsecs", Integer, "10", Section, Once, false},
    {"stopasgroup", Boolean, "false", Section, Once, false},
    {"killasgroup", Boolean, "false", Section, Once, false},
    {"exitcodes", ExitCodes, "0", Section, Once, false},
    {"redirect_stderr", Boolean, "false", Section, Once, true},
    {"numprocs", Integer, "1", Section, Once, false},
    {"numprocs_start", Integer, "0", Section, Once, false},
    {"environment", Environment, "", Section, Raw, true},
    {"stdout_capture_maxbytes", ByteSize, "0", Section, Once, false},
    {"stdout_events_enabled", Boolean, "false", Section, Once, false},
    {"stderr_capture_maxbytes", ByteSize, "0", Section, Once, false},
    {"stderr_events_enabled", Boolean, "false", Section, Once, false},
    {"serverurl", ServerUrl, std::nullopt, Section, Once, true},
    {"user", User, std::nullopt, Section, Once, true},
    {"umask", Octal, std::nullopt, Section, Once, true},
    {"process_name", ProcessName, "%(program_name)s", Section, Raw, true},
    // Read once per process, in this order.
    {"directory", String, std::nullopt, Process, Once, true},
    {"stdout_logfile", LogFile, "AUTO", Process, Twice, true},
    {"stdout_logfile_backups", Integer, "10", Process, Once, false},
    {"stdout_logfile_maxbytes", ByteSize, "50MB", Process, Once, false},
    {"stdout_syslog", Boolean, "false", Process, Once, false},
    {"stderr_logfile", LogFile, "AUTO", Process, Twice, true},
    {"stderr_logfile_backups", Integer, "10", Process, Once, false},
    {"stderr_logfile_maxbytes", ByteSize, "50MB", Process, Once, false},
    {"stderr_syslog", Boolean, "false", Process, Once, false},
    {"command", String, std::nullopt, Process, Once, true},
};

}  // namespace

const std::vector<ProgramKey>& program_keys() { return kProgramKeys; }

const ProgramKey* find_program_key(std::string_view name) {
  for (const auto& k : kProgramKeys)
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> section_keys(SectionKind kind) {
  std::vector<std::string> out;
  for (const auto& k : kProgramKeys) out.emplace_back(k.name);
  if (kind == SectionKind::FcgiProgram)
    out.insert(out.end(), {"socket", "socket_backlog", "socket_owner", "socket_mode"});
  if (kind == SectionKind::EventListener) out.insert(out.end(), {"events", "buffer_size", "result_handler"});
  return out;
}

bool is_section_key(SectionKind kind, std::string_view key) {
  for (const auto& k : section_keys(kind))
    if (k == key) return true;
  return false;
}

}  // namespace bootmortem::config
