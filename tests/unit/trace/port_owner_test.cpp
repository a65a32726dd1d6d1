#include "trace/port_owner.h"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace bootmortem;

TEST_CASE("listening sockets: only those in LISTEN (0A), with their port, IPv4 and IPv6 text alike") {
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 "
      "0000000000000000 100 0 0 10 0\n"
      "   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 "
      "0000000000000000 20 4 30 10 -1\n"
      "   2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 "
      "0000000000000000 100 0 0 10 0\n";
  auto socks = trace::listening_sockets(tcp);
  REQUIRE(socks.size() == 2);
  CHECK((socks[0].inode == 4242 && socks[0].port == 8080));
  CHECK((socks[1].inode == 4444 && socks[1].port == 80));
  const std::string tcp6 =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
      "tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0\n";
  auto socks6 = trace::listening_sockets(tcp6);
  REQUIRE(socks6.size() == 1);
  CHECK((socks6[0].inode == 5151 && socks6[0].port == 8080));
}

TEST_CASE("ancestry climbs from a pid to init") {
  auto chain = trace::ancestry(getpid());
  REQUIRE(chain.size() >= 2);
  CHECK(chain[0] == getpid());
  CHECK(chain[1] == getppid());
}
