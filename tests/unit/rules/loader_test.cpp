#include "rules/loader.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "trace/syscalls.h"

using bootmortem::core::InputError;
using namespace bootmortem::rules;

namespace {

std::vector<Rule> load(const std::string& text) {
  PatternTables tables;
  return load_rules(text, "r.toml", tables);
}

// The message load() throws, or "" when it loads.
std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* k_head =
    "[[rule]]\n"                 // 1
    "id = \"a\"\n"               // 2
    "title = \"A\"\n"            // 3
    "family = \"test\"\n"        // 4
    "confidence = 0.5\n"         // 5
    "exit_code = [3]\n"          // 6
    "cause = \"c\"\n"            // 7
    "fix = \"f\"\n";             // 8

}  // namespace

TEST_CASE("a minimal rule loads with its origin") {
  auto rules = load(k_head);
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].id == "a");
  CHECK(rules[0].origin.str() == "r.toml:1");
  CHECK(rules[0].all.exit_codes == std::vector<int>{3});
}

TEST_CASE("bad TOML names the file and line") {
  CHECK(error_of("[[rule]]\nid = \"a\"\ntitle = \n").rfind("r.toml:3: ", 0) == 0);
}

TEST_CASE("unknown fields are errors at the key's line") {
  CHECK(error_of(std::string(k_head) + "stdrr = 'x'\n") ==
        "r.toml:9: rule 'a': unknown field 'stdrr' in a rule");
  CHECK(error_of(std::string(k_head) + "[rule.syscall]\ncall = [\"bind\"]\nport = 80\n") ==
        "r.toml:11: rule 'a': unknown field 'port' in a syscall condition");
  CHECK(error_of("rules = 1\n") ==
        "r.toml:1: unknown top-level field 'rules' (rules are [[rule]] tables)");
}

TEST_CASE("unknown facts, values, syscalls and errnos are errors") {
  CHECK(error_of(std::string(k_head) + "facts = [\"uid_nonzero\", \"!home_wrong\"]\n") ==
        "r.toml:9: rule 'a': unknown fact 'home_wrong'");
  CHECK(error_of(std::string(k_head) + "[rule.syscall]\nunder = \"homedir\"\n") ==
        "r.toml:10: rule 'a': unknown value 'homedir' in 'under'");
  CHECK(error_of(std::string(k_head) + "[rule.syscall]\ncall = [\"mkdirr\"]\n") ==
        "r.toml:10: rule 'a': unknown syscall 'mkdirr'");
  CHECK(error_of(std::string(k_head) + "[rule.syscall]\nerrno = [\"EACCESS\"]\n") ==
        "r.toml:10: rule 'a': unknown errno 'EACCESS'");
  CHECK(error_of(std::string(k_head) + "[rule.syscall]\nport_below = 0\n") ==
        "r.toml:10: rule 'a': 'port_below' must be an integer in 1..65536");
}

TEST_CASE("a regex RE2 rejects is an error at its line") {
  CHECK(error_of(std::string(k_head) + "stderr = '(?P<x>'\n") ==
        "r.toml:9: bad regex '(?P<x>': missing ): (?P<x>");
}

TEST_CASE("template holes must be captures or values") {
  std::string rule =
      "[[rule]]\nid = \"a\"\ntitle = \"A\"\nfamily = \"t\"\nconfidence = 0.5\n"
      "stderr = 'denied: (?P<where>\\S+)'\n"
      "cause = \"{where} for {user}\"\n"   // 7: fine
      "fix = \"see {wher}\"\n";            // 8: typo
  CHECK(error_of(rule) ==
        "r.toml:8: rule 'a': template names '{wher}', which is neither a capture of this rule "
        "nor an evidence value");
  CHECK(error_of(std::string(k_head).replace(std::string(k_head).find("fix = \"f\""), 9,
                                             "fix = \"{config_line}\"")) ==
        "r.toml:8: rule 'a': template names '{config_line}', which is neither a capture of "
        "this rule nor an evidence value ({config_line} needs a [rule.set_env] or [rule.set] table)");
}

TEST_CASE("a capture only some alternatives set cannot be used") {
  std::string rule = std::string(k_head).replace(std::string(k_head).find("cause = \"c\""), 11,
                                                  "cause = \"{dir}\"") +
                     "[[rule.any]]\nstderr = 'chdir to (?P<dir>\\S+)'\n"
                     "[[rule.any]]\nstderr = 'other'\n";
  CHECK(error_of(rule) ==
        "r.toml:7: rule 'a': template names '{dir}', which is neither a capture of this rule "
        "nor an evidence value");
}

TEST_CASE("missing or malformed required fields") {
  CHECK(error_of("[[rule]]\ntitle = \"x\"\n") == "r.toml:1: rule without 'id'");
  CHECK(error_of("[[rule]]\nid = \"Bad_Id\"\n") ==
        "r.toml:2: rule id 'Bad_Id' must be lower-case letters, digits and '-'");
  CHECK(error_of("[[rule]]\nid = \"a\"\ntitle = \"A\"\nfamily = \"t\"\nconfidence = 1.5\n") ==
        "r.toml:5: rule 'a': 'confidence' must be a number in 0..1");
  CHECK(error_of("[[rule]]\nid = \"a\"\ntitle = \"A\"\nfamily = \"t\"\nconfidence = 1\n"
                 "cause = \"c\"\nfix = \"f\"\n") ==
        "r.toml:1: rule 'a': rule has no conditions, so it would match everything");
  CHECK(error_of("[[rule]]\nid = \"a\"\ntitle = \"A\"\nfamily = \"t\"\nconfidence = 1\n"
                 "exit_code = [1]\nfix = \"f\"\n") == "r.toml:1: rule 'a': missing 'cause'");
  CHECK(error_of(std::string(k_head) + "verdict = \"broken\"\n") ==
        "r.toml:9: rule 'a': 'verdict' must be \"fails\" or \"starts\"");
  CHECK(error_of(std::string(k_head) + "[rule.set_env]\n\"BAD-NAME\" = \"x\"\n") ==
        "r.toml:10: rule 'a': 'BAD-NAME' is not an environment variable name (or a {capture})");
}

TEST_CASE("set_env keeps the order written; call families expand") {
  auto rules = load(std::string(k_head) +
                    "[rule.syscall]\ncall = [\"@mkdir\", \"bind\"]\nerrno = \"EACCES\"\n"
                    "[rule.set_env]\nHOME = \"{user_home}\"\nUSER = \"{user}\"\nLOGNAME = \"{user}\"\n");
  REQUIRE(rules.size() == 1);
  const auto& r = rules[0];
  REQUIRE(r.set_env.size() == 3);
  CHECK(r.set_env[0].name.fill({}) == "HOME");
  CHECK(r.set_env[1].name.fill({}) == "USER");
  CHECK(r.set_env[2].name.fill({}) == "LOGNAME");
  REQUIRE(r.all.syscalls.size() == 1);
  CHECK(r.all.syscalls[0].calls == std::vector<std::string>{"mkdir", "mkdirat", "bind"});
  CHECK(r.all.syscalls[0].errnos.size() == 1);
}

// The ptrace backend's seccomp filter traps only calls the rule pack names;
// calls the pack names that it does not trap are the ones listed here, each
// for a reason, so a rule naming a new call makes someone decide.
TEST_CASE("the calls the tracer traps are the calls the rule pack names") {
  std::set<std::string> named;
  for (const auto& entry : std::filesystem::directory_iterator(BOOTMORTEM_SOURCE_DIR "/rules")) {
    if (entry.path().extension() != ".toml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    PatternTables tables;
    auto add = [&](const std::vector<SyscallCond>& conds) {
      for (const auto& c : conds) named.insert(c.calls.begin(), c.calls.end());
    };
    for (const auto& r : load_rules(text.str(), entry.path().string(), tables)) {
      add(r.all.syscalls);
      for (const auto& any : r.any) add(any.syscalls);
      add(r.cite);
    }
  }
  std::set<std::string> trapped;
  for (const auto& d : bootmortem::trace::traced_syscalls()) trapped.insert(d.name);
  for (const auto& t : trapped) CHECK_MESSAGE(named.count(t), t << " is trapped but no rule names it");

  std::set<std::string> untrapped;
  std::set_difference(named.begin(), named.end(), trapped.begin(), trapped.end(),
                      std::inserter(untrapped, untrapped.begin()));
  const std::set<std::string> left_out = {
      "fstatat64",                            // 32-bit architectures only
      "fchdir", "fchmod", "fchown",           // an fd, no path to match
      "utimensat",                            // EROFS only, with open/mkdir/unlink... failing first
      "mmap", "mprotect",                     // every library load: the cost; stderr names the lib
      "clone", "clone3", "fork", "vfork",     // every fork: the cost; stderr says it too
  };
  CHECK(untrapped == left_out);
}
