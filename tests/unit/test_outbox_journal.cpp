#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "drivers/mqtt/outbox_journal.hpp"
#include "drivers/mqtt/tcp_nodelay.hpp"

using chairwatch::drivers::OutboxJournal;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    explicit TempDir(const char* name)
        : path(fs::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::vector<std::string_view> parts(std::string_view a, std::string_view b = {}) {
    return b.empty() ? std::vector<std::string_view>{a} : std::vector<std::string_view>{a, b};
}

}  // namespace

TEST_CASE("the outbox journal keeps what is live across a reopen, and forgets what was removed") {
    TempDir dir("cw-outbox");
    const auto file = (dir.path / "q.outbox").string();
    {
        OutboxJournal j(file);
        j.put("c-1", parts("header|", "alert one"));
        j.put("c-2", parts("alert two"));
        j.put("c-3", parts("alert three"));
        j.remove("c-2");
        j.put("c-3", parts("alert three, again"));  // Paho re-stores a key it sent before
        CHECK(j.contains("c-1"));
        CHECK_FALSE(j.contains("c-2"));
        CHECK(j.get("c-1") == "header|alert one");
        CHECK_THROWS_AS(j.get("c-2"), std::out_of_range);
    }
    OutboxJournal again(file);
    CHECK(again.keys() == std::vector<std::string>{"c-1", "c-3"});
    CHECK(again.get("c-1") == "header|alert one");
    CHECK(again.get("c-3") == "alert three, again");
    CHECK(again.damaged_bytes_dropped() == 0);
}

TEST_CASE("an empty outbox journal is cut back to empty once it has grown to 64 KiB") {
    TempDir dir("cw-outbox");
    const auto file = (dir.path / "q.outbox").string();
    {
        OutboxJournal j(file);
        j.put("s-1", parts("one"));
        j.put("s-2", parts("two"));
        CHECK(j.file_bytes() > 0);
        j.remove("s-1");
        j.remove("s-2");
        // Nothing waits, and the file is small: left as it is (cutting costs more than it saves).
        CHECK(j.keys().empty());
        const auto small = j.file_bytes();
        CHECK(small > 0);
        CHECK(fs::file_size(j.path()) == small);
        j.remove("s-2");  // removing twice is harmless and writes nothing
        CHECK(j.file_bytes() == small);
    }
    {
        OutboxJournal j(file);  // its dead records read back as nothing waiting
        CHECK(j.keys().empty());
        CHECK(j.damaged_bytes_dropped() == 0);
        // Grown past 64 KiB, the next time nothing waits it is cut back to empty.
        const std::string big(1000, 'b');
        std::uint64_t largest = 0;
        int n = 0;
        do {
            j.put("k-" + std::to_string(n), parts(big));
            largest = std::max(largest, j.file_bytes());
            j.remove("k-" + std::to_string(n));
            REQUIRE(++n < 200);
        } while (j.file_bytes() > 0);
        // Not cut before it reached 64 KiB, and cut as soon as it had (records of ~1 KiB).
        CHECK(largest > (64U << 10) - 1100);
        CHECK(largest < (64U << 10) + 1100);
        CHECK(fs::file_size(j.path()) == 0);
        j.put("s-3", parts("three"));
        j.clear();
        CHECK(j.keys().empty());
        CHECK(fs::file_size(j.path()) == 0);
    }
}

TEST_CASE("a record cut short or damaged ends the journal there; what came before is kept") {
    TempDir dir("cw-outbox");
    const auto file = (dir.path / "q.outbox").string();
    std::uint64_t good_size = 0;
    {
        OutboxJournal j(file);
        j.put("c-1", parts("kept"));
        j.put("c-2", parts("also kept"));
        good_size = j.file_bytes();
        j.put("c-3", parts("cut short"));
    }
    SUBCASE("a write cut short") {
        fs::resize_file(file, fs::file_size(file) - 3);
    }
    SUBCASE("damaged bytes") {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(good_size + 12));
        f.put('X');
    }
    {
        OutboxJournal j(file);
        CHECK(j.keys() == std::vector<std::string>{"c-1", "c-2"});
        CHECK(j.damaged_bytes_dropped() > 0);
        CHECK(j.file_bytes() == good_size);
        j.put("c-4", parts("after the repair"));
    }
    OutboxJournal j(file);
    CHECK(j.keys() == std::vector<std::string>{"c-1", "c-2", "c-4"});
    CHECK(j.get("c-4") == "after the repair");
    CHECK(j.damaged_bytes_dropped() == 0);
}

TEST_CASE("a journal grown far past its live content is rewritten with only that") {
    TempDir dir("cw-outbox");
    const auto file = (dir.path / "q.outbox").string();
    const std::string big(4000, 'a');
    {
        OutboxJournal j(file);
        j.put("keep", parts("still waiting"));  // the broker never acknowledged this one
        for (int i = 0; i < 2000; ++i) {
            j.put("c-" + std::to_string(i), parts(big));
            j.remove("c-" + std::to_string(i));
        }
        CHECK(j.file_bytes() < 1100000);  // 2000 x 4 KB went through a journal of at most ~1 MiB
        CHECK(fs::file_size(file) == j.file_bytes());
        j.put("last", parts("appended after a rewrite"));
    }
    CHECK_FALSE(fs::exists(file + ".tmp"));
    OutboxJournal j(file);
    CHECK(j.keys() == std::vector<std::string>{"keep", "last"});
    CHECK(j.get("keep") == "still waiting");
    CHECK(j.get("last") == "appended after a rewrite");
}

TEST_CASE("a journal that cannot be opened says which file and why") {
    TempDir dir("cw-outbox");
    const auto file = (dir.path / "missing-dir" / "q.outbox").string();
    try {
        OutboxJournal j(file);
        FAIL("opened a journal in a directory that does not exist");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(file) != std::string::npos);
        CHECK(std::string(e.what()).find("No such file") != std::string::npos);
    }
}

TEST_CASE("the broker port comes from the URI, or the scheme's default") {
    using chairwatch::drivers::broker_port;
    CHECK(broker_port("tcp://127.0.0.1:18830") == 18830);
    CHECK(broker_port("tcp://broker.local") == 1883);
    CHECK(broker_port("mqtt://broker.local") == 1883);
    CHECK(broker_port("ssl://broker.local") == 8883);
    CHECK(broker_port("mqtts://[::1]:8884") == 8884);
    CHECK(broker_port("ssl://[::1]") == 8883);
    CHECK(broker_port("tcp://host:99999") == 0);
    CHECK(broker_port("tcp://host:12ab") == 0);
    CHECK(broker_port("ws://host/mqtt") == 0);
}
