#include <doctest/doctest.h>

#include "report/report.h"
#include "report/view.h"

using namespace bootmortem::report;

TEST_CASE("secret names: word parts decide") {
  for (const char* name :
       {"PASSWORD", "DB_PASSWORD", "PGPASSWORD", "MYSQL_PASSWD", "DB_PASS", "API_KEY", "apiKey",
        "AWS_SECRET_ACCESS_KEY", "DJANGO_SECRET_KEY", "SECRET", "GITHUB_TOKEN", "ACCESSTOKEN",
        "OAUTH_CLIENT_SECRET", "AUTH_HEADER", "GOOGLE_APPLICATION_CREDENTIALS", "PRIVATE_KEY_PATH",
        "SESSION_COOKIE", "SESSION", "stripe.key", "db-password"}) {
    CAPTURE(name);
    CHECK(secret_name(name));
  }
  for (const char* name :
       {"HOME", "PATH", "PWD", "OLDPWD", "USER", "KEYBOARD", "KEYBOARD_LAYOUT", "MONKEY_COUNT",
        "TOKENIZERS_PARALLELISM", "PGPASSFILE", "SSH_AUTH_SOCK", "XDG_SESSION_ID",
        "DBUS_SESSION_BUS_ADDRESS", "LANG", "PYTHON_EGG_CACHE", "OAUTHLIB_INSECURE_TRANSPORT"}) {
    CAPTURE(name);
    CHECK_FALSE(secret_name(name));
  }
}

TEST_CASE("values: secret names masked, URL credentials masked always") {
  CHECK(redact_value("API_KEY", "abc123") == "***");
  CHECK(redact_value("API_KEY", "") == "");
  CHECK(redact_value("DATABASE_URL", "postgres://app:hunter2@db:5432/app") ==
        "postgres://app:***@db:5432/app");
  CHECK(redact_value("HOME", "/root") == "/root");
}

TEST_CASE("free text: URL passwords and secret assignments") {
  CHECK(redact_text("connecting to redis://:s3cret@cache:6379/0 failed") ==
        "connecting to redis://:***@cache:6379/0 failed");
  CHECK(redact_text("amqp://guest:guest@rabbit// and https://u:p@h/x") ==
        "amqp://guest:***@rabbit// and https://u:***@h/x");
  CHECK(redact_text("env: SECRET_KEY=abc DEBUG=1 --db-password=xyz") ==
        "env: SECRET_KEY=*** DEBUG=1 --db-password=***");
  // Not credentials: a port, an address without a password, a plain word.
  CHECK(redact_text("Listening at: http://0.0.0.0:8080 (27886)") ==
        "Listening at: http://0.0.0.0:8080 (27886)");
  CHECK(redact_text("git clone https://github.com/x/y and ssh://git@host/r") ==
        "git clone https://github.com/x/y and ssh://git@host/r");
  CHECK(redact_text("KEYBOARD=us") == "KEYBOARD=us");
  CHECK(redact_text("already postgres://a:***@h") == "already postgres://a:***@h");
}

TEST_CASE("argv: --flag=value and --flag value forms") {
  CHECK(redact_argv({"app", "--password", "hunter2", "--port", "80", "--api-key=k1",
                     "postgres://u:p@db/x", "--", "-"}) ==
        std::vector<std::string>{"app", "--password", "***", "--port", "80", "--api-key=***",
                                 "postgres://u:***@db/x", "--", "-"});
}

TEST_CASE("free text: quoted values, dict and JSON keys, Authorization headers") {
  // a config patch or a shell line quotes the value
  CHECK(redact_text(R"(environment=SECRET_KEY="abc def",DEBUG="1")") ==
        R"(environment=SECRET_KEY="***",DEBUG="1")");
  CHECK(redact_text(R"(export DB_PASSWORD='hunter 2')") == R"(export DB_PASSWORD='***')");
  CHECK(redact_text(R"(TOKEN="a\"b" next)") == R"(TOKEN="***" next)");
  // a settings dump in a traceback, JSON logs
  CHECK(redact_text(R"({'NAME': 'app', 'PASSWORD': 'hunter2', 'HOST': 'db'})") ==
        R"({'NAME': 'app', 'PASSWORD': '***', 'HOST': 'db'})");
  CHECK(redact_text(R"({"api_key": "k-123", "user": "app"})") == R"({"api_key": "***", "user": "app"})");
  // HTTP credentials echoed in a log
  CHECK(redact_text("Authorization: Bearer eyJhbGciOi.x-y_z") == "Authorization: Bearer ***");
  CHECK(redact_text("proxy-authorization: Basic dXNlcjpwYXNz") == "proxy-authorization: Basic ***");
  CHECK(redact_text("sent bearer abc123== to api") == "sent bearer *** to api");
  CHECK(redact_text("HTTP_AUTHORIZATION=Token abc") == "HTTP_AUTHORIZATION=*** ***");
  // not secrets
  CHECK(redact_text(R"({'NAME': 'app'} KEYBOARD="us")") == R"({'NAME': 'app'} KEYBOARD="us")");
}
