// The INI layer under supervisor: Python 3.11's RawConfigParser as supervisor
// configures it (inline_comment_prefixes=(';', '#'), strict=False), with the
// line of every section and key kept for error messages.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace bootmortem::config {

struct IniValue {
  std::string value;
  core::Origin origin;  // the key's line (the last definition wins)
};

struct IniSection {
  std::string name;
  core::Origin origin;  // the first header of this name
  std::vector<std::pair<std::string, IniValue>> options;  // keys lower-cased, in first-seen order

  const IniValue* find(const std::string& key) const;
  void set(const std::string& key, IniValue value);
};

class IniDocument {
 public:
  // RawConfigParser.read_file(): parse one file's text into the document,
  // merging sections and keys with what is there. fpname names the file in
  // messages. Throws core::InputError with configparser's wording:
  //   File contains no section headers.\nfile: '<f>', line: <n>\n'<line>'
  //   Source contains parsing errors: '<f>'\n\t[line  5]: '<line>'
  void read(const std::string& text, const std::string& fpname);

  std::vector<std::string> sections() const;  // without DEFAULT, first-seen order
  bool has_section(const std::string& name) const;
  const IniSection* section(const std::string& name) const;
  const IniSection& defaults() const { return defaults_; }
  // The section's own key, else the [DEFAULT] one; nullptr when neither.
  const IniValue* get(const std::string& section, const std::string& option) const;
  // parser.options(section): the section's keys, then inherited DEFAULT keys.
  std::vector<std::string> options(const std::string& section) const;
  void set(const std::string& section, const std::string& option, IniValue value);

  // UnhosedConfigParser.expand_here(): replace the text "%(here)s" in every
  // value of every section (inherited DEFAULT values are copied into the
  // section) — supervisor's trick to make %(here)s per included file.
  void expand_here(const std::string& here);

 private:
  IniSection* find_section(const std::string& name);
  IniSection defaults_{"DEFAULT", {}, {}};
  std::deque<IniSection> sections_;  // a deque: cursect pointers stay valid
};

}  // namespace bootmortem::config
