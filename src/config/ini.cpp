// Line-for-line behaviour of configparser.RawConfigParser._read (3.11). The
// odd corners are kept on purpose because supervisord has them too: an inline
// comment needs whitespace before it, the search for ';' and '#' advances in
// rounds (so "a#b #c ;d" cuts at ";d", not at "#c"), an indented line
// continues the previous value, and a header is "[" up to the last "]".
#include "config/ini.h"

#include <climits>
#include <fmt/format.h>
#include <map>

#include "config/python.h"

namespace bootmortem::config {

const IniValue* IniSection::find(const std::string& key) const {
  for (const auto& [k, v] : options)
    if (k == key) return &v;
  return nullptr;
}

void IniSection::set(const std::string& key, IniValue value) {
  for (auto& [k, v] : options)
    if (k == key) {
      v = std::move(value);
      return;
    }
  options.emplace_back(key, std::move(value));
}

namespace {

// Lines as Python's text-mode file iteration yields them: universal
// newlines, each line keeping its "\n".
std::vector<std::u32string> split_lines(const std::u32string& text) {
  std::vector<std::u32string> lines;
  std::u32string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c == U'\r') {
      if (i + 1 < text.size() && text[i + 1] == U'\n') ++i;
      c = U'\n';
    }
    cur.push_back(c);
    if (c == U'\n') {
      lines.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::u32string strip32(const std::u32string& s) {
  size_t b = 0, e = s.size();
  while (b < e && py_isspace(s[b])) ++b;
  while (e > b && py_isspace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Where the inline comment starts, or npos; the same rounds as _read.
size_t inline_comment_start(const std::u32string& line) {
  size_t comment_start = std::u32string::npos;
  std::vector<std::pair<char32_t, long>> prefixes{{U';', -1}, {U'#', -1}};
  while (comment_start == std::u32string::npos && !prefixes.empty()) {
    std::vector<std::pair<char32_t, long>> next;
    for (auto [prefix, index] : prefixes) {
      const size_t found = line.find(prefix, static_cast<size_t>(index + 1));
      if (found == std::u32string::npos) continue;
      next.emplace_back(prefix, static_cast<long>(found));
      if (found == 0 || py_isspace(line[found - 1])) comment_start = std::min(comment_start, found);
    }
    prefixes = std::move(next);
  }
  const auto stripped = strip32(line);
  if (!stripped.empty() && (stripped[0] == U'#' || stripped[0] == U';')) comment_start = 0;
  return comment_start;
}

}  // namespace

void IniDocument::read(const std::string& text, const std::string& fpname) {
  // Values collect their lines here and are joined when the file ends, as
  // _join_multiline_values does.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> pending;
  IniSection* cursect = nullptr;
  std::string optname;
  bool have_optname = false;
  size_t indent_level = 0;
  std::string errors;
  int first_error_line = 0;
  auto add_error = [&](int lineno, const std::u32string& line) {
    if (errors.empty()) {
      errors = "Source contains parsing errors: " + py_repr(fpname);
      first_error_line = lineno;
    }
    errors += fmt::format("\n\t[line {:2d}]: {}", lineno, py_repr(utf8_encode(line)));
  };

  const auto lines = split_lines(utf8_decode(text));
  for (size_t n = 0; n < lines.size(); ++n) {
    const int lineno = static_cast<int>(n) + 1;
    const std::u32string& line = lines[n];
    const size_t comment_start = inline_comment_start(line);
    const std::u32string value = strip32(line.substr(0, comment_start));
    if (value.empty()) {
      // A blank line belongs to the value being read; a comment line does not.
      if (comment_start == std::u32string::npos && cursect && have_optname && !optname.empty()) {
        auto it = pending.find({cursect->name, optname});
        if (it != pending.end()) it->second.push_back("");
      }
      continue;
    }
    size_t cur_indent = 0;
    while (cur_indent < line.size() && py_isspace(line[cur_indent])) ++cur_indent;
    if (cursect && have_optname && !optname.empty() && cur_indent > indent_level) {
      pending[{cursect->name, optname}].push_back(utf8_encode(value));
      continue;
    }
    indent_level = cur_indent;
    const size_t close = value.rfind(U']');
    if (value[0] == U'[' && close != std::u32string::npos && close >= 2) {
      const std::string name = utf8_encode(value.substr(1, close - 1));
      if (name == "DEFAULT") {
        cursect = &defaults_;
      } else if (IniSection* existing = find_section(name)) {
        cursect = existing;
      } else {
        sections_.push_back(IniSection{name, core::Origin{fpname, lineno}, {}});
        cursect = &sections_.back();
      }
      have_optname = false;
      continue;
    }
    if (!cursect) {
      throw core::InputError(core::Origin{fpname, lineno},
                             "File contains no section headers.\nfile: " + py_repr(fpname) +
                                 ", line: " + std::to_string(lineno) + "\n" + py_repr(utf8_encode(line)));
    }
    size_t delim = 0;
    while (delim < value.size() && value[delim] != U'=' && value[delim] != U':') ++delim;
    if (delim == value.size()) {
      add_error(lineno, line);
      continue;
    }
    std::u32string option = value.substr(0, delim);
    while (!option.empty() && py_isspace(option.back())) option.pop_back();
    if (option.empty()) add_error(lineno, line);  // "=x": reported, and still stored
    optname = py_lower(utf8_encode(option));
    have_optname = true;
    cursect->set(optname, IniValue{"", core::Origin{fpname, lineno}});
    pending[{cursect->name, optname}] = {utf8_encode(strip32(value.substr(delim + 1)))};
  }

  for (auto& [where, pieces] : pending) {
    std::string joined;
    for (size_t i = 0; i < pieces.size(); ++i) joined += (i ? "\n" : "") + pieces[i];
    IniSection* sect = where.first == "DEFAULT" ? &defaults_ : find_section(where.first);
    IniValue v = *sect->find(where.second);
    v.value = py_rstrip(joined);
    sect->set(where.second, v);
  }
  if (!errors.empty()) throw core::InputError(core::Origin{fpname, first_error_line}, errors);
}

IniSection* IniDocument::find_section(const std::string& name) {
  for (auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> IniDocument::sections() const {
  std::vector<std::string> out;
  for (const auto& s : sections_) out.push_back(s.name);
  return out;
}

bool IniDocument::has_section(const std::string& name) const { return section(name) != nullptr; }

const IniSection* IniDocument::section(const std::string& name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const IniValue* IniDocument::get(const std::string& section_name, const std::string& option) const {
  if (const IniSection* s = section(section_name))
    if (const IniValue* v = s->find(option)) return v;
  return defaults_.find(option);
}

std::vector<std::string> IniDocument::options(const std::string& section_name) const {
  std::vector<std::string> out;
  if (const IniSection* s = section(section_name))
    for (const auto& [k, v] : s->options) out.push_back(k);
  for (const auto& [k, v] : defaults_.options) {
    bool seen = false;
    for (const auto& o : out) seen = seen || o == k;
    if (!seen) out.push_back(k);
  }
  return out;
}

void IniDocument::set(const std::string& section_name, const std::string& option, IniValue value) {
  if (IniSection* s = find_section(section_name)) s->set(option, std::move(value));
}

void IniDocument::expand_here(const std::string& here) {
  static const std::string kHere = "%(here)s";
  for (auto& sect : sections_) {
    std::vector<std::pair<std::string, IniValue>> items = defaults_.options;
    for (const auto& [k, v] : sect.options) {
      bool replaced = false;
      for (auto& item : items)
        if (item.first == k) {
          item.second = v;
          replaced = true;
        }
      if (!replaced) items.emplace_back(k, v);
    }
    for (auto& [k, v] : items) {
      if (v.value.find(kHere) == std::string::npos) continue;
      std::string out;
      size_t pos = 0, hit;
      while ((hit = v.value.find(kHere, pos)) != std::string::npos) {
        out += v.value.substr(pos, hit - pos) + here;
        pos = hit + kHere.size();
      }
      out += v.value.substr(pos);
      sect.set(k, IniValue{out, v.origin});
    }
  }
}

}  // namespace bootmortem::config
