// supervisor's %-expansion: Python's `value % dict`, with the error texts of
// supervisor's options.expand(). Every quirk of Python's formatting is kept:
// a bare %s prints the whole dict, %(x)02d pads, %% is the only literal %.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bootmortem::config {

// What supervisor puts in an expansion dict: strings, and the ints
// process_num and numprocs.
using PyValue = std::variant<std::string, long long>;

// An insertion-ordered dict, as Python's: set() on an existing key keeps its
// place. The order shows in the bare-%s quirk, so it must match supervisor's.
class Expansions {
 public:
  Expansions() = default;
  Expansions(std::initializer_list<std::pair<std::string, PyValue>> init);
  void set(const std::string& key, PyValue value);
  void update(const Expansions& other);
  const PyValue* get(const std::string& key) const;
  const std::vector<std::pair<std::string, PyValue>>& entries() const { return entries_; }
  std::vector<std::string> sorted_keys() const;
  std::string repr() const;  // repr(dict)

 private:
  std::vector<std::pair<std::string, PyValue>> entries_;
};

// Python's `fmt % mapping`. Throws FormatKeyError (missing name; what() is
// repr(key)) or FormatError (anything else; what() is Python's message).
struct FormatKeyError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
struct FormatError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
std::string py_format(const std::string& fmt, const Expansions& mapping);

// options.expand(s, expansions, name): py_format with supervisor's messages,
// thrown as ValueError:
//   Format string '<s>' for '<name>' contains names ('<key>') which cannot be
//   expanded. Available names: <sorted names>
//   Format string '<s>' for '<name>' is badly formatted: <python message>
std::string expand(const std::string& s, const Expansions& expansions, const std::string& name);

}  // namespace bootmortem::config
