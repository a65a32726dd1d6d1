#include "trace/port_owner.h"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace bootmortem;

TEST_CASE("listening inodes: only sockets in LISTEN (0A) on the port, IPv4 and IPv6 text alike") {
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 "
      "0000000000000000 100 0 0 10 0\n"
      "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 "
      "0000000000000000 20 4 30 10 -1\n"
      "   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 "
      "0000000000000000 100 0 0 10 0\n";
  CHECK(trace::listening_inodes(tcp, 8080) == std::vector<unsigned long>{4242});
  CHECK(trace::listening_inodes(tcp, 80) == std::vector<unsigned long>{4444});
  CHECK(trace::listening_inodes(tcp, 443).empty());
  const std::string tcp6 =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
      "tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0\n";
  CHECK(trace::listening_inodes(tcp6, 8080) == std::vector<unsigned long>{5151});
}

TEST_CASE("ancestry climbs from a pid to init; the command line splits at NULs") {
  auto chain = trace::ancestry(getpid());
  REQUIRE(chain.size() >= 2);
  CHECK(chain[0] == getpid());
  CHECK(chain[1] == getppid());
  CHECK_FALSE(trace::proc_cmdline(getpid()).empty());
}
