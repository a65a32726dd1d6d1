// Expected values and messages produced by supervisor.options.expand()
// (Python 3.11) on the same strings and dict.
#include <doctest/doctest.h>

#include <climits>

#include "config/expand.h"
#include "config/python.h"

using namespace bootmortem::config;

namespace {

Expansions sample() {
  return Expansions{{"here", std::string("/etc/sv")}, {"program_name", std::string("web")},
                    {"process_num", 3LL}, {"numprocs", 2LL}, {"neg", -3LL}, {"quote", std::string("it's")}};
}

}  // namespace

TEST_CASE("expand: Python % formatting with a dict, supervisor's messages") {
  const Expansions d = sample();
  CHECK(expand("%(here)s/x", d, "program:web.command") == "/etc/sv/x");
  CHECK(expand("%(process_num)02d", d, "program:web.command") == "03");
  CHECK(expand("%(program_name)s_%(process_num)03d", d, "program:web.command") == "web_003");
  CHECK(expand("%%", d, "program:web.command") == "%");
  CHECK(expand("50%%", d, "program:web.command") == "50%");
  CHECK(expand("%s", d, "program:web.command") == "{'here': '/etc/sv', 'program_name': 'web', 'process_num': 3, 'numprocs': 2, 'neg': -3, 'quote': \"it's\"}");
  CHECK_THROWS_WITH_AS(expand("%s %s", d, "program:web.command"), "Format string '%s %s' for 'program:web.command' is badly formatted: not enough arguments for format string", ValueError);
  CHECK(expand("%s %(here)s", d, "program:web.command") == "{'here': '/etc/sv', 'program_name': 'web', 'process_num': 3, 'numprocs': 2, 'neg': -3, 'quote': \"it's\"} /etc/sv");
  CHECK_THROWS_WITH_AS(expand("%(here)s %s", d, "program:web.command"), "Format string '%(here)s %s' for 'program:web.command' is badly formatted: not enough arguments for format string", ValueError);
  CHECK_THROWS_WITH_AS(expand("%", d, "program:web.command"), "Format string '%' for 'program:web.command' is badly formatted: incomplete format", ValueError);
  CHECK_THROWS_WITH_AS(expand("abc%", d, "program:web.command"), "Format string 'abc%' for 'program:web.command' is badly formatted: incomplete format", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(here", d, "program:web.command"), "Format string '%(here' for 'program:web.command' is badly formatted: incomplete format key", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(here)", d, "program:web.command"), "Format string '%(here)' for 'program:web.command' is badly formatted: incomplete format", ValueError);
  CHECK_THROWS_WITH_AS(expand("%y", d, "program:web.command"), "Format string '%y' for 'program:web.command' is badly formatted: unsupported format character 'y' (0x79) at index 1", ValueError);
  CHECK_THROWS_WITH_AS(expand("é%y", d, "program:web.command"), "Format string 'é%y' for 'program:web.command' is badly formatted: unsupported format character 'y' (0x79) at index 2", ValueError);
  CHECK_THROWS_WITH_AS(expand("%é", d, "program:web.command"), "Format string '%é' for 'program:web.command' is badly formatted: unsupported format character '?' (0xe9) at index 1", ValueError);
  CHECK(expand("%(process_num)d", d, "program:web.command") == "3");
  CHECK_THROWS_WITH_AS(expand("%(here)d", d, "program:web.command"), "Format string '%(here)d' for 'program:web.command' is badly formatted: %d format: a real number is required, not str", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(here)x", d, "program:web.command"), "Format string '%(here)x' for 'program:web.command' is badly formatted: %x format: an integer is required, not str", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(here)f", d, "program:web.command"), "Format string '%(here)f' for 'program:web.command' is badly formatted: must be real number, not str", ValueError);
  CHECK(expand("%(process_num).3d", d, "program:web.command") == "003");
  CHECK(expand("%(process_num)+d", d, "program:web.command") == "+3");
  CHECK(expand("%(process_num)#x", d, "program:web.command") == "0x3");
  CHECK(expand("%(process_num)#o", d, "program:web.command") == "0o3");
  CHECK(expand("%(process_num)e", d, "program:web.command") == "3.000000e+00");
  CHECK(expand("%(process_num)g", d, "program:web.command") == "3");
  CHECK(expand("%(here)r", d, "program:web.command") == "'/etc/sv'");
  CHECK(expand("%(quote)r", d, "program:web.command") == "\"it's\"");
  CHECK(expand("%(here).3s", d, "program:web.command") == "/et");
  CHECK(expand("%(here)10s|", d, "program:web.command") == "   /etc/sv|");
  CHECK(expand("%(here)-10s|", d, "program:web.command") == "/etc/sv   |");
  CHECK_THROWS_WITH_AS(expand("%*s", d, "program:web.command"), "Format string '%*s' for 'program:web.command' is badly formatted: * wants int", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(process_num)5%", d, "program:web.command"), "Format string '%(process_num)5%' for 'program:web.command' is badly formatted: unsupported format character '%' (0x25) at index 15", ValueError);
  CHECK(expand("%(neg)05d", d, "program:web.command") == "-0003");
  CHECK(expand("%(neg)#.3x", d, "program:web.command") == "-0x003");
  CHECK(expand("%(process_num)c", d, "program:web.command") == "\x03""");
  CHECK_THROWS_WITH_AS(expand("%(here)c", d, "program:web.command"), "Format string '%(here)c' for 'program:web.command' is badly formatted: %c requires int or char", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(nope)s", d, "program:web.command"), "Format string '%(nope)s' for 'program:web.command' contains names ('nope') which cannot be expanded. Available names: here, neg, numprocs, process_num, program_name, quote", ValueError);
  CHECK_THROWS_WITH_AS(expand("%(a(b)s", d, "program:web.command"), "Format string '%(a(b)s' for 'program:web.command' is badly formatted: incomplete format key", ValueError);
  CHECK(expand("%(here)ls", d, "program:web.command") == "/etc/sv");
  CHECK(expand("%(process_num)-5d|", d, "program:web.command") == "3    |");
  CHECK(expand("%(numprocs)i", d, "program:web.command") == "2");
}

TEST_CASE("expand: bare %s prints the dict in insertion order (t1.conf quirk)") {
  Expansions d{{"ENV_PATH", std::string("/usr/bin:/bin")}, {"here", std::string("/tmp/bm/cfg")},
               {"process_num", 0LL}};
  d.set("ENV_PATH", std::string("/bin"));  // an update keeps the key's place
  CHECK(expand("/bin/date +%s", d, "x") ==
        "/bin/date +{'ENV_PATH': '/bin', 'here': '/tmp/bm/cfg', 'process_num': 0}");
}

TEST_CASE("expand: available names are sorted") {
  Expansions d{{"here", std::string("/h")}, {"ENV_B", std::string("b")}, {"ENV_A", std::string("a")}};
  CHECK_THROWS_WITH_AS(expand("%(ENV_NOPE)s", d, "program:x.command"),
                       "Format string '%(ENV_NOPE)s' for 'program:x.command' contains names ('ENV_NOPE') which "
                       "cannot be expanded. Available names: ENV_A, ENV_B, here",
                       ValueError);
}

// Found by fuzz/config_fuzz.cpp: a width of 20 digits overflowed a long (UB).
// Python says "width too big" past PY_SSIZE_T_MAX and fails to allocate
// below it; bootmortem refuses fields over 2^20 characters in Python's words.
TEST_CASE("expand: huge widths and precisions are refused, not allocated or overflowed") {
  const Expansions d = sample();
  CHECK_THROWS_WITH_AS(expand("%(here)99999999999999999999s", d, "program:web.command"),
                       "Format string '%(here)99999999999999999999s' for 'program:web.command' is badly formatted: width too big",
                       ValueError);
  CHECK_THROWS_WITH_AS(expand("%(process_num).99999999999999999999d", d, "program:web.command"),
                       "Format string '%(process_num).99999999999999999999d' for 'program:web.command' is badly formatted: precision too big",
                       ValueError);
  CHECK_THROWS_WITH_AS(expand("%(here)2000000s", d, "x"), "Format string '%(here)2000000s' for 'x' is badly formatted: width too big", ValueError);
  CHECK(expand("%(here)1048576s", d, "x").size() == 1048576);
  // A width taken from a key's own int still ends as Python ends it.
  const Expansions big{{"n", static_cast<long long>(LLONG_MIN)}};
  CHECK_THROWS_WITH_AS(expand("%(n)*d", big, "x"),
                       "Format string '%(n)*d' for 'x' is badly formatted: not enough arguments for format string", ValueError);
}
