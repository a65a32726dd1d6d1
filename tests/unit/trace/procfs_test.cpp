#include "trace/procfs.h"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace bootmortem::trace;

TEST_CASE("supervisord's -c as getopt reads it") {
  CHECK(config_arg({"-n", "-c", "/etc/s.conf"}) == "/etc/s.conf");
  CHECK(config_arg({"-c/etc/s.conf"}) == "/etc/s.conf");
  CHECK(config_arg({"--configuration=/x.conf"}) == "/x.conf");
  CHECK(config_arg({"--configuration", "/x.conf"}) == "/x.conf");
  CHECK(config_arg({"--conf=/y.conf"}) == "/y.conf");
  CHECK_FALSE(config_arg({"-n"}).has_value());
  CHECK_FALSE(config_arg({"--childlogdir=/tmp"}).has_value());
}

TEST_CASE("identity lines of our own process") {
  std::string id = proc_identity(getpid());
  CHECK(id.find("Uid:") != std::string::npos);
  CHECK(id.find("Groups:") != std::string::npos);
  CHECK(id.find("SigIgn:") != std::string::npos);
}
