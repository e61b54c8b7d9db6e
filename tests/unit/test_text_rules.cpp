#include <doctest/doctest.h>

#include <string>

#include "drivers/codec/text_rules.hpp"

using chairwatch::drivers::printable;
using chairwatch::drivers::text_fault;

TEST_CASE("names from outside: printable UTF-8 only") {
    for (const char* ok : {"nurse-7", "Zoë Müller", "护士", "a b", "O'Brien \\ x"})
        CHECK_MESSAGE(!text_fault(ok), ok);
    const std::string control = "must not contain control characters";
    const std::string format = "must not contain invisible formatting characters";
    const std::string utf8 = "must be valid UTF-8";
    const std::pair<std::string, std::string> bad[] = {
        {std::string("nurse\0", 6), control},
        {"nurse\n2026-11-24 [warning] forged", control},
        {"\x1b[2J", control},
        {"bell\a", control},
        {"tab\t", control},
        {"del\x7f", control},
        {"c1\xc2\x85", control},           // U+0085 NEXT LINE
        {"line\xe2\x80\xa8sep", control},  // U+2028
        {"evil\xe2\x80\xae"
         "gnp.exe",
         format},                               // U+202E RIGHT-TO-LEFT OVERRIDE
        {"\xe2\x80\xaa", format},               // U+202A
        {"\xe2\x81\xa6x\xe2\x81\xa9", format},  // U+2066 .. U+2069 isolates
        {"zero\xe2\x80\x8bwidth", format},      // U+200B
        {"\xef\xbb\xbf"
         "bom",
         format},                         // U+FEFF
        {"soft\xc2\xad", format},         // U+00AD
        {"tag\xf3\xa0\x80\x81", format},  // U+E0001
        {"\xff", utf8},
        {"\xc0\xaf", utf8},      // overlong '/'
        {"\xed\xa0\x80", utf8},  // a surrogate
        {"cut\xe2\x80", utf8},
    };
    for (const auto& [text, why] : bad) {
        INFO(printable(text));
        const auto fault = text_fault(text);
        REQUIRE(fault);
        CHECK(std::string(*fault).rfind(why, 0) == 0);
    }
}

TEST_CASE("printable: what cannot be shown becomes \\xNN, the rest stays; capped") {
    CHECK(printable("chair-01 Zoë") == "chair-01 Zoë");
    CHECK(printable("a\nb") == "a\\x0ab");
    CHECK(printable(std::string("n\0x", 3)) == "n\\x00x");
    CHECK(printable("\x1b[2J\a") == "\\x1b[2J\\x07");
    CHECK(printable("x\xe2\x80\xaey") == "x\\xe2\\x80\\xaey");
    CHECK(printable("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable("back\\slash") == "back\\slash");
    CHECK(printable(printable("a\nb")) == printable("a\nb"));
    CHECK(printable(std::string(300, 'x')) == std::string(256, 'x') + "...");
    CHECK(printable("abcdef", 3) == "abc...");
    // Never half a character: "é" is two bytes.
    CHECK(printable("aé", 2) == "a...");
    CHECK(printable("") == "");
}
