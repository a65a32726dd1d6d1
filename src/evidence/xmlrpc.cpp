#include "evidence/xmlrpc.h"

#include <cctype>
#include <cstdlib>

namespace bootmortem::evidence {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string encode(const RpcValue& v) {
  switch (v.type) {
    case RpcValue::Type::Int: return "<value><int>" + std::to_string(v.i) + "</int></value>";
    case RpcValue::Type::Bool: return std::string("<value><boolean>") + (v.i ? "1" : "0") + "</boolean></value>";
    default: return "<value><string>" + escape(v.s) + "</string></value>";
  }
}

// A cursor over the document: tags and the text between them.
class Reader {
 public:
  explicit Reader(const std::string& xml) : x_(xml) {}

  // The next tag's name ("value", "/value", "nil/"), skipping whitespace,
  // the XML declaration and comments; does not consume it.
  std::string peek_tag() {
    for (;;) {
      skip_space();
      if (x_.compare(p_, 2, "<?") == 0) {
        p_ = find_or_throw("?>", p_) + 2;
      } else if (x_.compare(p_, 4, "<!--") == 0) {
        p_ = find_or_throw("-->", p_) + 3;
      } else {
        break;
      }
    }
    if (p_ >= x_.size() || x_[p_] != '<') fail("expected a tag");
    size_t end = find_or_throw(">", p_);
    std::string name = x_.substr(p_ + 1, end - p_ - 1);
    size_t sp = name.find_first_of(" \t\r\n");  // attributes are ignored
    if (sp != std::string::npos) name = name.substr(0, sp) + (name.back() == '/' ? "/" : "");
    return name;
  }
  void expect(const std::string& tag) {
    if (peek_tag() != tag) fail("expected <" + tag + ">");
    p_ = x_.find('>', p_) + 1;
  }
  bool at(const std::string& tag) { return peek_tag() == tag; }
  bool at_text() {
    size_t q = p_;
    while (q < x_.size() && std::isspace(static_cast<unsigned char>(x_[q]))) ++q;
    return q < x_.size() && x_[q] != '<';
  }
  // Raw text up to the next '<', entities decoded.
  std::string text() {
    size_t end = x_.find('<', p_);
    if (end == std::string::npos) fail("unterminated text");
    std::string raw = x_.substr(p_, end - p_);
    p_ = end;
    return decode(raw);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw RpcParseError("XML-RPC response: " + what + " at offset " + std::to_string(p_));
  }

 private:
  void skip_space() {
    while (p_ < x_.size() && std::isspace(static_cast<unsigned char>(x_[p_]))) ++p_;
  }
  size_t find_or_throw(const char* s, size_t from) const {
    size_t at = x_.find(s, from);
    if (at == std::string::npos) fail(std::string("missing '") + s + "'");
    return at;
  }
  static std::string decode(const std::string& s) {
    static const std::pair<const char*, char> k_entities[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    for (size_t i = 0; i < s.size();) {
      bool done = false;
      if (s[i] == '&') {
        for (const auto& [name, c] : k_entities)
          if (s.compare(i, std::char_traits<char>::length(name), name) == 0) {
            out += c;
            i += std::char_traits<char>::length(name);
            done = true;
            break;
          }
        if (!done && s.compare(i, 2, "&#") == 0 && s.find(';', i) != std::string::npos) {
          size_t semi = s.find(';', i);
          bool hex = s[i + 2] == 'x';
          long cp = std::strtol(s.substr(i + (hex ? 3 : 2), semi - i - (hex ? 3 : 2)).c_str(), nullptr, hex ? 16 : 10);
          append_utf8(out, cp);
          i = semi + 1;
          done = true;
        }
      }
      if (!done) out += s[i++];
    }
    return out;
  }
  static void append_utf8(std::string& out, long cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  const std::string& x_;
  size_t p_ = 0;
};

RpcValue parse_value(Reader& r);

// The content of a typed element: <tag>text</tag> or <tag/>.
std::string scalar(Reader& r, const std::string& tag) {
  if (r.at(tag + "/")) {
    r.expect(tag + "/");
    return "";
  }
  r.expect(tag);
  std::string t = r.text();  // keeps whitespace: it is the value
  r.expect("/" + tag);
  return t;
}

RpcValue parse_typed(Reader& r) {
  RpcValue v;
  std::string tag = r.peek_tag();
  if (tag == "string") {
    v.type = RpcValue::Type::String;
    v.s = scalar(r, "string");
  } else if (tag == "string/") {
    r.expect("string/");
    v.type = RpcValue::Type::String;
  } else if (tag == "int" || tag == "i4" || tag == "i8") {
    v.type = RpcValue::Type::Int;
    v.i = std::strtoll(scalar(r, tag).c_str(), nullptr, 10);
  } else if (tag == "boolean") {
    v.type = RpcValue::Type::Bool;
    v.i = std::strtoll(scalar(r, tag).c_str(), nullptr, 10) != 0;
  } else if (tag == "double") {
    v.type = RpcValue::Type::Double;
    v.d = std::strtod(scalar(r, tag).c_str(), nullptr);
  } else if (tag == "nil/") {
    r.expect("nil/");
  } else if (tag == "array") {
    v.type = RpcValue::Type::Array;
    r.expect("array");
    r.expect("data");
    while (!r.at("/data")) v.a.push_back(parse_value(r));
    r.expect("/data");
    r.expect("/array");
  } else if (tag == "struct") {
    v.type = RpcValue::Type::Struct;
    r.expect("struct");
    while (!r.at("/struct")) {
      r.expect("member");
      std::string name = scalar(r, "name");
      v.m[name] = parse_value(r);
      r.expect("/member");
    }
    r.expect("/struct");
  } else {
    r.fail("unsupported type <" + tag + ">");
  }
  return v;
}

RpcValue parse_value(Reader& r) {
  r.expect("value");
  RpcValue v;
  if (r.at_text()) {  // <value>text</value> is a string
    v.type = RpcValue::Type::String;
    v.s = r.text();
  } else if (r.at("/value")) {
    v.type = RpcValue::Type::String;
  } else {
    v = parse_typed(r);
  }
  r.expect("/value");
  return v;
}

}  // namespace

RpcValue RpcValue::of(const std::string& v) {
  RpcValue r;
  r.type = Type::String;
  r.s = v;
  return r;
}

RpcValue RpcValue::of(int64_t v) {
  RpcValue r;
  r.type = Type::Int;
  r.i = v;
  return r;
}

std::string RpcValue::str(const std::string& key, const std::string& fallback) const {
  auto it = m.find(key);
  return it != m.end() && it->second.type == Type::String ? it->second.s : fallback;
}

std::optional<int64_t> RpcValue::integer(const std::string& key) const {
  auto it = m.find(key);
  if (it == m.end() || (it->second.type != Type::Int && it->second.type != Type::Bool)) return std::nullopt;
  return it->second.i;
}

std::string rpc_request(const std::string& method, const std::vector<RpcValue>& params) {
  std::string body = "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + escape(method) +
                     "</methodName>\n<params>\n";
  for (const auto& p : params) body += "<param>\n" + encode(p) + "\n</param>\n";
  return body + "</params>\n</methodCall>\n";
}

RpcResponse parse_rpc_response(const std::string& xml) {
  Reader r(xml);
  RpcResponse out;
  r.expect("methodResponse");
  if (r.at("fault")) {
    r.expect("fault");
    RpcValue f = parse_value(r);
    r.expect("/fault");
    out.fault = true;
    out.fault_code = static_cast<int>(f.integer("faultCode").value_or(0));
    out.fault_string = f.str("faultString");
  } else {
    r.expect("params");
    r.expect("param");
    out.value = parse_value(r);
    r.expect("/param");
    r.expect("/params");
  }
  r.expect("/methodResponse");
  return out;
}

}  // namespace bootmortem::evidence
