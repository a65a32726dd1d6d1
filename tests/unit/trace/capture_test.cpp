#include "trace/capture.h"

#include <doctest/doctest.h>

using namespace bootmortem::trace;

TEST_CASE("short output is kept whole") {
  StreamCapture c(8);
  c.append("hello", 5);
  Captured r = c.finish();
  CHECK(r.text() == "hello");
  CHECK(r.total == 5);
  CHECK(r.dropped == 0);
}

TEST_CASE("long output keeps head and tail, counts the middle") {
  StreamCapture c(4);
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string chunk = std::to_string(i) + ",";
    all += chunk;
    c.append(chunk.data(), chunk.size());
  }
  Captured r = c.finish();
  CHECK(r.head == all.substr(0, 4));
  CHECK(r.tail == all.substr(all.size() - 4));
  CHECK(r.total == all.size());
  CHECK(r.dropped == all.size() - 8);
  CHECK(r.text().find("bytes not kept") != std::string::npos);
}

TEST_CASE("one write larger than the limit") {
  StreamCapture c(3);
  std::string big = "abcdefghij";
  c.append(big.data(), big.size());
  Captured r = c.finish();
  CHECK(r.head == "abc");
  CHECK(r.tail == "hij");
  CHECK(r.dropped == 4);
}
