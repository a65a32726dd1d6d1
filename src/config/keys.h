// The vocabulary of a [program:x] section: every key supervisor 4.2.5 reads
// (ServerOptions._processes_from_section), in the order it reads them, with
// type, default and how it is %-expanded. The loader walks this table, so
// the order of first errors is supervisor's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace bootmortem::config {

enum class KeyType {
  String,       // kept as text
  Integer,      // integer()
  Boolean,      // boolean()
  AutoRestart,  // auto_restart()
  Signal,       // signal_number()
  ExitCodes,    // list_of_exitcodes()
  ByteSize,     // byte_size()
  Octal,        // octal_type()
  User,         // name_to_uid(), at parse time
  ServerUrl,    // "AUTO" (any case) means unset
  ProcessName,  // process_or_group_name() on the raw template
  Environment,  // dict_of_key_value_pairs(), per process
  LogFile,      // logfile_name()
};

// When supervisor reads the key: once per section, or once per process
// (numprocs copies; process_num and the program's ENV_* are then known).
enum class KeyScope { Section, Process };

// How supervisor %-expands the value: not in saneget (raw: expanded later
// per process, or never), once, or twice (log file names).
enum class Expansion { Raw, Once, Twice };

struct ProgramKey {
  std::string_view name;
  KeyType type;
  std::optional<std::string_view> default_value;  // nullopt: None
  KeyScope scope;
  Expansion expansion;
  bool affects_spawn;  // changes what the child gets (argv, env, ids, dir, fds)
};

const std::vector<ProgramKey>& program_keys();
const ProgramKey* find_program_key(std::string_view name);

// Every key a section of this kind reads: the table's, and fcgi-program's
// socket keys or eventlistener's events, buffer_size and result_handler.
// Any other key of the section supervisor silently ignores.
std::vector<std::string> section_keys(SectionKind kind);
bool is_section_key(SectionKind kind, std::string_view key);

}  // namespace bootmortem::config
