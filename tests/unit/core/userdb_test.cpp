#include <doctest/doctest.h>

#include "core/userdb.h"

using namespace bootmortem::core;

TEST_CASE("parse_user_files reads passwd and group as the files module does") {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/bash\n"
      "# a comment\n"
      "\n"
      "+nisuser::::::\n"
      "short:x:5\n"
      "baduid:x:abc:1:x:/nowhere:/bin/sh\n"
      "appuser:x:1000:1000:App,,,:/home/appuser:/bin/bash\n"
      "appuser:x:1001:1001:second entry:/elsewhere:/bin/sh\n"
      "nohome:x:1002:1002:::";
  const std::string group =
      "root:x:0:\n"
      "appuser:x:1000:\n"
      "www-data:x:33:appuser,other\n"
      "bad:x:zz:appuser\n";
  TableUserDb db = parse_user_files(passwd, group);

  REQUIRE(db.users.size() == 4);  // the second appuser is kept, and never found by name
  auto app = db.by_name("appuser");
  REQUIRE(app);
  CHECK(app->uid == 1000);
  CHECK(app->gid == 1000);
  CHECK(app->home == "/home/appuser");
  CHECK(app->shell == "/bin/bash");
  CHECK(db.by_uid(1001)->home == "/elsewhere");
  CHECK_FALSE(db.by_name("short"));
  CHECK_FALSE(db.by_name("baduid"));
  CHECK_FALSE(db.by_name("+nisuser"));
  auto nohome = db.by_name("nohome");
  REQUIRE(nohome);
  CHECK(nohome->home.empty());
  CHECK(nohome->shell.empty());

  REQUIRE(db.groups.size() == 3);
  CHECK(db.group_by_gid(33)->members == std::vector<std::string>{"appuser", "other"});
  CHECK(db.group_by_gid(1000)->members.empty());
  CHECK(supervisor_groups(db, *app) == std::vector<gid_t>{1000, 33});
}
