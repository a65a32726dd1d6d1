// Groups (groups.cpp): section kinds, [group:x] membership, sorting, and the
// errors of the keys process_groups_from_parser reads itself. Expected values
// from supervisor 4.2.5's read_config on the same text.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "load_text.h"

using namespace bootmortem;
using namespace bootmortem::config;

using namespace bootmortem::config::testing;

TEST_CASE("groups: fcgi-program and eventlistener sections") {
  const Config c = load(R"([supervisord]
[fcgi-program:php]
command=/usr/bin/php-cgi
socket=unix:///tmp/%(program_name)s.sock
socket_mode=0660
socket_backlog=64
user=nobody
[eventlistener:mon]
command=/usr/bin/mon
events=process_state, TICK_60,TICK_60
buffer_size=20
)");
  REQUIRE(c.processes.size() == 2);
  const auto& mon = c.processes[0];  // listeners default to priority -1: first
  CHECK(mon.kind == SectionKind::EventListener);
  CHECK(mon.group_priority == -1);
  CHECK(mon.events == std::vector<std::string>{"PROCESS_STATE", "TICK_60"});
  CHECK(mon.buffer_size == 20);
  const auto& php = c.processes[1];
  CHECK(php.kind == SectionKind::FcgiProgram);
  REQUIRE(php.fcgi_socket.has_value());
  CHECK(php.fcgi_socket->url == "unix:///tmp/php.sock");
  CHECK(php.fcgi_socket->path == "/tmp/php.sock");
  CHECK(php.fcgi_socket->mode == 0660);
  CHECK(php.fcgi_socket->backlog == 64);
  if (::getuid() != 65534) CHECK(php.fcgi_socket->owner == std::pair<uid_t, gid_t>{65534, 65534});
  CHECK(php.uid == 65534u);
  CHECK(php.user == "nobody");
}

TEST_CASE("groups: a grouped fcgi-program is made as a plain program") {
  const Config c = load("[supervisord]\n[group:g]\nprograms=php\n[fcgi-program:php]\ncommand=/x\nsocket=bad\n");
  REQUIRE(c.processes.size() == 1);
  CHECK(c.processes[0].kind == SectionKind::Program);
  CHECK_FALSE(c.processes[0].fcgi_socket.has_value());
  CHECK(c.processes[0].namespec() == "g:php");
}

TEST_CASE("groups: sorted by group (priority, name), then process (priority, name)") {
  const Config c = load(R"([supervisord]
[program:b]
command=/b
[program:a]
command=/a
[program:z]
command=/z
priority=1
[group:g]
programs=m2,m1
priority=1
[program:m1]
command=/m1
priority=50
[program:m2]
command=/m2
priority=5
)");
  std::vector<std::string> order;
  for (const auto& p : c.processes) order.push_back(p.namespec());
  // Groups g and z tie on priority 1 and sort by name; inside g the members
  // keep the order [group:g] lists them in (supervisor does not re-sort).
  CHECK(order == std::vector<std::string>{"g:m2", "g:m1", "z", "a", "b"});
}

TEST_CASE("groups: errors of [group:x], [eventlistener:x] and [fcgi-program:x] keys") {
  // supervisor reuses its loop variable: after the first member the message
  // names that member's section, not the group (sic).
  CHECK(error_of("[supervisord]\n[group:g]\nprograms=a,b\n[program:a]\ncommand=/a\n") ==
        "/etc/sv/sd.conf:3: [program:a] names unknown program or fcgi-program b");
  CHECK(error_of("[supervisord]\n[group:g]\nprograms=b\n") ==
        "/etc/sv/sd.conf:3: [group:g] names unknown program or fcgi-program b");
  CHECK(error_of("[supervisord]\n[group:g]\nprograms=p\n[program:p]\ncommand=/p\n[fcgi-program:p]\ncommand=/p\n") ==
        "/etc/sv/sd.conf:3: [group:g] name p is ambiguous (exists as program and fcgi-program)");
  CHECK(error_of("[supervisord]\n[eventlistener:m]\ncommand=/m\n") ==
        "/etc/sv/sd.conf:2: [eventlistener:m] section requires an \"events\" line");
  CHECK(error_of("[supervisord]\n[eventlistener:m]\ncommand=/m\nevents=TICK_5\nbuffer_size=0\n") ==
        "/etc/sv/sd.conf:5: [eventlistener:m] section sets invalid buffer_size (0)");
  CHECK(error_of("[supervisord]\n[fcgi-program:f]\ncommand=/f\n") ==
        "/etc/sv/sd.conf:2: [fcgi-program:f] section requires a \"socket\" line");
  CHECK(error_of("[supervisord]\n[fcgi-program:f]\ncommand=/f\nsocket=tcp://h:80\nsocket_mode=0600\n") ==
        "/etc/sv/sd.conf:4: socket_owner and socket_mode params should only be used with a Unix domain socket in "
        "[fcgi-program:f] socket");
  CHECK(error_of("[supervisord]\n[fcgi-program:f]\ncommand=/f\nsocket=udp://h:80\n") ==
        "/etc/sv/sd.conf:4: ('Bad socket format %s', 'udp://h:80') in [fcgi-program:f] socket");
  CHECK(error_of("[supervisord]\n[fcgi-program:f]\ncommand=/f\nsocket=tcp://h:80\nsocket_backlog=0\n") ==
        "/etc/sv/sd.conf:5: Invalid socket_backlog value 0");
}
