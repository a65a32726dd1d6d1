// supervisor/datatypes.py converters; the expected values and messages were
// printed by supervisor 4.2.5's own functions for the same inputs.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <limits>

#include "config/datatypes.h"
#include "config/python.h"

using namespace bootmortem;
using namespace bootmortem::config;

TEST_CASE("datatypes: as supervisor converts them") {
  CHECK(boolean("yes") == true);
  CHECK(boolean("TRUE") == true);
  CHECK(boolean("On") == true);
  CHECK(boolean("1") == true);
  CHECK(boolean("no") == false);
  CHECK(boolean("False") == false);
  CHECK(boolean("OFF") == false);
  CHECK(boolean("0") == false);
  CHECK_THROWS_WITH_AS(boolean("maybe"), "not a valid boolean value: 'maybe'", ValueError);
  CHECK_THROWS_WITH_AS(boolean(""), "not a valid boolean value: ''", ValueError);
  CHECK_THROWS_WITH_AS(boolean(" true"), "not a valid boolean value: ' true'", ValueError);
  CHECK(octal_type("022") == 18U);
  CHECK(octal_type("77") == 63U);
  CHECK(octal_type("0o27") == 23U);
  CHECK_THROWS_WITH_AS(octal_type("8"), "8 can not be converted to an octal type", ValueError);
  CHECK_THROWS_WITH_AS(octal_type("abc"), "abc can not be converted to an octal type", ValueError);
  CHECK_THROWS_WITH_AS(octal_type(""), " can not be converted to an octal type", ValueError);
  CHECK(byte_size("50MB") == 52428800LL);
  CHECK(byte_size("1kb") == 1024LL);
  CHECK(byte_size("2GB") == 2147483648LL);
  CHECK(byte_size("1024") == 1024LL);
  CHECK_THROWS_WITH_AS(byte_size("5x"), "invalid literal for int() with base 10: '5x'", ValueError);
  CHECK(byte_size("50 MB") == 52428800LL);
  CHECK_THROWS_WITH_AS(byte_size("MB"), "invalid literal for int() with base 10: ''", ValueError);
  CHECK(byte_size("-1KB") == -1024LL);
  CHECK(signal_number("TERM") == 15);
  CHECK(signal_number("SIGKILL") == 9);
  CHECK(signal_number("hup") == 1);
  CHECK(signal_number("int ") == 2);
  CHECK(signal_number("9") == 9);
  CHECK(signal_number("0") == 0);
  CHECK_THROWS_WITH_AS(signal_number("40"), "value '40' is not a valid signal number", ValueError);
  CHECK(signal_number("64") == 64);
  CHECK(signal_number("34") == 34);
  CHECK_THROWS_WITH_AS(signal_number("FOO"), "value 'FOO' is not a valid signal name", ValueError);
  CHECK(signal_number("_DFL") == 0);
  CHECK(signal_number("SIGRTMAX") == 64);
  CHECK(signal_number("CHLD") == 17);
  CHECK(list_of_exitcodes("0") == std::vector<int>{0});
  CHECK(list_of_exitcodes("0,2") == std::vector<int>{0, 2});
  CHECK(list_of_exitcodes(" 1 , 2 ") == std::vector<int>{1, 2});
  CHECK(list_of_exitcodes("") == std::vector<int>{});
  CHECK_THROWS_WITH_AS(list_of_exitcodes("256"), "not a valid list of exit codes: '256'", ValueError);
  CHECK_THROWS_WITH_AS(list_of_exitcodes("-1"), "not a valid list of exit codes: '-1'", ValueError);
  CHECK_THROWS_WITH_AS(list_of_exitcodes("a"), "not a valid list of exit codes: 'a'", ValueError);
  CHECK_THROWS_WITH_AS(list_of_exitcodes("0,,1"), "not a valid list of exit codes: '0,,1'", ValueError);
  CHECK(process_or_group_name("web") == "web");
  CHECK(process_or_group_name(" web ") == "web");
  CHECK_THROWS_WITH_AS(process_or_group_name("my app"), "Invalid name: 'my app' because of character: ' '", ValueError);
  CHECK_THROWS_WITH_AS(process_or_group_name("a:b"), "Invalid name: 'a:b' because of character: ':'", ValueError);
  CHECK_THROWS_WITH_AS(process_or_group_name("a/b"), "Invalid name: 'a/b' because of character: '/'", ValueError);
  CHECK_THROWS_WITH_AS(process_or_group_name("group:x"), "Invalid name: 'group:x' because of character: ':'", ValueError);
  CHECK(logging_level("info") == 20);
  CHECK(logging_level("DEBUG") == 10);
  CHECK(logging_level("warn") == 30);
  CHECK_THROWS_WITH_AS(logging_level("warning"), "bad logging level name 'warning'", ValueError);
  CHECK(logging_level("blather") == 3);
  CHECK(inet_address("9001") == std::pair<std::string, int>{"", 9001});
  CHECK(inet_address("*:9001") == std::pair<std::string, int>{"", 9001});
  CHECK(inet_address("LocalHost:80") == std::pair<std::string, int>{"localhost", 80});
  CHECK_THROWS_WITH_AS(inet_address("h:"), "no port number specified in ''", ValueError);
  CHECK_THROWS_WITH_AS(inet_address("h:0"), "0 is below lower bound (1)", ValueError);
  CHECK_THROWS_WITH_AS(inet_address("h:70000"), "70000 is above upper bound (65535)", ValueError);
  CHECK_THROWS_WITH_AS(inet_address("x"), "not a valid port number: 'x' ", ValueError);
  CHECK(auto_restart("true") == AutoRestart::True);
  CHECK(auto_restart("FALSE") == AutoRestart::False);
  CHECK(auto_restart("Unexpected") == AutoRestart::Unexpected);
  CHECK_THROWS_WITH_AS(auto_restart("sometimes"), "invalid 'autorestart' value 'sometimes'", ValueError);
  CHECK(integer("12") == 12LL);
  CHECK(integer(" 7 ") == 7LL);
  CHECK_THROWS_WITH_AS(integer("x"), "invalid literal for int() with base 10: 'x'", ValueError);
  CHECK_THROWS_WITH_AS(integer("1.5"), "invalid literal for int() with base 10: '1.5'", ValueError);
}

TEST_CASE("datatypes: user names and ids resolve through the user database") {
  core::FakeUserDb users;
  users.users.push_back(core::Passwd{"root", 0, 0, "/root", "/bin/bash"});
  users.users.push_back(core::Passwd{"appuser", 1001, 1001, "/home/appuser", "/bin/sh"});
  users.groups.push_back(core::Group{"www", 33, {"appuser"}});
  CHECK(name_to_uid("appuser", users) == 1001u);
  CHECK(name_to_uid("0", users) == 0u);
  CHECK(name_to_uid(" 1001 ", users) == 1001u);  // int() strips
  CHECK_THROWS_WITH_AS(name_to_uid("ghost", users), "Invalid user name ghost", ValueError);
  CHECK_THROWS_WITH_AS(name_to_uid("appuser ", users), "Invalid user name appuser ", ValueError);
  CHECK_THROWS_WITH_AS(name_to_uid("4242", users), "Invalid user id 4242", ValueError);
  CHECK(colon_separated_user_group("appuser:www", users) == std::pair<uid_t, gid_t>{1001, 33});
  CHECK(colon_separated_user_group("appuser", users).second == static_cast<gid_t>(-1));
  CHECK_THROWS_WITH_AS(colon_separated_user_group("appuser:nogroup", users),
                       "Invalid user:group definition appuser:nogroup", ValueError);
}

TEST_CASE("datatypes: directory checks made at parse time, through the fs seam") {
  core::FakeFs fs;
  fs.files["/var/log/supervisor"] = core::FileStat{S_IFDIR | 0755, 0, 0};
  fs.files["/etc/passwd"] = core::FileStat{S_IFREG | 0644, 0, 0};
  const PathCheck check{&fs, std::string("/root"), "/var/log"};
  CHECK(existing_dirpath("/var/log/supervisor/x.log", check) == "/var/log/supervisor/x.log");
  CHECK(existing_dirpath("supervisor/x.log", check) == "supervisor/x.log");  // against the cwd
  CHECK(existing_dirpath("x.log", check) == "x.log");                        // no directory part: no check
  CHECK_THROWS_WITH_AS(existing_dirpath("/nope/x.log", check),
                       "The directory named as part of the path /nope/x.log does not exist", ValueError);
  CHECK_THROWS_WITH_AS(existing_dirpath("~/x.log", check),
                       "The directory named as part of the path ~/x.log does not exist", ValueError);
  CHECK(existing_directory("/var/log/supervisor", check) == "/var/log/supervisor");
  CHECK_THROWS_WITH_AS(existing_directory("/etc/passwd", check), "/etc/passwd is not an existing directory",
                       ValueError);
  // Without a filesystem nothing is checked, but ~ is still expanded.
  CHECK(existing_dirpath("~/x.log", PathCheck{nullptr, std::string("/root"), "/"}) == "/root/x.log");
}

TEST_CASE("datatypes: logfile_name") {
  const PathCheck none{nullptr, std::nullopt, "/"};
  CHECK(logfile_name("NONE", none) == "NONE");
  CHECK(logfile_name("Off", none) == "NONE");
  CHECK(logfile_name("auto", none) == "AUTO");
  CHECK(logfile_name("SysLog", none) == "SYSLOG");
  CHECK(logfile_name("/tmp/a.log", none) == "/tmp/a.log");
}

// Found by fuzz/config_fuzz.cpp (signed overflow in py_int) and by reading
// the code after it: Python's ints have no limit, ours pin at LLONG_MAX so
// that the range checks after them give supervisor's verdict; a uid past
// uid_t must not wrap to root.
TEST_CASE("datatypes: integers past 64 bits") {
  core::FakeUserDb users;
  users.users.push_back(core::Passwd{"root", 0, 0, "/root", "/bin/bash"});
  users.groups.push_back(core::Group{"root", 0, {}});
  CHECK(py_int("99999999999999999999") == std::numeric_limits<long long>::max());
  CHECK(py_int("-99999999999999999999") == -std::numeric_limits<long long>::max());
  CHECK(py_int("7777777777777777777777777", 8) == std::numeric_limits<long long>::max());
  CHECK(integer("99999999999999999999") == std::numeric_limits<long long>::max());
  CHECK_THROWS_WITH_AS(signal_number("99999999999999999999"), "value '99999999999999999999' is not a valid signal number",
                       ValueError);
  CHECK_THROWS_WITH_AS(list_of_exitcodes("99999999999999999999"),
                       "not a valid list of exit codes: '99999999999999999999'", ValueError);
  CHECK(byte_size("99999999999999999KB") == std::numeric_limits<long long>::max());
  CHECK(byte_size("-99999999999999999GB") == -std::numeric_limits<long long>::max());
  CHECK_THROWS_WITH_AS(name_to_uid("4294967296", users), "Invalid user id 4294967296", ValueError);
  CHECK_THROWS_WITH_AS(name_to_uid("18446744073709551616", users), "Invalid user id 18446744073709551616", ValueError);
  CHECK_THROWS_WITH_AS(name_to_gid("4294967296", users), "Invalid group id 4294967296", ValueError);
}
